// The owning operator of one official record, read and changed by the authority's own act: a new version
// of the record that says who changed the owner and why (its history trigger keeps the old one).
import type { KindId } from '../kinds/kind.ts';
import { kindOf } from '../kinds/registry.ts';
import type { Queryable } from './engine.ts';

export interface RecordOwner {
  ref: string;
  version: number;
  operator: string | null;
}

/** The record's owner, the row locked until the transaction ends; null when no record has the ref. */
export async function lockRecordOwner(tx: Queryable, kind: KindId, ref: string): Promise<(RecordOwner & { id: number; retired: boolean }) | null> {
  const { table, statusColumn } = kindOf(kind);
  const retired = statusColumn ? `${statusColumn} = 'combined'` : 'false';
  const result = await tx.query<RecordOwner & { id: number; retired: boolean }>(
    `select id, ref, version, operator_code as operator, ${retired} as retired from ${table} where ref = $1 for update`,
    [ref],
  );
  return result.rows[0] ?? null;
}

export async function setRecordOwner(tx: Queryable, kind: KindId, id: number, change: { operator: string; reason: string; actor: string }): Promise<RecordOwner> {
  const result = await tx.query<RecordOwner>(
    `update ${kindOf(kind).table} set operator_code = $2, changed_by = $3, change_reason = 'owner changed by the authority: ' || $4, batch_id = null
     where id = $1 returning ref, version, operator_code as operator`,
    [id, change.operator, change.actor, change.reason],
  );
  return result.rows[0]!;
}
