// Submissions: a file is validated with the import's checks the moment it arrives, kept as a draft,
// submitted, and then approved (applied to the official record in one transaction), returned with
// reasons per item, or rejected. Nothing in a submission touches the official record before approval.
import type { Database, Queryable } from '../db/engine.ts';
import { lockOfficialRecord, recordAuditEvent } from '../db/change-batch.ts';
import { ClearwayError, type RecordProblem } from '../domain/problems.ts';
import { AUTHORITY_ROLES, OPERATOR_ROLES, type Principal, type Role } from '../domain/roles.ts';
import { recordNoun } from '../domain/exchange-format.ts';
import { EDITABLE_STATES, moveProblem, SUBMITTING_ROLES, TRANSITIONS, type SubmissionAction, type SubmissionState } from '../domain/submission-workflow.ts';
import { importRecords, ImportRefused, importWithin, type ImportKind } from './import-records.ts';
import { placeOf, refOf, type FormatId, type RawRecord } from '../formats/records.ts';
import { decideItems, type Reconciliation } from '../domain/reconciliation.ts';
import { todayInCambodia } from './open.ts';
import { basisOf, itemRefs, readItemsOffThread } from './submission-items.ts';
import { checkTargets } from './reconciliation-targets.ts';

export interface Upload {
  kind: ImportKind;
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
  kind: ImportKind;
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
  if (OPERATOR_ROLES.includes(principal.role)) return { sql: 's.organisation_code = $1', params: [principal.organisation] };
  if (AUTHORITY_ROLES.includes(principal.role)) return { sql: `(s.state <> 'draft' or s.organisation_code = $1)`, params: [principal.organisation] };
  throw new ClearwayError('auth.forbidden', `A ${principal.role} does not see submissions`, 403);
}

/**
 * The import's checks, run without storing, with every item whose ref is in the official record taken as
 * an update of it (the default reconciliation): the report says so in a note, and the versions it was
 * checked against become the submission's basis.
 */
async function validate(db: Database, upload: Upload, principal: Principal): Promise<{ validation: Validation; format: string; basis: Record<string, number> }> {
  const actor = principal.username;
  const records = await readItemsOffThread({ file_name: upload.fileName, format: upload.format ?? '', content: upload.text });
  const { basis, owners } = await basisOf(db, upload.kind, records);
  const items = itemRefs(records);
  const reconciliation = decideItems(items, basis, {});
  const read = records.length > 0 ? records : undefined;
  const report = await importRecords(db, { ...upload, dryRun: true, actor, today: todayInCambodia(), reconciliation, read });
  const { records: count, accepted } = report;
  let { errorCount } = report;
  const errors = [...report.errors, ...otherOrganisations(principal, upload.kind, records, owners)];
  errorCount += errors.length - report.errors.length;
  const updates: RecordProblem[] = items.flatMap((item) => {
    const version = item.ref === null ? undefined : basis[item.ref];
    if (version === undefined) return [];
    return [{
      severity: 'note' as const, code: 'record.updates' as const, ref: item.ref!, ...placeOf(records[item.idx]!), field: 'ref',
      reason: `updates ${recordNoun(upload.kind)} ${item.ref} of the official record (version ${version})`,
    }];
  });
  const notes = [...updates, ...report.notes];
  return { validation: { records: count, accepted, errorCount, errors, notes }, format: report.format ?? upload.format ?? 'unknown', basis };
}

/**
 * An operator submits its own organisation's work: an item naming another operator, or updating (by its
 * ref) a record of another organisation, is an error. The authority's officers submit for anyone: curating
 * every organisation's records is their job.
 */
function otherOrganisations(principal: Principal, kind: ImportKind, records: RawRecord[], owners: Record<string, string | null>): RecordProblem[] {
  if (!OPERATOR_ROLES.includes(principal.role)) return [];
  return records.flatMap((record) => {
    const problems: RecordProblem[] = [];
    const place = placeOf(record);
    const ref = refOf(record) ?? undefined;
    const operator = typeof record.properties.operator === 'string' ? record.properties.operator.trim().toUpperCase() : '';
    if (operator !== '' && operator !== principal.organisation) {
      problems.push({ severity: 'error', code: 'operator.other-organisation', ref, ...place, field: 'operator', reason: `${principal.organisation} submits its own work, not ${operator}'s` });
    }
    const owner = ref === undefined ? null : (owners[ref] ?? null);
    if (owner !== null && owner !== principal.organisation) {
      problems.push({
        severity: 'error', code: 'operator.other-organisation', ref, ...place, field: 'ref',
        reason: `${recordNoun(kind)} ${ref} of the official record is ${owner}'s: give your record a ref of its own, or ask the authority to reconcile it`,
      });
    }
    return problems;
  });
}

function requireRole(principal: Principal, roles: readonly Role[]): void {
  if (!roles.includes(principal.role)) throw new ClearwayError('auth.forbidden', `A ${principal.role} may not do this; it needs one of: ${roles.join(', ')}`, 403);
}

export async function createSubmission(db: Database, principal: Principal, upload: Upload): Promise<Submission> {
  requireRole(principal, SUBMITTING_ROLES);
  const { validation, format, basis } = await validate(db, upload, principal);
  const id = await db.transaction(async (tx) => {
    const inserted = await tx.query<{ id: number }>(
      `insert into submission (organisation_code, kind, file_name, format, content, validation, created_by, content_by, basis)
       values ($1, $2, $3, $4, $5, $6::jsonb, $7, $7, $8::jsonb) returning id`,
      [principal.organisation, upload.kind, upload.fileName, format, upload.text, JSON.stringify(validation), principal.userId, JSON.stringify(basis)],
    );
    const newId = inserted.rows[0]!.id;
    await recordAuditEvent(tx, { actor: principal.username, action: 'submission.create', entity: 'submission', entityRef: String(newId), details: { file: upload.fileName, errors: validation.errorCount } });
    return newId;
  });
  return getSubmission(db, principal, id);
}

export async function listSubmissions(db: Queryable, principal: Principal, state?: SubmissionState): Promise<Submission[]> {
  const seen = visibility(principal);
  const params = [...seen.params, state ?? null];
  const result = await db.query<Submission>(`${SELECT} where ${seen.sql} and ($${params.length}::text is null or s.state = $${params.length}) order by s.id desc`, params);
  return result.rows;
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
  requireRole(principal, SUBMITTING_ROLES);
  const current = await getSubmission(db, principal, id);
  if (current.organisation !== principal.organisation) throw new ClearwayError('auth.forbidden', 'Only the organisation that prepared a submission may change it', 403);
  if (!EDITABLE_STATES.includes(current.state)) throw new ClearwayError('workflow.transition', `A submission in state ${current.state} can no longer be changed`, 409);
  const { validation, format, basis } = await validate(db, { ...upload, kind: current.kind }, principal);
  await db.transaction(async (tx) => {
    // Checked again as it is written: the submission may have been submitted or decided while the new file
    // was being validated, and a decided submission's file is never replaced. A new file has new items, so
    // the reviewer's earlier reconciliation no longer applies.
    const replaced = await tx.query(
      `update submission set file_name = $2, format = $3, content = $4, validation = $5::jsonb, state = 'draft', content_by = $6,
              basis = $9::jsonb, reconciliation = '{}'::jsonb, updated_at = now()
       where id = $1 and organisation_code = $7 and state = any($8::text[])`,
      [id, upload.fileName, format, upload.text, JSON.stringify(validation), principal.userId, principal.organisation, [...EDITABLE_STATES], JSON.stringify(basis)],
    );
    if (replaced.rowCount === 0) throw new ClearwayError('workflow.transition', `Submission ${id} changed state while the new file was being checked; it can no longer be changed`, 409);
    await recordAuditEvent(tx, { actor: principal.username, action: 'submission.replace-file', entity: 'submission', entityRef: String(id), details: { file: upload.fileName, errors: validation.errorCount } });
  });
  return getSubmission(db, principal, id);
}

export interface Locked {
  state: SubmissionState;
  organisation_code: string;
  submitted_by: number | null;
  content_by: number;
  kind: ImportKind;
  file_name: string;
  format: string;
  content: string;
  error_count: number;
  basis: Record<string, number>;
  reconciliation: Record<string, Reconciliation>;
}

/** Checks the move against the workflow's table, locking the submission so two decisions cannot race. */
export async function lockForMove(tx: Queryable, principal: Principal, id: number, action: SubmissionAction): Promise<Locked> {
  const transition = TRANSITIONS[action];
  requireRole(principal, transition.roles);
  const seen = visibility(principal);
  const params = [...seen.params, id];
  const result = await tx.query<Locked>(
    `select s.state, s.organisation_code, s.submitted_by, s.content_by, s.kind, s.file_name, s.format, s.content,
            (s.validation ->> 'errorCount')::int as error_count, s.basis, s.reconciliation
     from submission s where ${seen.sql} and s.id = $${params.length} for update`,
    params,
  );
  const locked = result.rows[0];
  if (!locked) throw new ClearwayError('not-found', `No submission ${id} that you may see`, 404, { id });
  const problem = moveProblem(action, locked.state);
  if (problem) throw new ClearwayError('workflow.transition', problem, 409, { state: locked.state });
  if (action === 'submit' && locked.organisation_code !== principal.organisation) {
    throw new ClearwayError('auth.forbidden', 'Only the organisation that prepared a submission may submit it', 403);
  }
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
      const records = await readItemsOffThread(locked);
      const items = itemRefs(records);
      const decided = decideItems(items, locked.basis, locked.reconciliation);
      await checkTargets(tx, locked.kind, items, decided);
      const report = await importWithin(tx, {
        kind: locked.kind, fileName: locked.file_name, text: locked.content, format: locked.format as FormatId,
        actor: principal.username, today: todayInCambodia(), submissionId: id, reconciliation: decided,
        read: records.length > 0 ? records : undefined,
      });
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
