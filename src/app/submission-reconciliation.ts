// The reviewer's reconciliation of a submitted submission: for each item, new, update of an official record
// (by ref or a suggested overlap) or combine several official hazards into it. Stored on the submission and
// applied by the approval; each target carries the version the reviewer saw.
import type { Database } from '../db/engine.ts';
import { recordAuditEvent } from '../db/change-batch.ts';
import { officialVersions } from '../db/reconciliation.ts';
import { ClearwayError } from '../domain/problems.ts';
import { decideItems, reconciliationProblems, writtenTarget, type DecidedItem, type Reconciliation } from '../domain/reconciliation.ts';
import type { Principal } from '../domain/roles.ts';
import { targetConflicts } from './reconciliation-targets.ts';
import { itemRefs, readItemsOffThread } from './submission-items.ts';
import { lockForMove } from './submissions.ts';

export interface ItemChoice extends Reconciliation {
  item: number;
}

export interface ReconciledItem extends DecidedItem {
  item: number;
  ref: string | null;
}

/**
 * Records the reviewer's choices (merged with earlier ones). Only the authority's reviewers, never the
 * submitter, and only while the submission awaits its decision, as for the approval itself.
 */
export async function reconcileSubmission(db: Database, principal: Principal, id: number, choices: ItemChoice[]): Promise<ReconciledItem[]> {
  return db.transaction(async (tx) => {
    const locked = await lockForMove(tx, principal, id, 'approve');
    const items = itemRefs(await readItemsOffThread(locked));
    const chosen: Record<string, Reconciliation> = { ...locked.reconciliation };
    for (const choice of choices) {
      if (!Number.isInteger(choice.item) || choice.item < 0 || choice.item >= items.length) {
        throw new ClearwayError('workflow.reconciliation', `Item ${choice.item} is not in submission ${id} (it has ${items.length} items, numbered from 0)`, 422, { item: choice.item });
      }
      chosen[String(choice.item)] = { action: choice.action, targets: choice.targets };
    }
    const decided = decideItems(items, locked.basis, chosen);
    const problems = reconciliationProblems(locked.kind, items, decided);
    // An item that makes a record (new, or a combine that keeps none of its targets) needs a ref the record
    // lacks: an item whose ref names an official record can only update it, or keep it in a combine.
    const makesRecord = (item: (typeof items)[number]) => item.ref !== null && writtenTarget(item, decided.get(item.idx)!) === null;
    const taken = await officialVersions(tx, locked.kind, items.filter(makesRecord).map((item) => item.ref!), { lock: false });
    for (const item of items) {
      if (makesRecord(item) && taken.has(item.ref!)) {
        problems.push({ item: item.idx, ref: item.ref, reason: `${item.ref} is already in the official record: the item can update it, or needs a new ref` });
      }
    }
    if (problems.length > 0) {
      throw new ClearwayError('workflow.reconciliation', `${problems.length} item(s) cannot be reconciled this way; nothing was changed`, 422, { items: problems });
    }
    // Only the targets chosen now are checked against the record: a default that has moved on is the
    // approval's conflict to report, so the reviewer sees it then and confirms the item with a new choice.
    const now = new Map(choices.map((c) => [c.item, c] as const));
    const conflicts = await targetConflicts(tx, locked.kind, items.filter((item) => now.has(item.idx)), now, { lock: false });
    if (conflicts.length > 0) {
      throw new ClearwayError('workflow.conflict', `${conflicts.length} target(s) changed since you looked at them; reload the item and choose again`, 409, { conflicts });
    }
    await tx.query(`update submission set reconciliation = $2::jsonb, updated_at = now() where id = $1`, [id, JSON.stringify(chosen)]);
    await recordAuditEvent(tx, { actor: principal.username, action: 'submission.reconcile', entity: 'submission', entityRef: String(id), details: { choices } });
    return items.map((item) => ({ item: item.idx, ref: item.ref, ...decided.get(item.idx)! }));
  });
}
