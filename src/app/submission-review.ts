// The review page's data: each item of a submission beside what it would change in the official record
// (the same ref: an update; overlapping hazards: candidates to reconcile with, with the overlap in m2).
import type { Database } from '../db/engine.ts';
import { officialCounterparts, type OfficialCounterpart, type Overlap } from '../db/review.ts';
import { polygonToWkbHex } from '../db/wkb.ts';
import { checkPolygonGeometry } from '../domain/geometry-checks.ts';
import type { RecordProblem } from '../domain/problems.ts';
import { decideItems, type DecidedItem, type Reconciliation } from '../domain/reconciliation.ts';
import type { Principal } from '../domain/roles.ts';
import { placeOf, refOf, type RawRecord } from '../formats/records.ts';
import { itemRefs, readItemsOffThread } from './submission-items.ts';
import { getSubmission } from './submissions.ts';

export interface ReviewItem {
  item: number;
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
  overlaps: Overlap[];
  problems: RecordProblem[];
}

export interface SubmissionReview {
  id: number;
  kind: 'hazards' | 'releases';
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
  const stored = await db.query<{ content: string; basis: Record<string, number>; reconciliation: Record<string, Reconciliation> }>(
    'select content, basis, reconciliation from submission where id = $1',
    [id],
  );
  const { content, basis, reconciliation } = stored.rows[0]!;
  const records = await readItemsOffThread({ file_name: submission.file_name, format: submission.format, content });
  const decided = decideItems(itemRefs(records), basis, reconciliation);
  const pageRecords = records.slice(page.offset, page.offset + page.limit);
  const inputs = pageRecords.map((record, i) => {
    const check = checkPolygonGeometry(record.geometry);
    return { idx: page.offset + i, ref: refOf(record), wkb: check.ok ? polygonToWkbHex(check.geometry) : null };
  });
  const { existing, overlaps } = await db.transaction((tx) => officialCounterparts(tx, submission.kind, inputs));
  const problems = [...submission.validation.errors, ...submission.validation.notes];
  const items = pageRecords.map((record, i): ReviewItem => {
    const idx = page.offset + i;
    const before = existing.get(idx) ?? null;
    return {
      item: idx,
      ...placeOf(record),
      ref: inputs[i]!.ref,
      reconciliation: decided.get(idx)!,
      after: { properties: record.properties, geometry: record.geometry },
      before,
      overlaps: overlaps.get(idx) ?? [],
      problems: problems.filter((p) => samePlace(p, record)),
    };
  });
  return { id, kind: submission.kind, total: records.length, limit: page.limit, offset: page.offset, items };
}
