// The authority sets a hazard's status itself (e.g. reopened after a failed post-clearance inspection or
// new evidence, with a reason), and the status computed from the accounting never overwrites it.
import type { Database } from '../db/engine.ts';
import { lockOfficialRecord, recordAuditEvent } from '../db/change-batch.ts';
import { lockHazardStatus, returnStatusToAccounting, setAuthorityStatus, type HazardStatusRow } from '../db/hazard-status.ts';
import { AUTHORITY_SETTABLE_STATUSES, type AuthoritySettableStatus } from '../domain/hazard-status.ts';
import { ClearwayError } from '../domain/problems.ts';

export type { HazardStatusRow };

export async function setHazardStatus(db: Database, request: { ref: string; status: string; reason: string; actor: string }): Promise<HazardStatusRow> {
  if (!(AUTHORITY_SETTABLE_STATUSES as readonly string[]).includes(request.status)) {
    throw new ClearwayError('field.invalid', `status ${JSON.stringify(request.status)} is not one of ${AUTHORITY_SETTABLE_STATUSES.join(', ')}`, 400, { ref: request.ref, field: 'status' });
  }
  const reason = request.reason.trim();
  if (reason.length === 0) throw new ClearwayError('field.required', `hazard ${request.ref}: a status set by the authority needs a reason`, 400, { ref: request.ref, field: 'reason' });
  const status = request.status as AuthoritySettableStatus;
  return db.transaction(async (tx) => {
    // Like imports and approvals: the status and the accounting never change at the same moment.
    await lockOfficialRecord(tx);
    const hazard = await lockHazardStatus(tx, request.ref);
    if (!hazard) throw new ClearwayError('not-found', `No hazard has the ref ${request.ref}`, 404, { ref: request.ref });
    if (hazard.status === 'combined') {
      throw new ClearwayError('hazard.status-not-settable', `hazard ${request.ref} was combined into another one: set the status of the hazard that replaced it`, 409, { ref: request.ref, field: 'status' });
    }
    const changed = status === 'computed'
      ? await returnStatusToAccounting(tx, hazard.id, { reason, actor: request.actor })
      : await setAuthorityStatus(tx, hazard.id, { status, reason, actor: request.actor });
    await recordAuditEvent(tx, {
      actor: request.actor, action: 'hazard.status', entity: 'hazard', entityRef: request.ref,
      details: { from: hazard.status, to: changed.status, source: changed.status_source, reason, version: changed.version },
    });
    return changed;
  });
}
