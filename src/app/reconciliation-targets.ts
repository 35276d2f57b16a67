// Whether the official records a submission's items target are still as they were seen: checked with the
// rows locked, inside the approval's transaction, so an approval never overwrites a change it did not see.
import { kindOf, type KindId } from '../kinds/registry.ts';
import type { Queryable } from '../db/engine.ts';
import { officialVersions, type OfficialVersion } from '../db/reconciliation.ts';
import { ClearwayError } from '../domain/problems.ts';
import { reconciliationProblems, type ItemRef, type Reconciliation } from '../domain/reconciliation.ts';

export interface TargetConflict {
  item: number;
  ref: string | null;
  target: string;
  code: 'target.changed' | 'target.combined' | 'target.missing';
  seen_version: number;
  current_version: number | null;
  reason: string;
}


function changedBy(current: OfficialVersion): string {
  const from = current.submission_id !== null ? `, from submission ${current.submission_id}` : current.batch_id !== null ? `, batch ${current.batch_id}` : '';
  return `changed by ${current.changed_by}${from}`;
}

/** The conflicts between the decided targets and the record as it is now (rows locked when `lock`). */
export async function targetConflicts(tx: Queryable, kind: KindId, items: ItemRef[], decided: Map<number, Reconciliation>, options: { lock: boolean }): Promise<TargetConflict[]> {
  const refs = [...decided.values()].flatMap((d) => d.targets.map((t) => t.ref));
  const versions = await officialVersions(tx, kind, refs, options);
  const conflicts: TargetConflict[] = [];
  for (const item of items) {
    for (const target of decided.get(item.idx)?.targets ?? []) {
      const current = versions.get(target.ref);
      const base = { item: item.idx, ref: item.ref, target: target.ref, seen_version: target.version };
      if (!current) {
        conflicts.push({ ...base, code: 'target.missing', current_version: null, reason: `${kindOf(kind).noun.en} ${target.ref} is not in the official record` });
      } else if (current.status === 'combined') {
        conflicts.push({ ...base, code: 'target.combined', current_version: current.version, reason: `hazard ${target.ref} has been combined into another hazard (${changedBy(current)})` });
      } else if (current.version !== target.version) {
        conflicts.push({
          ...base, code: 'target.changed', current_version: current.version,
          reason: `${kindOf(kind).noun.en} ${target.ref} is at version ${current.version} now, not ${target.version} as seen (${changedBy(current)}): review the item again and confirm its reconciliation`,
        });
      }
    }
  }
  return conflicts;
}

/**
 * Refuses the approval when the decisions break a rule (two items on one record) or a target has moved
 * on; the targets stay locked until the approval's transaction ends.
 */
export async function checkTargets(tx: Queryable, kind: KindId, items: ItemRef[], decided: Map<number, Reconciliation>): Promise<void> {
  const problems = reconciliationProblems(kindOf(kind), items, decided);
  if (problems.length > 0) {
    throw new ClearwayError('workflow.conflict', `Approval stopped: ${problems.length} item(s) have a reconciliation that is not possible; nothing was applied`, 409, { items: problems });
  }
  const conflicts = await targetConflicts(tx, kind, items, decided, { lock: true });
  if (conflicts.length > 0) {
    throw new ClearwayError('workflow.conflict', `Approval stopped: ${conflicts.length} item(s) update official records that changed since they were seen; nothing was applied`, 409, { conflicts });
  }
}
