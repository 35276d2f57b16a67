// The official record's side of reconciliation: the versions of the records a submission targets (locked
// during an approval, so that two approvals cannot both update the same hazard from the same version), and
// combining hazards into one.
import { kindOf, type KindId } from '../kinds/registry.ts';
import type { Queryable } from './engine.ts';

export interface OfficialVersion {
  id: number;
  ref: string;
  version: number;
  status: string | null;
  changed_by: string;
  changed_at: string;
  batch_id: number | null;
  submission_id: number | null;
  /** The organisation the record belongs to (a hazard may have none). */
  operator_code: string | null;
}

/** The current version of each of these refs; with `lock` the rows stay locked until the transaction ends. */
export async function officialVersions(tx: Queryable, kind: KindId, refs: string[], options: { lock: boolean }): Promise<Map<string, OfficialVersion>> {
  if (refs.length === 0) return new Map();
  const { table, statusColumn } = kindOf(kind);
  const status = statusColumn ? `o.${statusColumn}` : 'null::text';
  const result = await tx.query<OfficialVersion>(
    `select o.id, o.ref, o.version, ${status} as status, o.changed_by, o.changed_at, o.batch_id, b.submission_id, o.operator_code
     from ${table} o left join change_batch b on b.id = o.batch_id
     where o.ref = any($1::text[])
     order by o.id
     ${options.lock ? 'for update of o' : ''}`,
    [[...new Set(refs)]],
  );
  return new Map(result.rows.map((row) => [row.ref, row]));
}

export interface Combination {
  /** The hazard that replaces the others (already inserted or updated by the approval). */
  keptRef: string;
  retiredRefs: string[];
}

/**
 * Retires the combined hazards: each becomes a new version with status 'combined' pointing at the hazard
 * that replaces it, its releases move to that hazard (new versions of the releases), and its derived
 * accounting rows go, so its area is counted once, as part of the new hazard. Returns the kept hazards'
 * ids, whose accounting the caller refreshes.
 */
export async function combineHazards(tx: Queryable, combinations: Combination[], change: { changedBy: string; reason: string; batchId: number }): Promise<number[]> {
  const keptIds: number[] = [];
  for (const combination of combinations) {
    const kept = await tx.query<{ id: number }>('select id from hazard where ref = $1', [combination.keptRef]);
    const keptId = kept.rows[0]?.id;
    if (keptId === undefined) throw new Error(`combine: hazard ${combination.keptRef} is not in the record`);
    const retired = await tx.query<{ id: number }>(
      `update hazard set status = 'combined', combined_into = $2, changed_by = $3, change_reason = $4, batch_id = $5
       where ref = any($1::text[]) returning id`,
      [combination.retiredRefs, keptId, change.changedBy, `${change.reason}: combined into ${combination.keptRef}`, change.batchId],
    );
    const retiredIds = retired.rows.map((r) => r.id);
    await tx.query('delete from release_counted where hazard_id = any($1::bigint[])', [retiredIds]);
    await tx.query('delete from hazard_unit_share where hazard_id = any($1::bigint[])', [retiredIds]);
    await tx.query('delete from hazard_accounting where hazard_id = any($1::bigint[])', [retiredIds]);
    await tx.query(
      `update land_release set hazard_id = $2, changed_by = $3, change_reason = $4, batch_id = $5 where hazard_id = any($1::bigint[])`,
      [retiredIds, keptId, change.changedBy, `${change.reason}: its hazard was combined into ${combination.keptRef}`, change.batchId],
    );
    keptIds.push(keptId);
  }
  return keptIds;
}
