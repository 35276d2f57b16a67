// Who owns an official record (its operator) changes only by an explicit act of the authority, with a
// reason: never by a submission or an import (record-updates.ts refuses an update naming another operator).
// The act is one transaction: a new version of the record, and an audit event saying from whom to whom and why.
import type { Database } from '../db/engine.ts';
import { lockOfficialRecord, recordAuditEvent } from '../db/change-batch.ts';
import { lockRecordOwner, setRecordOwner, type RecordOwner } from '../db/record-owner.ts';
import { ClearwayError } from '../domain/problems.ts';
import { kindOf, type KindId } from '../kinds/registry.ts';

export type { RecordOwner };

/** The audit log's name of one record of each kind. */
const ENTITY: Record<KindId, string> = { hazards: 'hazard', releases: 'release', finds: 'find' };

export async function changeRecordOwner(db: Database, request: { kind: KindId; ref: string; operator: string; reason: string; actor: string }): Promise<RecordOwner & { previous: string | null }> {
  const { kind, ref } = request;
  const noun = kindOf(kind).noun.en;
  const operator = request.operator.trim().toUpperCase();
  const reason = request.reason.trim();
  if (reason.length === 0) throw new ClearwayError('field.required', `${noun} ${ref}: a change of owner needs a reason`, 400, { ref, field: 'reason' });
  return db.transaction(async (tx) => {
    // Like imports and approvals: an owner never changes while a change to the record is being applied.
    await lockOfficialRecord(tx);
    const known = await tx.query('select 1 from organisation where code = $1', [operator]);
    if (known.rows.length === 0) throw new ClearwayError('operator.unknown', `No organisation has the code ${operator}`, 400, { ref, field: 'operator' });
    const current = await lockRecordOwner(tx, kind, ref);
    if (!current) throw new ClearwayError('not-found', `No ${noun} has the ref ${ref}`, 404, { ref });
    if (current.retired) {
      throw new ClearwayError('record.retired', `${noun} ${ref} was combined into another one: change the owner of the one that replaced it`, 409, { ref, field: 'operator' });
    }
    if (current.operator === operator) throw new ClearwayError('owner.unchanged', `${noun} ${ref} already belongs to ${operator}`, 409, { ref, field: 'operator' });
    const changed = await setRecordOwner(tx, kind, current.id, { operator, reason, actor: request.actor });
    await recordAuditEvent(tx, {
      actor: request.actor, action: `${ENTITY[kind]}.owner`, entity: ENTITY[kind], entityRef: ref,
      details: { from: current.operator, to: operator, reason, version: changed.version },
    });
    return { ...changed, previous: current.operator };
  });
}
