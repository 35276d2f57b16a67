// The items of a submission: read from the file once, when it is checked, and kept as rows
// (submission_item), so review, reconciliation and approval read rows instead of parsing the file again.
// Each item has a kind: the submission's, or (a mixed file) the record's own `record_kind`.
import { isKindId, KIND_IDS, type KindId } from '../kinds/registry.ts';
import type { Queryable } from '../db/engine.ts';
import type { PolygonMeasures } from './import-records.ts';
import { officialVersions } from '../db/reconciliation.ts';
import { ClearwayError, type RecordProblem } from '../domain/problems.ts';
import { decideItems, type DecidedItem, type ItemRef, type Reconciliation } from '../domain/reconciliation.ts';
import { readRecordsOffThread } from './read-off-thread.ts';
import { geometryText, received } from './record-polygon.ts';
import { placeOf, refOf, type FormatId, type RawRecord } from '../formats/records.ts';

/** What a submission declares it holds: one kind, or records that each say theirs. */
export type SubmissionKind = KindId | 'mixed';

export interface SubmissionItem {
  /** The record's place among the file's records (0-based), as review and return name it. */
  idx: number;
  kind: KindId;
  ref: string | null;
  record: RawRecord;
  /** What the check measured in the item's polygon, and against which reference data (docs/decisions/0018). */
  measures?: KeptMeasures | null;
}

/** A polygon's measures with the reference data version (reference_data) they were taken against. */
export type KeptMeasures = PolygonMeasures & { reference: number };

/** The file's records, read off the server's thread when large (read-off-thread.ts); an unreadable file has none (its validation report says why). */
export async function readItemsOffThread(file: { file_name: string; format: string; content: string }): Promise<RawRecord[]> {
  try {
    return await readRecordsOffThread(file.file_name, file.content, (file.format || undefined) as FormatId | undefined);
  } catch (error) {
    if (!(error instanceof ClearwayError)) throw error;
    return [];
  }
}

export function itemRefs(items: { idx: number; ref: string | null }[]): ItemRef[] {
  return items.map((item) => ({ idx: item.idx, ref: item.ref }));
}

/** How people write a kind in a `record_kind` column: hazard or hazards, release or land_release, find. */
const KIND_WORDS: Record<string, KindId> = {
  hazard: 'hazards', hazards: 'hazards', release: 'releases', releases: 'releases', land_release: 'releases',
  find: 'finds', finds: 'finds', eo_find: 'finds',
};

/**
 * The submission's items with their kinds. In a mixed submission a record without a known `record_kind`
 * is no item: it is a problem naming the record and the field.
 */
export function itemsOf(records: RawRecord[], declared: SubmissionKind): { items: SubmissionItem[]; problems: RecordProblem[] } {
  const items: SubmissionItem[] = [];
  const problems: RecordProblem[] = [];
  records.forEach((record, idx) => {
    const ref = refOf(record);
    const written = record.properties.record_kind;
    let kind: KindId | undefined = declared === 'mixed' ? undefined : declared;
    if (declared === 'mixed') kind = typeof written === 'string' ? KIND_WORDS[written.trim().toLowerCase()] : undefined;
    if (kind === undefined) {
      problems.push({
        severity: 'error', code: written === undefined || written === '' ? 'field.required' : 'record-kind.unknown', ...(ref ? { ref } : {}), ...placeOf(record),
        field: 'record_kind', reason: `${written === undefined || written === '' ? 'missing' : JSON.stringify(written)}: each record of a mixed submission says record_kind: hazard, release or find`,
      });
      return;
    }
    items.push({ idx, kind, ref, record });
  });
  return { items, problems };
}

/** Items per insert, and bytes of JSON per insert: a file of few, very large items is cut by size. */
const STORE_CHUNK = 2_000;
const STORE_BYTES = 8 * 1_048_576;

/** Gives the event loop a turn, so other requests are answered while a large file's items are written out. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Keeps the items as rows (a replaced file's rows go first: a draft's items are not the official record). */
export async function storeItems(tx: Queryable, submissionId: number, items: SubmissionItem[]): Promise<void> {
  await clearItems(tx, submissionId);
  await appendItems(tx, submissionId, items);
}

/** A replaced file's items go before the new file's are written. */
export async function clearItems(tx: Queryable, submissionId: number): Promise<void> {
  await tx.query('delete from submission_item where submission_id = $1', [submissionId]);
}

/** Writes these items as rows, with their measures when they have them, beside any already written. */
export async function appendItems(tx: Queryable, submissionId: number, items: SubmissionItem[]): Promise<void> {
  // Each item is written out as JSON on its own, a few at a time between turns of the event loop: one
  // JSON.stringify of 100 MB of items would hold the server's thread for half a second.
  let batch: string[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const json = `[${batch.join(',')}]`;
    batch = [];
    bytes = 0;
    // json, not jsonb, for the whole: the geometry column is json and is copied as text, its coordinates
    // never parsed into numerics (0015).
    await tx.query(
      `insert into submission_item (submission_id, idx, kind, ref, feature, line, properties, geometry, read_problems, measures)
       select $1, x.idx, x.kind, x.ref, x.feature, x.line, x.properties, x.geometry, x.read_problems, x.measures
       from json_to_recordset($2::json) as x(idx integer, kind text, ref text, feature integer, line integer,
         properties jsonb, geometry json, read_problems jsonb, measures json)`,
      [submissionId, json],
    );
  };
  for (const [n, item] of items.entries()) {
    // The geometry's text is written as it is: a record read off the thread has it, and its geometry need
    // not be parsed only to be written out again (record-polygon.ts).
    const fields = JSON.stringify({
      idx: item.idx, kind: item.kind, ref: item.ref, feature: item.record.feature ?? null, line: item.record.line ?? null,
      properties: item.record.properties, read_problems: item.record.problems, measures: item.measures ?? null,
    });
    const row = `${fields.slice(0, -1)},"geometry":${geometryText(item.record)}}`;
    batch.push(row);
    bytes += row.length;
    if (batch.length >= STORE_CHUNK || bytes >= STORE_BYTES) await flush();
    else if (n % 250 === 249) await yieldToEventLoop();
  }
  await flush();
}

interface ItemRow {
  idx: number;
  kind: KindId;
  ref: string | null;
  feature: number | null;
  line: number | null;
  properties: Record<string, unknown>;
  geometry: RawRecord['geometry'];
  read_problems: RecordProblem[];
  measures?: KeptMeasures | null;
}

const toItem = (row: ItemRow): SubmissionItem => ({
  idx: row.idx, kind: row.kind, ref: row.ref, ...(row.measures ? { measures: row.measures } : {}),
  record: {
    ...(row.feature !== null ? { feature: row.feature } : {}), ...(row.line !== null ? { line: row.line } : {}),
    properties: row.properties, geometry: row.geometry, problems: row.read_problems,
  },
});

/**
 * The stored items, in file order (a page of them when asked). A submission made before items were rows
 * has its file read once and its items stored.
 */
export async function loadItems(
  q: Queryable,
  submission: { id: number; kind: SubmissionKind; file_name: string; format: string },
  page?: { limit: number; offset: number },
): Promise<SubmissionItem[]> {
  await storeLegacyItems(q, submission);
  const paging = page ? 'limit $2 offset $3' : '';
  const params = page ? [submission.id, page.limit, page.offset] : [submission.id];
  const result = await q.query<ItemRow>(
    // A page is for people to read: the measures kept for the approval stay behind.
    `select idx, kind, ref, feature, line, properties, geometry, read_problems${page ? '' : ', measures'}
     from submission_item where submission_id = $1 order by idx ${paging}`,
    params,
  );
  return result.rows.map(toItem);
}

/**
 * The items of one kind, with their measures, in file order (as loadItems gives them). Each geometry comes
 * as text and is parsed when first asked for (record-polygon.ts): an approval does so chunk by chunk, while
 * the database works on the chunk before, instead of all at once before it starts.
 */
export async function loadItemsOfKind(q: Queryable, submissionId: number, kind: KindId): Promise<SubmissionItem[]> {
  const result = await q.query<Omit<ItemRow, 'geometry'> & { geometry: string }>(
    `select idx, kind, ref, feature, line, properties, geometry::text as geometry, read_problems, measures
     from submission_item where submission_id = $1 and kind = $2 order by idx`,
    [submissionId, kind],
  );
  return result.rows.map(({ geometry, ...row }) => {
    const { record: { geometry: _parsedLater, ...record }, ...item } = toItem({ ...row, geometry: null });
    return { ...item, record: received({ record, geometry }) };
  });
}

/** The items' kinds and refs only: what reconciliation needs, without their properties and geometry. */
export async function loadItemRefs(q: Queryable, submission: { id: number; kind: SubmissionKind; file_name: string; format: string }): Promise<{ idx: number; kind: KindId; ref: string | null }[]> {
  await storeLegacyItems(q, submission);
  return (await q.query<{ idx: number; kind: KindId; ref: string | null }>('select idx, kind, ref from submission_item where submission_id = $1 order by idx', [submission.id])).rows;
}

export async function countItems(q: Queryable, submissionId: number): Promise<number> {
  return (await q.query<{ n: number }>('select count(*)::int as n from submission_item where submission_id = $1', [submissionId])).rows[0]?.n ?? 0;
}

async function storeLegacyItems(q: Queryable, submission: { id: number; kind: SubmissionKind; file_name: string; format: string }): Promise<void> {
  if ((await countItems(q, submission.id)) > 0) return;
  const stored = await q.query<{ content: string }>('select content from submission where id = $1', [submission.id]);
  const content = stored.rows[0]?.content;
  if (!content) return;
  const { items } = itemsOf(await readItemsOffThread({ file_name: submission.file_name, format: submission.format, content }), submission.kind);
  if (items.length > 0) await storeItems(q, submission.id, items);
}

/** Basis keys name the kind (`hazards/HZ-1`); a submission made before them has bare refs of its one kind. */
export const basisKey = (kind: KindId, ref: string): string => `${kind}/${ref}`;

function basisFor(basis: Record<string, number>, kind: KindId, submissionKind: SubmissionKind): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, version] of Object.entries(basis)) {
    const slash = key.indexOf('/');
    if (slash === -1) {
      if (submissionKind === kind) out[key] = version;
    } else if (key.slice(0, slash) === kind) out[key.slice(slash + 1)] = version;
  }
  return out;
}

/** Every item's reconciliation: the reviewer's choice, else an update of the record its ref named when checked. */
export function decideSubmissionItems(
  items: { idx: number; kind: KindId; ref: string | null }[],
  basis: Record<string, number>,
  chosen: Record<string, Reconciliation>,
  submissionKind: SubmissionKind,
): Map<number, DecidedItem> {
  const decided = new Map<number, DecidedItem>();
  for (const kind of KIND_IDS) {
    const group = items.filter((item) => item.kind === kind);
    if (group.length === 0) continue;
    for (const [idx, decision] of decideItems(itemRefs(group), basisFor(basis, kind, submissionKind), chosen)) decided.set(idx, decision);
  }
  return decided;
}

/**
 * The version of each official record that has the ref of an item, as the record is now: what the file was
 * prepared against. Approval later refuses to update a record that has moved on since.
 */
export async function basisOf(db: Queryable, items: SubmissionItem[]): Promise<{ basis: Record<string, number>; owners: Map<string, string | null> }> {
  const basis: Record<string, number> = {};
  const owners = new Map<string, string | null>();
  for (const kind of KIND_IDS) {
    const refs = items.filter((item) => item.kind === kind && item.ref !== null).map((item) => item.ref!);
    if (refs.length === 0) continue;
    for (const version of (await officialVersions(db, kind, refs, { lock: false })).values()) {
      basis[basisKey(kind, version.ref)] = version.version;
      owners.set(basisKey(kind, version.ref), version.operator_code);
    }
  }
  return { basis, owners };
}

export const isSubmissionKind = (value: string): value is SubmissionKind => value === 'mixed' || isKindId(value);
