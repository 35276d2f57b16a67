// The land release report: original, cancelled, reduced, cleared and remaining m2 by one dimension, with
// a total row; every row balances and the rows sum to the national total.
import type { Queryable } from '../db/engine.ts';
import { landReleaseRows } from '../db/land-release-report.ts';
import { balancedCents, figuresFromCents, type ReleaseFigures, type ReportDimension } from '../domain/land-release-figures.ts';
import { isCalendarDate } from '../domain/as-of.ts';
import { ClearwayError } from '../domain/problems.ts';

export interface LandReleaseRow extends ReleaseFigures {
  unit_code: string;
  unit_name: string;
  unit_name_km: string | null;
}

export interface LandReleaseReport {
  by: ReportDimension;
  /** The date the figures are for (YYYY-MM-DD); absent: today's record as it stands. */
  as_of?: string;
  rows: LandReleaseRow[];
  total: ReleaseFigures;
}

export const REPORT_COLUMNS = ['unit_code', 'unit_name', 'original_m2', 'cancelled_m2', 'reduced_m2', 'cleared_m2', 'remaining_m2'] as const;

/** Checks a report date from a user: a calendar date YYYY-MM-DD, named by `field` when it is not. */
export function checkAsOf(asOf: string | undefined, field = 'as_of'): string | undefined {
  if (asOf === undefined) return undefined;
  if (!isCalendarDate(asOf)) {
    throw new ClearwayError('date.not-iso', `${field} ${JSON.stringify(asOf)} is not a calendar date written YYYY-MM-DD`, 422, { field });
  }
  return asOf;
}

/** The report today, or as of a date (the land as it stood that day, as the record knows it now). */
export async function landReleaseReport(db: Queryable, by: ReportDimension, asOf?: string): Promise<LandReleaseReport> {
  const date = checkAsOf(asOf);
  const raw = await landReleaseRows(db, by, date);
  const totals = { original_m2: 0, cancelled_m2: 0, reduced_m2: 0, cleared_m2: 0, remaining_m2: 0 };
  const rows = raw.map((row): LandReleaseRow => {
    const cents = balancedCents(row);
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += cents[key];
    return { unit_code: row.unit_code, unit_name: row.unit_name, unit_name_km: row.unit_name_km, ...figuresFromCents(cents) };
  });
  return { by, ...(date !== undefined ? { as_of: date } : {}), rows, total: figuresFromCents(totals) };
}

function csvCell(value: string | number): string {
  const text = typeof value === 'number' ? value.toFixed(2) : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function landReleaseCsv(report: LandReleaseReport): string {
  const lines = [REPORT_COLUMNS.join(',')];
  for (const row of report.rows) lines.push(REPORT_COLUMNS.map((c) => csvCell(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}
