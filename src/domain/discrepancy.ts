// The discrepancy report: an operator's own summary beside the official record, cell by cell (province,
// month, kind), with the records that explain each difference. The published recommendation it answers:
// eliminate persistent significant discrepancies between official and operator data.
//
// Sign convention: difference_m2 = operator_m2 - official_m2. Positive: the operator counts more than the
// official record; negative: the official record counts more than the operator. Each explanation's m2 is
// its signed share of the difference, and the explanations of a cell sum to its difference exactly: the
// figures are worked in whole cm2 (hundredths of m2) and `unexplained` takes whatever the records leave.
import type { ReleaseKind } from './exchange-format.ts';
import type { SummaryRow } from './operator-summary.ts';
import type { SubmissionState } from './submission-workflow.ts';

/** A difference smaller than this (m2) is agreement: survey precision and rounding in spreadsheets. */
export const AGREEMENT_M2 = 0.5;
/** Records listed per explanation; the rest are counted in `more`, and totals stay exact. */
export const LISTED_RECORDS = 50;

export const EXPLANATION_REASONS = [
  'not-counted',
  'submitted-not-approved',
  'returned',
  'rejected',
  'never-submitted',
  'official-only',
  'unexplained',
] as const;
export type ExplanationReason = (typeof EXPLANATION_REASONS)[number];

/** A land release of the official record, placed in its cell. */
export interface OfficialRelease {
  ref: string;
  /** The province of the release's hazard; null when the hazard lies in no province. */
  province_code: string | null;
  month: string;
  kind: ReleaseKind;
  /** The area as submitted. */
  area_m2: number;
  /** What the official record counts (inside its hazard, not counted before by an earlier release). */
  counted_m2: number;
  /** The submission it was approved from, if any. */
  submission_id: number | null;
}

/** A release item of one of the organisation's submissions not (yet) in the official record. */
export interface SubmittedItem {
  ref: string;
  province_code: string | null;
  month: string;
  kind: ReleaseKind;
  m2: number;
  submission_id: number;
  state: Exclude<SubmissionState, 'approved'>;
}

export interface ExplainingRecord {
  ref: string;
  /** The record's own m2 (never negative): its area, what is not counted of it, or what is counted. */
  m2: number;
  submission_id?: number;
  state?: SubmissionState;
}

export interface Explanation {
  reason: ExplanationReason;
  /** Its signed share of the difference. */
  m2: number;
  records: ExplainingRecord[];
  /** Records beyond those listed. */
  more: number;
}

export interface DiscrepancyRow {
  province_code: string;
  month: string;
  kind: ReleaseKind;
  operator_m2: number;
  official_m2: number;
  difference_m2: number;
  explanations: Explanation[];
}

export interface Comparison {
  period: { from: string; to: string };
  totals: { operator_m2: number; official_m2: number; difference_m2: number };
  rows: DiscrepancyRow[];
  /** Cells that agree within AGREEMENT_M2. */
  matching: number;
}

/** Where official releases of a hazard in no province go: the land release report's name for it. */
export const NO_PROVINCE = 'unassigned';

const REASON_OF_STATE: Record<SubmittedItem['state'], ExplanationReason> = {
  submitted: 'submitted-not-approved',
  returned: 'returned',
  rejected: 'rejected',
  draft: 'never-submitted',
};

const cents = (m2: number): number => Math.round(m2 * 100);
const sum = (values: number[]): number => values.reduce((total, v) => total + v, 0);
const m2 = (c: number): number => c / 100;
const keyOf = (cell: { province_code: string | null; month: string; kind: string }): string => `${cell.province_code ?? NO_PROVINCE}|${cell.month}|${cell.kind}`;

/** The summary's period: its first and last month. */
export function summaryPeriod(rows: SummaryRow[]): { from: string; to: string } {
  const months = rows.map((r) => r.month).sort();
  if (months.length === 0) throw new Error('an empty summary has no period');
  return { from: months[0]!, to: months[months.length - 1]! };
}

interface Cell {
  province_code: string;
  month: string;
  kind: ReleaseKind;
  operatorCents: number;
  official: OfficialRelease[];
  items: SubmittedItem[];
}

function explanation(reason: ExplanationReason, signedCents: number, records: ExplainingRecord[]): Explanation {
  const sorted = [...records].sort((a, b) => b.m2 - a.m2 || a.ref.localeCompare(b.ref));
  return { reason, m2: m2(signedCents), records: sorted.slice(0, LISTED_RECORDS), more: Math.max(sorted.length - LISTED_RECORDS, 0) };
}

/**
 * Explains one cell's difference (in cm2), in this order:
 * - records that make the operator's figure larger than the official one, listed in full: releases the
 *   official record counts only in part (outside their hazard, or overlapping an earlier release), and
 *   release items of the organisation's submissions not approved (submitted, returned, rejected, drafts).
 *   None when the operator's figure is 0: a summary that reports nothing holds none of them;
 * - official-only, when the official record counts more: at most everything it counts in the cell, with
 *   its releases, so the operator sees what the record holds that the summary lacks;
 * - unexplained: what remains, signed, so the explanations sum to the difference exactly.
 */
function explain(cell: Cell, officialCents: number, differenceCents: number): Explanation[] {
  const explanations: Explanation[] = [];
  let left = differenceCents;
  if (cell.operatorCents > 0) {
    // Totals are the records' m2 summed, then rounded once: like the cell's own figures.
    const partial = cell.official.filter((r) => cents(r.area_m2 - r.counted_m2) > 0);
    if (partial.length > 0) {
      const total = cents(sum(partial.map((r) => r.area_m2))) - cents(sum(partial.map((r) => r.counted_m2)));
      explanations.push(explanation('not-counted', total, partial.map((r) => ({ ref: r.ref, m2: m2(cents(r.area_m2 - r.counted_m2)), ...(r.submission_id !== null ? { submission_id: r.submission_id } : {}) }))));
      left -= total;
    }
    for (const state of ['submitted', 'returned', 'rejected', 'draft'] as const) {
      const items = cell.items.filter((i) => i.state === state);
      if (items.length === 0) continue;
      const total = cents(sum(items.map((i) => i.m2)));
      explanations.push(explanation(REASON_OF_STATE[state], total, items.map((i) => ({ ref: i.ref, m2: m2(cents(i.m2)), submission_id: i.submission_id, state: i.state }))));
      left -= total;
    }
  }
  if (differenceCents < 0 && left < 0 && officialCents > 0) {
    const share = Math.max(left, -officialCents);
    const counted = cell.official.filter((r) => cents(r.counted_m2) > 0);
    explanations.push(explanation('official-only', share, counted.map((r) => ({ ref: r.ref, m2: m2(cents(r.counted_m2)), ...(r.submission_id !== null ? { submission_id: r.submission_id } : {}) }))));
    left -= share;
  }
  if (left !== 0) explanations.push(explanation('unexplained', left, []));
  return explanations;
}

/**
 * Compares the summary with the official record over the summary's period: every cell of the summary,
 * and every cell of the official record in that period that the summary lacks. `official` and `items`
 * may hold records outside the period; they are left out.
 */
export function compareWithOfficialRecord(summary: SummaryRow[], official: OfficialRelease[], items: SubmittedItem[]): Comparison {
  const period = summaryPeriod(summary);
  const inPeriod = (month: string) => month >= period.from && month <= period.to;
  const cells = new Map<string, Cell>();
  const cellFor = (c: { province_code: string | null; month: string; kind: ReleaseKind }): Cell => {
    const key = keyOf(c);
    let cell = cells.get(key);
    if (!cell) {
      cell = { province_code: c.province_code ?? NO_PROVINCE, month: c.month, kind: c.kind, operatorCents: 0, official: [], items: [] };
      cells.set(key, cell);
    }
    return cell;
  };
  for (const row of summary) {
    const cell = cellFor(row);
    cell.operatorCents = cents(row.released_m2);
  }
  for (const release of official) if (inPeriod(release.month)) cellFor(release).official.push(release);
  // Items explain a cell that differs; they make no cell of their own.
  for (const item of items) cells.get(keyOf(item))?.items.push(item);

  let operatorTotal = 0;
  let officialTotal = 0;
  let matching = 0;
  const rows: DiscrepancyRow[] = [];
  for (const cell of cells.values()) {
    const officialCents = cents(sum(cell.official.map((r) => r.counted_m2)));
    const differenceCents = cell.operatorCents - officialCents;
    operatorTotal += cell.operatorCents;
    officialTotal += officialCents;
    if (Math.abs(differenceCents) < cents(AGREEMENT_M2)) {
      matching += 1;
      continue;
    }
    rows.push({
      province_code: cell.province_code, month: cell.month, kind: cell.kind,
      operator_m2: m2(cell.operatorCents), official_m2: m2(officialCents), difference_m2: m2(differenceCents),
      explanations: explain(cell, officialCents, differenceCents),
    });
  }
  rows.sort((a, b) => Math.abs(b.difference_m2) - Math.abs(a.difference_m2)
    || a.province_code.localeCompare(b.province_code) || a.month.localeCompare(b.month) || a.kind.localeCompare(b.kind));
  return {
    period,
    totals: { operator_m2: m2(operatorTotal), official_m2: m2(officialTotal), difference_m2: m2(operatorTotal - officialTotal) },
    rows,
    matching,
  };
}
