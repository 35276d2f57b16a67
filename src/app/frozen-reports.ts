// Reports frozen for publication: a report as of a date, kept exactly as served (an Article 7 report, a
// donor report), listed, shown, and compared with today's figures for the same date, each difference with
// the records and submissions that explain it. Any report in FREEZABLE_REPORTS can be frozen the same way.
import type { Database, Queryable } from '../db/engine.ts';
import { lockOfficialRecord, recordAuditEvent } from '../db/change-batch.ts';
import {
  changesSinceFreeze, findChangesSinceFreeze, findFrozenReport, insertFrozenReport, listFrozenReports,
  type ChangeSinceFreeze, type FrozenReportRecord, type FrozenReportSummary,
} from '../db/frozen-reports.ts';
import { REPORT_DIMENSIONS, type ReportDimension } from '../domain/land-release-figures.ts';
import { ClearwayError } from '../domain/problems.ts';
import { checkAsOf, landReleaseReport, REPORT_COLUMNS } from './land-release-report.ts';
import { FIND_REPORT_COLUMNS, FIND_REPORT_DIMENSIONS, findsReport, type FindReportDimension } from './finds.ts';

export type { FrozenReportSummary, FrozenReportRecord, ChangeSinceFreeze };

type Row = Record<string, unknown> & { unit_code: string; unit_name: string };

/** A report that can be frozen: what it is by, its columns, and how to compute it as of a date. */
export interface FreezableReport {
  dimensions: readonly string[];
  /** Columns of its CSV, in order; every row has them. */
  columns: readonly string[];
  /** The numeric columns a comparison takes the difference of. */
  figures: readonly string[];
  /** Decimals its figures are written with in CSV (square metres to the cm2, counts whole). */
  decimals: number;
  run(db: Queryable, by: string, asOf: string): Promise<{ rows: Row[]; total: Record<string, number> }>;
  /** The records changed since the freeze that bear on each row (by unit_code). */
  changesSince(db: Queryable, by: string, asOf: string, frozenName: string): Promise<ChangeSinceFreeze[]>;
}

const LAND_RELEASE_FIGURES = ['original_m2', 'cancelled_m2', 'reduced_m2', 'cleared_m2', 'remaining_m2'] as const;

export const FREEZABLE_REPORTS: Record<string, FreezableReport> = {
  'land-release': {
    dimensions: REPORT_DIMENSIONS,
    columns: REPORT_COLUMNS,
    figures: LAND_RELEASE_FIGURES,
    decimals: 2,
    async run(db, by, asOf) {
      const report = await landReleaseReport(db, by as ReportDimension, asOf);
      return { rows: report.rows.map((row) => ({ ...row })), total: { ...report.total } };
    },
    changesSince: (db, by, asOf, frozenName) => changesSinceFreeze(db, by as ReportDimension, asOf, frozenName),
  },
  // EO finds and items destroyed, as Article 7 reports them.
  finds: {
    dimensions: FIND_REPORT_DIMENSIONS,
    columns: FIND_REPORT_COLUMNS,
    figures: ['finds', 'items', 'destroyed_items'],
    decimals: 0,
    async run(db, by, asOf) {
      const report = await findsReport(db, by as FindReportDimension, asOf);
      return { rows: report.rows.map((row) => ({ ...row })), total: { ...report.total } };
    },
    changesSince: (db, by, asOf, frozenName) => findChangesSinceFreeze(db, by as FindReportDimension, asOf, frozenName),
  },
};

function freezable(report: string): FreezableReport {
  const found = Object.hasOwn(FREEZABLE_REPORTS, report) ? FREEZABLE_REPORTS[report] : undefined;
  if (!found) {
    throw new ClearwayError('request.invalid', `report ${JSON.stringify(report)} cannot be frozen; these can: ${Object.keys(FREEZABLE_REPORTS).join(', ')}`, 400, { field: 'report' });
  }
  return found;
}

export interface FreezeRequest {
  report: string;
  by: string;
  asOf: string | undefined;
  name: string;
  actor: string;
}

/**
 * Freezes a report as of a date under a name. Computed and stored in one transaction holding the official
 * record's lock, so no approval lands between the figures and the freeze's place in the record's history.
 */
export async function freezeReport(db: Database, request: FreezeRequest): Promise<FrozenReportSummary> {
  const report = freezable(request.report);
  if (!report.dimensions.includes(request.by)) {
    throw new ClearwayError('request.invalid', `by ${JSON.stringify(request.by)} is not one of ${report.dimensions.join(', ')}`, 400, { field: 'by' });
  }
  if (request.asOf === undefined) throw new ClearwayError('field.required', 'as_of: a frozen report is for a date (YYYY-MM-DD)', 400, { field: 'as_of' });
  const asOf = checkAsOf(request.asOf) as string;
  const name = request.name.trim();
  if (name.length === 0 || name.length > 200) throw new ClearwayError('field.invalid', 'name: between 1 and 200 characters', 400, { field: 'name' });
  return db.transaction(async (tx) => {
    await lockOfficialRecord(tx);
    const figures = await report.run(tx, request.by, asOf);
    const stored = await insertFrozenReport(tx, { name, report: request.report, by: request.by, asOf, rows: figures.rows, total: figures.total, createdBy: request.actor });
    if (!stored) throw new ClearwayError('frozen.name-taken', `A frozen report is already named ${JSON.stringify(name)}; frozen figures are never replaced: choose another name`, 409, { field: 'name', name });
    await recordAuditEvent(tx, { actor: request.actor, action: 'report.freeze', entity: 'frozen_report', entityRef: name, details: { report: request.report, by: request.by, as_of: asOf, rows: stored.row_count } });
    return stored;
  });
}

export function listFrozen(db: Database): Promise<FrozenReportSummary[]> {
  return listFrozenReports(db);
}

export async function showFrozen(db: Queryable, name: string): Promise<FrozenReportRecord> {
  const found = await findFrozenReport(db, name);
  if (!found) throw new ClearwayError('not-found', `No frozen report is named ${JSON.stringify(name)}`, 404, { name });
  return found;
}

function csvCell(value: unknown, decimals = 2): string {
  const text = typeof value === 'number' ? value.toFixed(decimals) : value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The frozen rows as CSV, with the columns the report itself has. */
export function frozenCsv(frozen: FrozenReportRecord): string {
  const { columns, decimals } = freezable(frozen.report);
  const lines = [columns.join(',')];
  for (const row of frozen.rows) lines.push(columns.map((c) => csvCell(row[c], decimals)).join(','));
  return `${lines.join('\n')}\n`;
}

type Figures = Record<string, number>;

export interface ComparedRow {
  unit_code: string;
  unit_name: string;
  /** null: the row was not in the frozen report (or is not in today's). */
  frozen: Figures | null;
  today: Figures | null;
  /** today - frozen, per figure (a missing side counts as zero). */
  difference: Figures;
  /** The releases and hazards changed since the freeze that bear on this row, with their batch and submission. */
  changes: Omit<ChangeSinceFreeze, 'unit_code'>[];
}

export interface FrozenComparison {
  name: string;
  report: string;
  by: string;
  as_of: string;
  frozen_at: string;
  frozen_by: string;
  rows: ComparedRow[];
  total: { frozen: Figures; today: Figures; difference: Figures };
}

const cents = (m2: unknown): number => Math.round(Number(m2 ?? 0) * 100);

function figuresOf(row: Record<string, unknown> | undefined, figures: readonly string[]): Figures | null {
  if (!row) return null;
  return Object.fromEntries(figures.map((f) => [f, Number(row[f] ?? 0)]));
}

function differenceOf(today: Figures | null, frozen: Figures | null, figures: readonly string[]): Figures {
  return Object.fromEntries(figures.map((f) => [f, (cents(today?.[f]) - cents(frozen?.[f])) / 100]));
}

/**
 * Today's figures for the frozen report's date beside the frozen ones, row by row, with the difference per
 * figure and the records changed since the freeze that explain it (rows where nothing differs and nothing
 * changed are listed too, with no changes, so the comparison has every row).
 */
export async function compareFrozen(db: Database, name: string): Promise<FrozenComparison> {
  return db.transaction(async (tx) => {
    const frozen = await showFrozen(tx, name);
    const report = freezable(frozen.report);
    const today = await report.run(tx, frozen.by, frozen.as_of);
    const changes = await report.changesSince(tx, frozen.by, frozen.as_of, name);
    const frozenRows = new Map(frozen.rows.map((r) => [String(r.unit_code), r]));
    const todayRows = new Map(today.rows.map((r) => [r.unit_code, r]));
    const codes = [...new Set([...frozenRows.keys(), ...todayRows.keys()])].sort();
    const byRow = new Map<string, Omit<ChangeSinceFreeze, 'unit_code'>[]>();
    for (const { unit_code, ...change } of changes) byRow.set(unit_code, [...(byRow.get(unit_code) ?? []), change]);
    const rows = codes.map((code): ComparedRow => {
      const was = frozenRows.get(code);
      const now = todayRows.get(code);
      const frozenFigures = figuresOf(was, report.figures);
      const todayFigures = figuresOf(now, report.figures);
      return {
        unit_code: code,
        unit_name: String(now?.unit_name ?? was?.unit_name ?? code),
        frozen: frozenFigures,
        today: todayFigures,
        difference: differenceOf(todayFigures, frozenFigures, report.figures),
        changes: byRow.get(code) ?? [],
      };
    });
    const frozenTotal = figuresOf(frozen.total, report.figures)!;
    const todayTotal = figuresOf(today.total, report.figures)!;
    return {
      name: frozen.name, report: frozen.report, by: frozen.by, as_of: frozen.as_of, frozen_at: frozen.created_at, frozen_by: frozen.created_by,
      rows, total: { frozen: frozenTotal, today: todayTotal, difference: differenceOf(todayTotal, frozenTotal, report.figures) },
    };
  });
}

const describeChange = (c: Omit<ChangeSinceFreeze, 'unit_code'>): string =>
  `${c.record} ${c.ref} v${c.version} ${c.change}${c.batch_id !== null ? ` batch ${c.batch_id}` : ''}${c.submission_id !== null ? ` submission ${c.submission_id}` : ''}`;

/** One line per row: each figure frozen, today and the difference, then the changes that explain it. */
export function comparisonCsv(comparison: FrozenComparison): string {
  const { figures, decimals } = freezable(comparison.report);
  const header = ['unit_code', 'unit_name', ...figures.flatMap((f) => [`${f}_frozen`, `${f}_today`, `${f}_difference`]), 'changes'];
  const lines = [header.join(',')];
  for (const row of comparison.rows) {
    const cells = [row.unit_code, row.unit_name, ...figures.flatMap((f) => [row.frozen?.[f] ?? '', row.today?.[f] ?? '', row.difference[f] ?? 0]), row.changes.map(describeChange).join('; ')];
    lines.push(cells.map((cell) => csvCell(cell, decimals)).join(','));
  }
  return `${lines.join('\n')}\n`;
}
