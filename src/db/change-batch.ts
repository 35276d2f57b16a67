// Change batches and the audit log: every import (and later every approval) is one batch, and every
// version it writes points back to it.
import type { Queryable } from './engine.ts';

export type BatchKind = 'import-hazards' | 'import-releases' | 'import-finds' | 'demo' | 'accounting';

/** The advisory lock every change to the official record takes: see lockOfficialRecord. */
export const OFFICIAL_RECORD_LOCK = 7263102;

/**
 * Serialises the transactions that change the official record (imports, approvals) until they end. Two of
 * them touching the same hazard at once could otherwise each compute its accounting from the state before
 * the other committed (row locks cover only the rows a statement updates), and leave figures that no longer
 * match the hazard. Approvals are rare and short, so waiting costs little; checks that store nothing (a
 * dry run, a submission's validation) do not take it.
 */
export async function lockOfficialRecord(tx: Queryable): Promise<void> {
  await tx.query('select pg_advisory_xact_lock($1)', [OFFICIAL_RECORD_LOCK]);
}

export async function recordChangeBatch(tx: Queryable, batch: { kind: BatchKind; sourceName: string | null; madeBy: string; submissionId?: number }): Promise<number> {
  const result = await tx.query<{ id: number }>(
    `insert into change_batch (kind, source_name, made_by, submission_id) values ($1, $2, $3, $4) returning id`,
    [batch.kind, batch.sourceName, batch.madeBy, batch.submissionId ?? null],
  );
  const id = result.rows[0]?.id;
  if (id === undefined) throw new Error('change_batch insert returned no id');
  return id;
}

export async function finishChangeBatch(tx: Queryable, id: number, recordCount: number, summary: Record<string, unknown>): Promise<void> {
  await tx.query(`update change_batch set record_count = $2, report = $3::jsonb where id = $1`, [id, recordCount, JSON.stringify(summary)]);
  await tx.query(
    `insert into audit_event (actor, action, entity, entity_ref, batch_id, details)
     select made_by, kind, 'change_batch', id::text, id, $2::jsonb from change_batch where id = $1`,
    [id, JSON.stringify({ source: summary, records: recordCount })],
  );
}

export async function recordAuditEvent(tx: Queryable, event: { actor: string; action: string; entity: string; entityRef: string | null; details?: Record<string, unknown> }): Promise<void> {
  await tx.query(
    `insert into audit_event (actor, action, entity, entity_ref, details) values ($1, $2, $3, $4, $5::jsonb)`,
    [event.actor, event.action, event.entity, event.entityRef, JSON.stringify(event.details ?? {})],
  );
}
