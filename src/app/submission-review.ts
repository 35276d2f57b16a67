// The review page's data: each item of a submission beside what it would change in the official record
// (the same ref: an update; overlapping hazards: candidates to reconcile with, with the overlap in m2).
import { KIND_IDS, kindOf, type KindId } from '../kinds/registry.ts';
import type { Database } from '../db/engine.ts';
import { officialCounterparts, type OfficialCounterpart, type Overlap } from '../db/review.ts';
import { polygonToWkbHex } from '../db/wkb.ts';
import { checkPolygonGeometry } from '../domain/geometry-checks.ts';
import type { RecordProblem } from '../domain/problems.ts';
import { itemChanges, type FieldChange } from '../domain/item-changes.ts';
import type { DecidedItem, Reconciliation } from '../domain/reconciliation.ts';
import type { Principal } from '../domain/roles.ts';
import { placeOf, type RawRecord } from '../formats/records.ts';
import { countItems, decideSubmissionItems, loadItems, type SubmissionKind } from './submission-items.ts';
import { getSubmission } from './submissions.ts';

export interface ReviewItem {
  item: number;
  /** The item's kind (in a mixed submission each item says its own). */
  kind: KindId;
  feature?: number;
  line?: number;
  ref: string | null;
  /**
   * How the item meets the official record: by default an update of the record with its ref (at the
   * version the file was prepared against), else new; or the reviewer's choice.
   */
  reconciliation: DecidedItem;
  after: { properties: Record<string, unknown>; geometry: unknown };
  before: OfficialCounterpart | null;
  /**
   * Against `before` (the record with the item's ref): the fields the item changes, an explicit null (which
   * clears the field) included; and the fields it leaves out, which keep their values. Empty for a new record.
   */
  changes: FieldChange[];
  kept: string[];
  overlaps: Overlap[];
  problems: RecordProblem[];
}

export interface SubmissionReview {
  id: number;
  kind: SubmissionKind;
  total: number;
  limit: number;
  offset: number;
  items: ReviewItem[];
}

function samePlace(problem: RecordProblem, record: RawRecord): boolean {
  return (record.feature !== undefined && problem.feature === record.feature) || (record.line !== undefined && problem.line === record.line);
}

export async function reviewSubmission(db: Database, principal: Principal, id: number, page: { limit: number; offset: number }): Promise<SubmissionReview> {
  const submission = await getSubmission(db, principal, id);
  // Read with the same visibility as the submission itself (getSubmission has just checked it).
  const stored = await db.query<{ basis: Record<string, number>; reconciliation: Record<string, Reconciliation> }>(
    'select basis, reconciliation from submission where id = $1',
    [id],
  );
  const { basis, reconciliation } = stored.rows[0]!;
  const pageItems = await loadItems(db, submission, page);
  const total = await countItems(db, id);
  const decided = decideSubmissionItems(pageItems, basis, reconciliation, submission.kind);
  const existing = new Map<number, OfficialCounterpart>();
  const overlaps = new Map<number, Overlap[]>();
  for (const kind of KIND_IDS) {
    const group = pageItems.filter((item) => item.kind === kind);
    if (group.length === 0) continue;
    // Overlaps are for polygons; a point item is compared with the record of its ref only.
    const inputs = group.map((item) => {
      const check = kindOf(kind).geometry === 'polygon' ? checkPolygonGeometry(item.record.geometry) : null;
      return { idx: item.idx, ref: item.ref, wkb: check?.ok ? polygonToWkbHex(check.geometry) : null };
    });
    const found = await db.transaction((tx) => officialCounterparts(tx, kind, inputs));
    for (const [idx, counterpart] of found.existing) existing.set(idx, counterpart);
    for (const [idx, list] of found.overlaps) overlaps.set(idx, list);
  }
  const problems = [...submission.validation.errors, ...submission.validation.notes];
  const items = pageItems.map((item): ReviewItem => {
    const before = existing.get(item.idx) ?? null;
    const fields = kindOf(item.kind).fields.map((f) => f.name);
    // A kind read generically (review.ts) shows its stored columns: its operator is operator_code there.
    const stored = before?.attributes ?? {};
    const official = 'operator_code' in stored && !('operator' in stored) ? { ...stored, operator: stored.operator_code } : stored;
    const { changes, kept } = before ? itemChanges(fields, official, item.record.properties) : { changes: [], kept: [] };
    return {
      item: item.idx,
      kind: item.kind,
      ...placeOf(item.record),
      ref: item.ref,
      reconciliation: decided.get(item.idx)!,
      after: { properties: item.record.properties, geometry: item.record.geometry },
      before,
      changes,
      kept,
      overlaps: overlaps.get(item.idx) ?? [],
      problems: problems.filter((p) => samePlace(p, item.record)),
    };
  });
  return { id, kind: submission.kind, total, limit: page.limit, offset: page.offset, items };
}
