// The land release report: original, cancelled, reduced, cleared and remaining m2 by one dimension, with
// a total row; every row balances and the rows sum to the national total.
import type { Queryable } from '../db/engine.ts';
import { landReleaseRows } from '../db/land-release-report.ts';
import { balancedCents, figuresFromCents, type ReleaseFigures, type ReportDimension } from '../domain/land-release-figures.ts';

export interface LandReleaseRow extends ReleaseFigures {
  unit_code: string;
  unit_name: string;
  unit_name_km: string | null;
}

export interface LandReleaseReport {
  by: ReportDimension;
  rows: LandReleaseRow[];
  total: ReleaseFigures;
}

export const REPORT_COLUMNS = ['unit_code', 'unit_name', 'original_m2', 'cancelled_m2', 'reduced_m2', 'cleared_m2', 'remaining_m2'] as const;

export async function landReleaseReport(db: Queryable, by: ReportDimension): Promise<LandReleaseReport> {
  const raw = await landReleaseRows(db, by);
  const totals = { original_m2: 0, cancelled_m2: 0, reduced_m2: 0, cleared_m2: 0, remaining_m2: 0 };
  const rows = raw.map((row): LandReleaseRow => {
    const cents = balancedCents(row);
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += cents[key];
    return { unit_code: row.unit_code, unit_name: row.unit_name, unit_name_km: row.unit_name_km, ...figuresFromCents(cents) };
  });
  return { by, rows, total: figuresFromCents(totals) };
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
