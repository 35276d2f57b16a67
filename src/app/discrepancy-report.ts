// The discrepancy report (issue 4, point 7): an operator's own monthly summary compared with the official
// record, each difference with the records that explain it. Operators compare their own organisation only;
// the authority names the organisation it compares. Every comparison is logged (report.discrepancy).
import type { Database } from '../db/engine.ts';
import { recordAuditEvent } from '../db/change-batch.ts';
import * as queries from '../db/discrepancy.ts';
import { polygonToWkbHex } from '../db/wkb.ts';
import { compareWithOfficialRecord, summaryPeriod, type Comparison, type DiscrepancyRow, type SubmittedItem } from '../domain/discrepancy.ts';
import { isoDateSchema, RELEASE_KINDS, type ReleaseKind } from '../domain/exchange-format.ts';
import { checkPolygonGeometry } from '../domain/geometry-checks.ts';
import { checkSummaryHeaders, normaliseHeader, parseSummaryRows, type RawSummaryRow, type SummaryRow } from '../domain/operator-summary.ts';
import { ClearwayError, type RecordProblem } from '../domain/problems.ts';
import type { Principal } from '../domain/roles.ts';
import { requireAccess, scopeOf } from '../domain/access-policy.ts';
import { refOf } from '../formats/records.ts';
import { readSummaryTable, type SummaryFile } from '../formats/summary-table.ts';
import { loadItems, type SubmissionKind } from './submission-items.ts';

export type { SummaryFile };

/** Donors see published figures, not an operator's working data. */

/** Past this many errors the report stops listing them, as imports do. */
const MAX_LISTED_ERRORS = 1_000;

export type SummaryInput = { file: SummaryFile } | { rows: Record<string, unknown>[] };

export interface DiscrepancyReportRow extends DiscrepancyRow {
  province_name_en: string | null;
  province_name_km: string | null;
}

export interface DiscrepancyReport extends Omit<Comparison, 'rows'> {
  organisation: string;
  rows: DiscrepancyReportRow[];
}

/**
 * Whose summary a principal may compare: an operator only its own organisation's (asking for another is
 * refused before anything is read); the authority must say which organisation.
 */
export function organisationToCompare(principal: Principal, asked: string | undefined): string {
  const scope = scopeOf(principal, 'discrepancy');
  if (scope === 'own') {
    const organisation = asked ?? principal.organisation;
    requireAccess(principal, 'discrepancy', { organisation });
    return organisation;
  }
  requireAccess(principal, 'discrepancy');
  if (asked === undefined) throw new ClearwayError('request.invalid', 'Say whose summary this is: ?organisation=CODE (e.g. HALO)', 400, { field: 'organisation' });
  return asked;
}

function refuse(problems: RecordProblem[]): never {
  throw new ClearwayError('summary.invalid', `The summary has ${problems.length} error(s); nothing was compared`, 422, {
    errorCount: problems.length,
    errors: problems.slice(0, MAX_LISTED_ERRORS),
  });
}

async function readSummary(input: SummaryInput, provinces: queries.ProvinceNames[]): Promise<{ rows: SummaryRow[]; source: string }> {
  let raw: RawSummaryRow[];
  let source: string;
  if ('file' in input) {
    const table = await readSummaryTable(input.file);
    const headerProblems = checkSummaryHeaders(table.headers, table.headerLine);
    if (headerProblems.length > 0) refuse(headerProblems);
    raw = table.rows;
    source = input.file.fileName ?? `upload.${table.format}`;
  } else {
    // JSON rows have no lines: a problem's line is the row's position in `rows`, from 1.
    raw = input.rows.map((row, i) => ({ line: i + 1, cells: Object.fromEntries(Object.entries(row).map(([k, v]) => [normaliseHeader(k), v])) }));
    source = 'json';
  }
  if (raw.length === 0) throw new ClearwayError('file.empty', 'The summary has a header but no rows', 422);
  const parsed = parseSummaryRows(raw, provinces);
  if (!parsed.ok) refuse(parsed.problems);
  return { rows: parsed.rows, source };
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/**
 * The release items of the organisation's submissions not approved, in the period, as the files hold
 * them. Items that cannot be placed in a cell (no kind, end date or readable polygon) are left out; an
 * item naming another operator is that operator's; a ref in several submissions is taken once, from the
 * most recent one; and an item whose ref the official record already holds is an update of a counted
 * release, not land the record lacks.
 */
async function submittedItems(db: Database, organisation: string, period: { from: string; to: string }, includeDrafts: boolean): Promise<SubmittedItem[]> {
  const candidates = new Map<string, { submission: queries.OpenSubmission; ref: string; hazard_ref: string; kind: ReleaseKind; month: string; wkb: string }>();
  for (const submission of await queries.unapprovedReleaseSubmissions(db, organisation)) {
    // An organisation's drafts are its own until submitted (as in the submissions' visibility).
    if (submission.state === 'draft' && !includeDrafts) continue;
    // A mixed submission's release items count too; its hazards and finds are not land released.
    const items = await loadItems(db, { ...submission, kind: submission.kind as SubmissionKind });
    for (const record of items.filter((item) => item.kind === 'releases').map((item) => item.record)) {
      const p = record.properties;
      const ref = refOf(record);
      const kind = text(p.kind)?.toLowerCase();
      const endDate = text(p.end_date);
      const operator = text(p.operator);
      if (!ref || !kind || !(RELEASE_KINDS as readonly string[]).includes(kind) || !endDate || !isoDateSchema.safeParse(endDate).success) continue;
      if (operator && operator.toUpperCase() !== organisation) continue;
      const month = endDate.slice(0, 7);
      if (month < period.from || month > period.to) continue;
      const check = checkPolygonGeometry(record.geometry);
      if (!check.ok) continue;
      candidates.set(ref, { submission, ref, hazard_ref: text(p.hazard_ref) ?? '', kind: kind as ReleaseKind, month, wkb: polygonToWkbHex(check.geometry) });
    }
  }
  const list = [...candidates.values()];
  const placed = await queries.placeItems(db, list.map((c, idx) => ({ idx, ref: c.ref, hazard_ref: c.hazard_ref, wkb: c.wkb })));
  return placed
    .filter((p) => !p.official)
    .map((p): SubmittedItem => {
      const c = list[p.idx]!;
      return { ref: c.ref, province_code: p.province_code, month: c.month, kind: c.kind, m2: p.m2, submission_id: c.submission.id, state: c.submission.state };
    });
}

export async function discrepancyReport(
  db: Database,
  request: { organisation: string; summary: SummaryInput; actor: string; /** The organisation's own people (and the CLI) see its drafts. */ includeDrafts: boolean },
): Promise<DiscrepancyReport> {
  const { organisation } = request;
  if (!(await queries.organisationExists(db, organisation))) {
    throw new ClearwayError('not-found', `No organisation has the code ${organisation}`, 404, { field: 'organisation' });
  }
  const provinces = await queries.provinces(db);
  const { rows: summary, source } = await readSummary(request.summary, provinces);
  const period = summaryPeriod(summary);
  const official = await queries.officialReleases(db, organisation, period.from, period.to);
  const items = await submittedItems(db, organisation, period, request.includeDrafts);
  const comparison = compareWithOfficialRecord(summary, official, items);
  const names = new Map(provinces.map((p) => [p.code, p]));
  const report: DiscrepancyReport = {
    organisation,
    period: comparison.period,
    totals: comparison.totals,
    rows: comparison.rows.map((row) => ({
      province_code: row.province_code,
      province_name_en: names.get(row.province_code)?.name_en ?? null,
      province_name_km: names.get(row.province_code)?.name_km ?? null,
      month: row.month, kind: row.kind, operator_m2: row.operator_m2, official_m2: row.official_m2, difference_m2: row.difference_m2,
      explanations: row.explanations,
    })),
    matching: comparison.matching,
  };
  await recordAuditEvent(db, {
    actor: request.actor, action: 'report.discrepancy', entity: 'organisation', entityRef: organisation,
    details: { period: report.period, source, summaryRows: summary.length, differing: report.rows.length, matching: report.matching, totals: report.totals },
  });
  return report;
}

export const DISCREPANCY_CSV_COLUMNS = [
  'province_code', 'province_name_en', 'month', 'kind', 'operator_m2', 'official_m2', 'difference_m2', 'reason', 'reason_m2', 'records', 'more_records',
] as const;

function csvCell(value: string | number | null): string {
  const cell = value === null ? '' : typeof value === 'number' ? value.toFixed(2) : value;
  return /[",\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** One line per differing cell and reason, for people who work in spreadsheets. */
export function discrepancyCsv(report: DiscrepancyReport): string {
  const lines = [DISCREPANCY_CSV_COLUMNS.join(',')];
  for (const row of report.rows) {
    for (const e of row.explanations) {
      const records = e.records
        .map((r) => `${r.ref} ${r.m2.toFixed(2)} m2${r.submission_id !== undefined ? ` (submission ${r.submission_id}${r.state ? `, ${r.state}` : ''})` : ''}`)
        .join('; ');
      lines.push([
        row.province_code, row.province_name_en, row.month, row.kind, row.operator_m2, row.official_m2, row.difference_m2,
        e.reason, e.m2, records, String(e.more),
      ].map(csvCell).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}
