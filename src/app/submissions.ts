// Submissions: a file is validated with the import's checks the moment it arrives, kept as a draft,
// submitted, and then approved (applied to the official record in one transaction), returned with
// reasons per item, or rejected. Nothing in a submission touches the official record before approval.
import type { Database, Queryable } from '../db/engine.ts';
import { lockOfficialRecord, recordAuditEvent } from '../db/change-batch.ts';
import { ClearwayError, type RecordProblem } from '../domain/problems.ts';
import type { Principal } from '../domain/roles.ts';
import { accessRefusal, can, requireAccess, scopeOf } from '../domain/access-policy.ts';
import { KIND_IDS, kindOf, type KindId } from '../kinds/registry.ts';
import { MAX_DRAFTS_PER_ORGANISATION, MAX_ITEMS_PER_SUBMISSION } from '../domain/limits.ts';
import { EDITABLE_STATES, moveProblem, TRANSITIONS, type SubmissionAction, type SubmissionState } from '../domain/submission-workflow.ts';
import { ImportRefused, type PolygonMeasures } from './import-records.ts';
import { polygonOf } from './record-polygon.ts';
import { placeOf, refOf, type FormatId, type RawRecord } from '../formats/records.ts';
import { decideItems, type Reconciliation } from '../domain/reconciliation.ts';
import { todayInCambodia } from './open.ts';
import { basisKey, basisOf, decideSubmissionItems, itemRefs, itemsOf, loadItemRefs, loadItemsOfKind, appendItems, clearItems, type KeptMeasures, type SubmissionItem, type SubmissionKind } from './submission-items.ts';
import { applyItems, capNotes, itemsAtHand, type AppliedKind, type ItemSource } from './submission-apply.ts';
import { readerFor } from '../formats/registry.ts';
import { readRecordsOffThread } from './read-off-thread.ts';
import { checkTargets } from './reconciliation-targets.ts';
import { storedReferenceVersion } from '../db/reference-data.ts';
import { measureReleaseShapes, type HazardShape, type ReleaseShape } from '../db/release-import.ts';

export interface Upload {
  kind: SubmissionKind;
  fileName: string;
  text: string;
  format?: FormatId;
}

export interface Validation {
  records: number;
  accepted: number;
  errorCount: number;
  errors: RecordProblem[];
  notes: RecordProblem[];
}

export interface Submission {
  id: number;
  organisation: string;
  kind: SubmissionKind;
  state: SubmissionState;
  file_name: string;
  format: string;
  validation: Validation;
  created_by: string;
  created_at: string;
  submitted_by: string | null;
  submitted_at: string | null;
  decided_by: string | null;
  decided_at: string | null;
  decision: unknown;
  batch_id: number | null;
}

const SELECT = `
  select s.id, s.organisation_code as organisation, s.kind, s.state, s.file_name, s.format, s.validation,
         c.username as created_by, s.created_at, sb.username as submitted_by, s.submitted_at,
         d.username as decided_by, s.decided_at, s.decision, s.batch_id
  from submission s
  join app_user c on c.id = s.created_by
  left join app_user sb on sb.id = s.submitted_by
  left join app_user d on d.id = s.decided_by`;

/**
 * What a principal may see: operators their own organisation's submissions; the authority every submitted
 * one and its own drafts; donors none. Others' submissions are "not found", so their existence does not leak.
 */
function visibility(principal: Principal): { sql: string; params: unknown[] } {
  const scope = scopeOf(principal, 'submissions');
  if (scope === 'own') return { sql: 's.organisation_code = $1', params: [principal.organisation] };
  // A draft is its preparers' until it is submitted, whoever else may see the submitted ones.
  if (scope === 'any') return { sql: `(s.state <> 'draft' or s.organisation_code = $1)`, params: [principal.organisation] };
  throw accessRefusal(principal, 'submissions');
}

/** The upload's records and format (a large file read off the server's thread); a file that cannot be read is one file-level problem. */
async function readUpload(upload: Upload): Promise<{ records: RawRecord[]; format: string; problem: RecordProblem | null }> {
  try {
    const reader = readerFor(upload.fileName, upload.format);
    const records = await readRecordsOffThread(upload.fileName, upload.text, reader.id);
    if (records.length === 0) return { records, format: reader.id, problem: { severity: 'error', code: 'file.empty', reason: 'The file holds no records' } };
    return { records, format: reader.id, problem: null };
  } catch (error) {
    if (!(error instanceof ClearwayError)) throw error;
    return { records: [], format: upload.format ?? 'unknown', problem: { severity: 'error', code: error.code, reason: error.message } };
  }
}

/** Past this many errors a validation stops listing them (the import's own limit). */
const MAX_LISTED_ERRORS = 1_000;

class CheckedOnly extends Error {
  constructor(readonly applied: AppliedKind[]) {
    super('checked, not stored');
  }
}

/** The upload's items, read once (off the thread when large); more than a submission takes is refused. */
async function readItems(upload: Upload): Promise<{ read: Awaited<ReturnType<typeof readUpload>>; items: SubmissionItem[]; kindProblems: RecordProblem[] }> {
  const read = await readUpload(upload);
  if (read.records.length > MAX_ITEMS_PER_SUBMISSION) {
    throw new ClearwayError('submission.too-many-items', `The file holds ${read.records.length.toLocaleString('en-US')} items; a submission takes at most ${MAX_ITEMS_PER_SUBMISSION.toLocaleString('en-US')}: split it`, 413, { items: read.records.length, limit: MAX_ITEMS_PER_SUBMISSION });
  }
  const { items, problems: kindProblems } = itemsOf(read.records, upload.kind);
  return { read, items, kindProblems };
}

interface Checked {
  validation: Validation;
  basis: Record<string, number>;
}

/**
 * What the check measures in the items' polygons, by item index, batch by batch as it measures them: the
 * write keeps them with the items while the check goes on (0018), instead of after its verdict.
 */
class MeasureFeed {
  private readonly waiting: Map<number, KeptMeasures>[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  push(batch: Map<number, KeptMeasures>): void {
    this.waiting.push(batch);
    this.wake?.();
  }

  /** No batch follows (the check is done, or failed). */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *batches(): AsyncGenerator<Map<number, KeptMeasures>> {
    for (;;) {
      const next = this.waiting.shift();
      if (next) yield next;
      else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** The check as the write sees it: the measures as they come, then the verdict. */
interface Checking {
  measures: MeasureFeed;
  verdict: Promise<Checked>;
}

/**
 * Stores the items, each once, with its measures: a polygon as soon as the check has measured it, an item
 * the check never measures (a point) at once, and a polygon it did not measure (refused) once it is done.
 * On the server most items are so written while the check goes on (0022). Returns the check's verdict.
 */
async function storeChecked(tx: Queryable, submissionId: number, items: SubmissionItem[], checking: Checking): Promise<Checked> {
  await clearItems(tx, submissionId);
  // Only polygons are measured: the other items are written at once, not after the check.
  await appendItems(tx, submissionId, items.filter((item) => kindOf(item.kind).geometry !== 'polygon'));
  const waiting = new Map(items.filter((item) => kindOf(item.kind).geometry === 'polygon').map((item) => [item.idx, item]));
  for await (const batch of checking.measures.batches()) {
    const measured: SubmissionItem[] = [];
    for (const [idx, measures] of batch) {
      const item = waiting.get(idx);
      if (!item) continue;
      waiting.delete(idx);
      measured.push({ ...item, measures });
    }
    await appendItems(tx, submissionId, measured);
  }
  await appendItems(tx, submissionId, [...waiting.values()]);
  return checking.verdict;
}

/**
 * The import's checks on every item, in the kinds' order, in a transaction that is rolled back: an item may
 * name another of the same submission. Every item whose ref is in the official record is taken as an
 * update of it (the default reconciliation): a note says so, and the versions it was checked against
 * become the submission's basis.
 */
async function check(db: Database, upload: Upload, principal: Principal, { read, items, kindProblems }: Awaited<ReturnType<typeof readItems>>, feed: MeasureFeed, alone: () => void = () => undefined): Promise<Checked> {
  try {
    return await checkItems(db, upload, principal, { read, items, kindProblems }, feed, alone);
  } finally {
    feed.end();
    alone();
  }
}

/**
 * `alone` is told once the check holds its transaction and uses no other connection: its first kind is done
 * (checked on a side connection too) and the releases' own measures are taken (checkAndWrite).
 */
async function checkItems(db: Database, upload: Upload, principal: Principal, { read, items, kindProblems }: Awaited<ReturnType<typeof readItems>>, feed: MeasureFeed, alone: () => void): Promise<Checked> {
  const { basis, owners } = await basisOf(db, items);
  const decided = decideSubmissionItems(items, basis, {}, upload.kind);
  // The polygons are measured once, here: kept with the items for the approval (0018).
  const reference = await storedReferenceVersion(db);
  const keepMeasures = (taken: Map<number, PolygonMeasures>) => {
    feed.push(new Map([...taken].map(([idx, measured]) => [idx, { ...measured, reference }])));
  };
  let applied: AppliedKind[] = [];
  if (items.length > 0) {
    try {
      await db.transaction(async (tx) => {
        const side = db.readOnlyConnection ? await db.readOnlyConnection() : null;
        // On the server, the releases' own measures are taken on a second connection while the hazards are
        // checked and written: they need no hazard, and the core would otherwise wait.
        const releaseSide = side && db.readOnlyConnection ? await db.readOnlyConnection() : null;
        const shapes = releaseSide ? releaseShapes(items) : undefined;
        const releases = releaseSide && shapes ? measureReleaseShapes(releaseSide, shapes.releases, shapes.hazards).then((taken) => {
          const measured = new Map([...taken].map(([idx, release]) => [idx, { release }] as const));
          keepMeasures(measured);
          return measured;
        }) : undefined;
        // Without side connections (embedded) the write comes after the check anyway. A check of one kind
        // uses its side connections to its end: its write does not wait for them (a 100 MB file of hazards
        // would then be written only after it was checked).
        if (!side || new Set(items.map((item) => item.kind)).size === 1) alone();
        try {
          const options = {
            actor: principal.username, today: todayInCambodia(), fileName: upload.fileName, format: read.format as FormatId, decided,
            defaultOperator: principal.organisation, checkOnly: true, keepMeasures, keptMeasures: { releases },
            // The side connection is done with; the releases' own measures may still be being taken.
            firstKindDone: () => void (releases ?? Promise.resolve()).then(alone, alone),
          };
          throw new CheckedOnly(await applyItems(tx, itemsAtHand(items), side ? { ...options, firstChecker: { q: side, pipelined: true } } : options));
        } finally {
          // Its statement is awaited before the connection goes back (applyItems may have stopped early).
          await releases?.catch(() => undefined);
          releaseSide?.release();
          side?.release();
        }
      });
    } catch (error) {
      if (!(error instanceof CheckedOnly)) throw error;
      applied = error.applied;
    }
  }
  const fileErrors = [...(read.problem ? [read.problem] : []), ...kindProblems, ...otherOrganisations(principal, items, owners)];
  const errors = [...fileErrors, ...applied.flatMap((a) => a.report.errors)].slice(0, MAX_LISTED_ERRORS);
  const errorCount = fileErrors.length + applied.reduce((n, a) => n + a.report.errorCount, 0);
  const updates: RecordProblem[] = items.flatMap((item) => {
    const version = item.ref === null ? undefined : basis[basisKey(item.kind, item.ref)];
    if (version === undefined) return [];
    return [{
      severity: 'note' as const, code: 'record.updates' as const, ref: item.ref!, ...placeOf(item.record), field: 'ref',
      reason: `updates ${kindOf(item.kind).noun.en} ${item.ref} of the official record (version ${version})`,
    }];
  });
  const notes = capNotes([...updates, ...applied.flatMap((a) => a.report.notes)]);
  const accepted = errorCount === 0 ? applied.reduce((n, a) => n + a.report.accepted, 0) : 0;
  return { validation: { records: read.records.length, accepted, errorCount, errors, notes }, basis };
}

/**
 * Each release item's polygon as WKB, for measureReleaseShapes (items the import will refuse are left out),
 * with the ref of the hazard it names when the submission brings a hazard of that ref, and those hazards'
 * polygons, each once.
 */
function releaseShapes(items: SubmissionItem[]): { releases: ReleaseShape[]; hazards: HazardShape[] } {
  const wkbOf = (item: SubmissionItem): string | undefined => {
    const polygon = polygonOf(item.record);
    return polygon.ok ? polygon.wkb : undefined;
  };
  const brought = new Map<string, string>();
  for (const item of items) {
    if (item.kind !== 'hazards' || item.ref === null || brought.has(item.ref)) continue;
    const wkb = wkbOf(item);
    if (wkb) brought.set(item.ref, wkb);
  }
  const named = new Set<string>();
  const releases = items.flatMap((item) => {
    if (item.kind !== 'releases') return [];
    const wkb = wkbOf(item);
    if (!wkb) return [];
    const hazardRef = typeof item.record.properties.hazard_ref === 'string' ? item.record.properties.hazard_ref.trim() : '';
    if (!brought.has(hazardRef)) return [{ idx: item.idx, wkb }];
    named.add(hazardRef);
    return [{ idx: item.idx, wkb, hazard_ref: hazardRef }];
  });
  return { releases, hazards: [...named].map((ref) => ({ ref, wkb: brought.get(ref)! })) };
}

/**
 * Checks the upload and writes it (`write`, in a transaction of its own that commits): on the server, the
 * file and its items are written on a connection of their own while the check runs on two others, and
 * `write` then waits for the check's verdict before its transaction ends (a check that fails rolls the
 * write back); the embedded engine has one connection, so there the check comes first. `write` stores the
 * items it is given and their measures, and meets the check's verdict, with storeChecked.
 */
async function checkAndWrite<T>(
  db: Database, upload: Upload, principal: Principal,
  write: (tx: Queryable, format: string, items: SubmissionItem[], checking: Checking) => Promise<T>,
): Promise<T> {
  const prepared = await readItems(upload);
  let alone!: () => void;
  const checkAlone = new Promise<void>((resolve) => (alone = resolve));
  const measures = new MeasureFeed();
  const checking = check(db, upload, principal, prepared, measures, alone);
  // Handled here so that a check failing while the write waits on a lock is never an unhandled rejection;
  // the write awaits `checking` itself and meets the failure there.
  let failed = false;
  const settled = checking.then(() => undefined, () => void (failed = true));
  try {
    // The write asks for its connection once the check holds its own (the check's transaction; its side
    // connections come from a pool of their own and are never waited for): a write waiting for its check
    // then never holds a connection the check needs, however many uploads arrive at once. It waits further,
    // until the check uses its transaction alone: before that the check keeps both cores of a small server
    // busy, and the write would only slow it (0022).
    await Promise.race([db.engine === 'server' ? checkAlone : settled, settled]);
    // A check that failed before the write began is the answer: nothing is written.
    if (failed) await checking;
    // PostgreSQL cannot store a NUL (a raw one in a CSV cell): such a file is never written, and the check,
    // which names each record and field holding one, is the answer.
    if (upload.text.includes('\u0000')) throw new UnstorableFile(await checking, prepared.read.format);
    return await db.transaction((tx) => write(tx, prepared.read.format, prepared.items, { measures, verdict: checking }));
  } finally {
    // A write refused before it awaited the check (too many drafts) still lets the check finish: no
    // statement of it is left running.
    await settled;
  }
}

/**
 * An operator submits its own organisation's work: an item naming another operator, or updating (by its
 * ref) a record of another organisation, is an error. The authority's officers submit for anyone: curating
 * every organisation's records is their job.
 */
function otherOrganisations(principal: Principal, items: SubmissionItem[], owners: Map<string, string | null>): RecordProblem[] {
  return items.flatMap(({ record, kind, ref: itemRef }) => {
    // The policy's submit scope: an operator's is its own organisation, the authority's officers' any.
    if (scopeOf(principal, 'submit', kind) === 'any') return [];
    const problems: RecordProblem[] = [];
    const place = placeOf(record);
    const ref = itemRef ?? undefined;
    const operator = typeof record.properties.operator === 'string' ? record.properties.operator.trim().toUpperCase() : '';
    if (operator !== '' && !can(principal, 'submit', { kind, organisation: operator })) {
      problems.push({ severity: 'error', code: 'operator.other-organisation', ref, ...place, field: 'operator', reason: `${principal.organisation} submits its own work, not ${operator}'s` });
    }
    const owner = ref === undefined ? null : (owners.get(basisKey(kind, ref)) ?? null);
    if (owner !== null && !can(principal, 'submit', { kind, organisation: owner })) {
      problems.push({
        severity: 'error', code: 'operator.other-organisation', ref, ...place, field: 'ref',
        reason: `${kindOf(kind).noun.en} ${ref} of the official record is ${owner}'s: give your record a ref of its own, or ask the authority to reconcile it`,
      });
    }
    return problems;
  });
}

/** Checked before the file is read, and again as the draft is written (two uploads at once). */
async function refuseBeyondDraftLimit(db: Queryable, organisation: string): Promise<void> {
  const drafts = await db.query<{ n: number }>(`select count(*)::int as n from submission where organisation_code = $1 and state = 'draft'`, [organisation]);
  const held = drafts.rows[0]?.n ?? 0;
  if (held >= MAX_DRAFTS_PER_ORGANISATION) {
    throw new ClearwayError('submission.too-many-drafts', `${organisation} holds ${held} drafts, the most Clearway keeps: submit or finish some first`, 422, { drafts: held, limit: MAX_DRAFTS_PER_ORGANISATION });
  }
}

export async function createSubmission(db: Database, principal: Principal, upload: Upload): Promise<Submission> {
  requireAccess(principal, 'prepare');
  await refuseBeyondDraftLimit(db, principal.organisation);
  const id = await checkAndWrite(db, upload, principal, async (tx, format, items, checking) => {
    // One organisation's uploads are written one at a time, so the limit holds for uploads sent at once.
    await tx.query('select pg_advisory_xact_lock(7263103, hashtext($1))', [principal.organisation]);
    await refuseBeyondDraftLimit(tx, principal.organisation);
    // Written with an empty validation, filled in below once the check is done, in the same transaction.
    const inserted = await tx.query<{ id: number }>(
      `insert into submission (organisation_code, kind, file_name, format, content, validation, created_by, content_by, basis)
       values ($1, $2, $3, $4, $5, '{}'::jsonb, $6, $6, '{}'::jsonb) returning id`,
      [principal.organisation, upload.kind, upload.fileName, format, upload.text, principal.userId],
    );
    const newId = inserted.rows[0]!.id;
    const { validation, basis } = await storeChecked(tx, newId, items, checking);
    await tx.query(`update submission set validation = $2::jsonb, basis = $3::jsonb where id = $1`, [newId, JSON.stringify(validation), JSON.stringify(basis)]);
    await recordAuditEvent(tx, { actor: principal.username, action: 'submission.create', entity: 'submission', entityRef: String(newId), details: { file: upload.fileName, errors: validation.errorCount } });
    return newId;
  }).catch(refuseUnstorable);
  return getSubmission(db, principal, id);
}

/**
 * An import sent over the API by the authority's data officer (issue 8, point 5): nobody changes the official
 * record alone, so the file becomes a submission, checked like any other and stored as submitted at once (the
 * officer has nothing to correct first), which another person reviews and approves (four eyes). A file with
 * errors is reported and kept nowhere, as the import always did. Returns the check and the submission.
 */
export async function submitImport(db: Database, principal: Principal, upload: Upload & { kind: KindId }): Promise<{ validation: Validation; format: string; submission: Submission | null }> {
  requireAccess(principal, 'import', { kind: upload.kind });
  try {
    const stored = await checkAndWrite(db, upload, principal, async (tx, format, items, checking) => {
      const inserted = await tx.query<{ id: number }>(
        `insert into submission (organisation_code, kind, state, file_name, format, content, validation, created_by, content_by, submitted_by, submitted_at, basis)
         values ($1, $2, 'submitted', $3, $4, $5, '{}'::jsonb, $6, $6, $6, now(), '{}'::jsonb) returning id`,
        [principal.organisation, upload.kind, upload.fileName, format, upload.text, principal.userId],
      );
      const newId = inserted.rows[0]!.id;
      const { validation, basis } = await storeChecked(tx, newId, items, checking);
      // A file with errors is kept nowhere: thrown, so the write is rolled back, and answered below.
      if (validation.errorCount > 0) throw new ImportWithErrors(validation, format);
      await tx.query(`update submission set validation = $2::jsonb, basis = $3::jsonb where id = $1`, [newId, JSON.stringify(validation), JSON.stringify(basis)]);
      const details = { file: upload.fileName, kind: upload.kind, items: items.length, via: 'api-import' };
      await recordAuditEvent(tx, { actor: principal.username, action: 'submission.create', entity: 'submission', entityRef: String(newId), details: { ...details, errors: 0 } });
      await recordAuditEvent(tx, { actor: principal.username, action: 'submission.submit', entity: 'submission', entityRef: String(newId), details });
      return { id: newId, format, validation };
    });
    return { validation: stored.validation, format: stored.format, submission: await getSubmission(db, principal, stored.id) };
  } catch (error) {
    if (error instanceof ImportWithErrors) return { validation: error.validation, format: error.format, submission: null };
    if (error instanceof UnstorableFile) return { validation: error.checked.validation, format: error.format, submission: null };
    throw error;
  }
}

/** A draft's file holding text PostgreSQL cannot store is refused, naming where (not kept as a draft). */
const refuseUnstorable = (error: unknown): never => {
  throw error instanceof UnstorableFile ? error.refusal() : error;
};

/** A file holding text PostgreSQL cannot store: not written; its check names where. */
class UnstorableFile extends Error {
  constructor(readonly checked: Checked, readonly format: string) {
    super('the file holds text PostgreSQL cannot store');
  }

  /** The refusal a person fixes: the first record and field holding such text, and how many there are. */
  refusal(): ClearwayError {
    const found = this.checked.validation.errors.filter((e) => e.code === 'text.unstorable');
    const first = found[0];
    const where = first ? `${first.ref ? `${first.ref}, ` : ''}${first.line !== undefined ? `line ${first.line}` : `feature ${first.feature}`}, field ${first.field}` : 'the file';
    return new ClearwayError('text.unstorable', `${where} holds a NUL byte (U+0000), which cannot be stored${found.length > 1 ? ` (and ${found.length - 1} more)` : ''}: nothing was kept`, 422,
      first ? { ref: first.ref, line: first.line, feature: first.feature, field: first.field } : {});
  }
}

/** An API import whose check found errors: its write is rolled back and the check is the answer. */
class ImportWithErrors extends Error {
  constructor(readonly validation: Validation, readonly format: string) {
    super('the import has errors');
  }
}

/** A page of the submissions the principal may see, newest first, and how many there are. */
export async function listSubmissions(db: Queryable, principal: Principal, state: SubmissionState | undefined, page: { limit: number; offset: number }): Promise<{ items: Submission[]; total: number }> {
  const seen = visibility(principal);
  const params = [...seen.params, state ?? null];
  const where = `${seen.sql} and ($${params.length}::text is null or s.state = $${params.length})`;
  const result = await db.query<Submission>(
    `${SELECT} where ${where} order by s.id desc limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, page.limit, page.offset],
  );
  const total = await db.query<{ total: number }>(`select count(*)::int as total from submission s where ${where}`, params);
  return { items: result.rows, total: total.rows[0]!.total };
}

export async function getSubmission(db: Queryable, principal: Principal, id: number): Promise<Submission> {
  const seen = visibility(principal);
  const params = [...seen.params, id];
  const result = await db.query<Submission>(`${SELECT} where ${seen.sql} and s.id = $${params.length}`, params);
  const row = result.rows[0];
  if (!row) throw new ClearwayError('not-found', `No submission ${id} that you may see`, 404, { id });
  return row;
}

/** The preparing organisation replaces the file of a draft or returned submission; it is validated again. */
export async function replaceSubmissionFile(db: Database, principal: Principal, id: number, upload: Upload): Promise<Submission> {
  requireAccess(principal, 'prepare');
  const current = await getSubmission(db, principal, id);
  // Only the organisation that prepared a submission may change it.
  requireAccess(principal, 'prepare', { organisation: current.organisation });
  if (!EDITABLE_STATES.includes(current.state)) throw new ClearwayError('workflow.transition', `A submission in state ${current.state} can no longer be changed`, 409);
  await checkAndWrite(db, { ...upload, kind: current.kind }, principal, async (tx, format, items, checking) => {
    // Checked again as it is written: the submission may have been submitted or decided while the new file
    // was being validated, and a decided submission's file is never replaced. A new file has new items, so
    // the reviewer's earlier reconciliation no longer applies.
    const replaced = await tx.query(
      `update submission set file_name = $2, format = $3, content = $4, validation = '{}'::jsonb, state = 'draft', content_by = $5,
              basis = '{}'::jsonb, reconciliation = '{}'::jsonb, updated_at = now()
       where id = $1 and organisation_code = $6 and state = any($7::text[])`,
      [id, upload.fileName, format, upload.text, principal.userId, principal.organisation, [...EDITABLE_STATES]],
    );
    if (replaced.rowCount === 0) throw new ClearwayError('workflow.transition', `Submission ${id} changed state while the new file was being checked; it can no longer be changed`, 409);
    const { validation, basis } = await storeChecked(tx, id, items, checking);
    await tx.query(`update submission set validation = $2::jsonb, basis = $3::jsonb where id = $1`, [id, JSON.stringify(validation), JSON.stringify(basis)]);
    await recordAuditEvent(tx, { actor: principal.username, action: 'submission.replace-file', entity: 'submission', entityRef: String(id), details: { file: upload.fileName, errors: validation.errorCount } });
  }).catch(refuseUnstorable);
  return getSubmission(db, principal, id);
}

export interface Locked {
  state: SubmissionState;
  organisation_code: string;
  submitted_by: number | null;
  content_by: number;
  kind: SubmissionKind;
  file_name: string;
  format: string;
  error_count: number;
  basis: Record<string, number>;
  reconciliation: Record<string, Reconciliation>;
}

/** Checks the move against the workflow's table, locking the submission so two decisions cannot race. */
export async function lockForMove(tx: Queryable, principal: Principal, id: number, action: SubmissionAction): Promise<Locked> {
  const transition = TRANSITIONS[action];
  requireAccess(principal, transition.action);
  const seen = visibility(principal);
  const params = [...seen.params, id];
  const result = await tx.query<Locked>(
    `select s.state, s.organisation_code, s.submitted_by, s.content_by, s.kind, s.file_name, s.format,
            (s.validation ->> 'errorCount')::int as error_count, s.basis, s.reconciliation
     from submission s where ${seen.sql} and s.id = $${params.length} for update`,
    params,
  );
  const locked = result.rows[0];
  if (!locked) throw new ClearwayError('not-found', `No submission ${id} that you may see`, 404, { id });
  const problem = moveProblem(action, locked.state);
  if (problem) throw new ClearwayError('workflow.transition', problem, 409, { state: locked.state });
  // Submitting is the preparing organisation's; a decision needs the approve rule of every kind it holds.
  if (transition.action === 'prepare') requireAccess(principal, 'prepare', { organisation: locked.organisation_code });
  else for (const kind of locked.kind === 'mixed' ? KIND_IDS : [locked.kind]) requireAccess(principal, transition.action, { kind, organisation: locked.organisation_code });
  if (transition.fourEyes && (locked.submitted_by === principal.userId || locked.content_by === principal.userId)) {
    throw new ClearwayError('workflow.four-eyes', 'Four eyes: whoever submitted or wrote the file cannot decide on the same submission', 403);
  }
  return locked;
}

async function finish(db: Database, principal: Principal, id: number, action: SubmissionAction, work: (tx: Queryable, locked: Locked) => Promise<Record<string, unknown>>): Promise<Submission> {
  await db.transaction(async (tx) => {
    const locked = await lockForMove(tx, principal, id, action);
    const details = await work(tx, locked);
    await recordAuditEvent(tx, { actor: principal.username, action: `submission.${action}`, entity: 'submission', entityRef: String(id), details });
  });
  return getSubmission(db, principal, id);
}

export async function submitSubmission(db: Database, principal: Principal, id: number): Promise<Submission> {
  return finish(db, principal, id, 'submit', async (tx, locked) => {
    if (locked.error_count > 0) {
      throw new ClearwayError('workflow.has-errors', `The submission has ${locked.error_count} validation error(s): correct the file first`, 422, { errors: locked.error_count });
    }
    // A resubmission starts a new review: the earlier decision's reasons stay readable in `decision` and the log.
    await tx.query(`update submission set state = 'submitted', submitted_by = $2, submitted_at = now(), decided_by = null, decided_at = null, updated_at = now() where id = $1`, [id, principal.userId]);
    return {};
  });
}

/**
 * Applies every item to the official record as new versions, as reconciled (new, update, combine), in one
 * transaction with the state change. If a record an item updates has moved on from the version the
 * submission or the reviewer saw, or another approval added an item's ref, the approval stops and names
 * the items in conflict; nothing is applied.
 */
export async function approveSubmission(db: Database, principal: Principal, id: number): Promise<Submission> {
  try {
    return await finish(db, principal, id, 'approve', async (tx, locked) => {
      // Before the targets' versions are checked, so that no other change lands between the check and the writes.
      await lockOfficialRecord(tx);
      const refs = await loadItemRefs(tx, { id, kind: locked.kind, file_name: locked.file_name, format: locked.format });
      const decided = decideSubmissionItems(refs, locked.basis, locked.reconciliation, locked.kind);
      for (const kind of KIND_IDS) {
        const group = refs.filter((item) => item.kind === kind);
        if (group.length > 0) await checkTargets(tx, kind, itemRefs(group), decided);
      }
      // Measures taken when the items were checked hold while the reference data is the same.
      const reference = await storedReferenceVersion(tx);
      const options = {
        actor: principal.username, today: todayInCambodia(), fileName: locked.file_name, format: locked.format as FormatId,
        submissionId: id, decided, defaultOperator: locked.organisation_code, measuredAgainst: reference,
      };
      const applied = await withItemsByKind(db, tx, id, refs, (items) => applyItems(tx, items, options));
      const refused = applied.find((a) => a.report.errorCount > 0);
      if (refused) throw new ImportRefused(refused.report);
      const report = { batchId: applied[0]?.report.batchId ?? null, accepted: applied.reduce((n, a) => n + a.report.accepted, 0) };
      await tx.query(
        `update submission set state = 'approved', decided_by = $2, decided_at = now(), batch_id = $3, updated_at = now() where id = $1`,
        [id, principal.userId, report.batchId],
      );
      const actions = { new: 0, update: 0, combine: 0 };
      for (const decision of decided.values()) actions[decision.action] += 1;
      return { batch: report.batchId, applied: report.accepted, ...actions };
    });
  } catch (error) {
    if (!(error instanceof ImportRefused)) throw error;
    const items = error.report.errors.map((e) => ({ ref: e.ref, feature: e.feature, line: e.line, code: e.code, reason: e.reason }));
    throw new ClearwayError('workflow.conflict', `Approval stopped: ${error.report.errorCount} item(s) conflict with the official record as it is now; nothing was applied`, 409, { conflicts: items });
  }
}

/**
 * The items of an approval, kind by kind: on the server the next kinds' items are read on a connection of
 * their own while the first kind is applied (items are written when checked, so committed; a submission
 * made before items were rows has them written by this transaction, and they are read in it).
 */
async function withItemsByKind<T>(db: Database, tx: Queryable, id: number, refs: { idx: number; kind: KindId; ref: string | null }[], work: (items: ItemSource) => Promise<T>): Promise<T> {
  const kinds = KIND_IDS.filter((kind) => refs.some((item) => item.kind === kind));
  const counted = (kind: KindId) => refs.filter((item) => item.kind === kind).length;
  // A connection that cannot be had (the pool busy, the server full) only means reading on the transaction.
  const side = kinds.length > 1 && db.readOnlyConnection ? await db.readOnlyConnection().catch(() => null) : null;
  const ahead = new Map<KindId, Promise<SubmissionItem[]>>();
  let reading: Promise<unknown> = Promise.resolve();
  if (side) {
    for (const kind of kinds.slice(1)) {
      const read = reading.then(() => loadItemsOfKind(side, id, kind));
      reading = read.catch(() => undefined);
      ahead.set(kind, read);
    }
    // Back to the pool once the reads are done, not when the approval is: checks of other uploads use it.
    reading = reading.finally(() => side.release());
  }
  try {
    return await work({
      refs,
      async group(kind) {
        const early = await ahead.get(kind)?.catch(() => undefined);
        return early && early.length === counted(kind) ? early : loadItemsOfKind(tx, id, kind);
      },
    });
  } finally {
    await reading;
  }
}

export interface ItemReason {
  item: string;
  reason: string;
}

export async function returnSubmission(db: Database, principal: Principal, id: number, reasons: ItemReason[]): Promise<Submission> {
  if (reasons.length === 0) throw new ClearwayError('field.required', 'Say which items need correcting and why', 400, { field: 'reasons' });
  return finish(db, principal, id, 'return', async (tx) => {
    await tx.query(
      `update submission set state = 'returned', decided_by = $2, decided_at = now(), decision = $3::jsonb, updated_at = now() where id = $1`,
      [id, principal.userId, JSON.stringify({ reasons })],
    );
    return { reasons };
  });
}

export async function rejectSubmission(db: Database, principal: Principal, id: number, reason: string): Promise<Submission> {
  if (!reason.trim()) throw new ClearwayError('field.required', 'Say why the submission is rejected', 400, { field: 'reason' });
  return finish(db, principal, id, 'reject', async (tx) => {
    await tx.query(
      `update submission set state = 'rejected', decided_by = $2, decided_at = now(), decision = $3::jsonb, updated_at = now() where id = $1`,
      [id, principal.userId, JSON.stringify({ reason })],
    );
    return { reason };
  });
}
