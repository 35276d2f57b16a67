// A status the authority sets on a hazard (e.g. reopened after a failed inspection, with a reason): a new
// version of the hazard that says who, when and why; the accounting keeps it (accounting.ts, updateStatuses).
import type { Queryable } from './engine.ts';
import { computedStatus } from './accounting.ts';

export interface HazardStatusRow {
  ref: string;
  version: number;
  status: string;
  status_source: 'computed' | 'authority';
  status_reason: string | null;
  status_set_by: string | null;
  status_set_at: string | null;
}

const RETURNING = 'returning ref, version, status, status_source, status_reason, status_set_by, status_set_at';

/** The hazard, locked until the transaction ends; null when no hazard has the ref. */
export async function lockHazardStatus(tx: Queryable, ref: string): Promise<(HazardStatusRow & { id: number }) | null> {
  const result = await tx.query<HazardStatusRow & { id: number }>(
    `select id, ref, version, status, status_source, status_reason, status_set_by, status_set_at from hazard where ref = $1 for update`,
    [ref],
  );
  return result.rows[0] ?? null;
}

/** Sets the authority's status: kept by the accounting from now on. */
export async function setAuthorityStatus(tx: Queryable, id: number, change: { status: string; reason: string; actor: string }): Promise<HazardStatusRow> {
  const result = await tx.query<HazardStatusRow>(
    `update hazard set status = $2, status_source = 'authority', status_reason = $3, status_set_by = $4, status_set_at = now(),
            changed_by = $4, change_reason = 'status set by the authority: ' || $3, batch_id = null
     where id = $1 ${RETURNING}`,
    [id, change.status, change.reason, change.actor],
  );
  return result.rows[0]!;
}

/** Hands the status back to the accounting: the hazard takes the status its figures give it. */
export async function returnStatusToAccounting(tx: Queryable, id: number, change: { reason: string; actor: string }): Promise<HazardStatusRow> {
  const result = await tx.query<HazardStatusRow>(
    `update hazard h set status = coalesce((select ${computedStatus('a')} from hazard_accounting a where a.hazard_id = h.id), 'open'),
            status_source = 'computed', status_reason = null, status_set_by = null, status_set_at = null,
            changed_by = $3, change_reason = 'status handed back to the accounting: ' || $2, batch_id = null
     where id = $1 ${RETURNING}`,
    [id, change.reason, change.actor],
  );
  return result.rows[0]!;
}
