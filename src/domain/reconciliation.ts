// Reconciliation: how each item of a submission meets the official record. An item is new, an update of
// one official record (found by its ref, or chosen by the reviewer among the hazards it overlaps), or, for
// hazards, one hazard that replaces several (combine). Every target carries the version that was seen, so
// that approval can tell whether the record changed in between.

export const RECONCILIATION_ACTIONS = ['new', 'update', 'combine'] as const;
export type ReconciliationAction = (typeof RECONCILIATION_ACTIONS)[number];

export interface Target {
  ref: string;
  version: number;
}

export interface Reconciliation {
  action: ReconciliationAction;
  targets: Target[];
}

export interface DecidedItem extends Reconciliation {
  /** default: from the item's ref and the record as it was when the file was checked; reviewer: chosen. */
  chosen: 'default' | 'reviewer';
}

export interface ItemRef {
  idx: number;
  ref: string | null;
}

/** What the file itself says: an item whose ref was in the official record updates it, any other is new. */
export function defaultReconciliation(ref: string | null, basis: Record<string, number>): Reconciliation {
  const version = ref === null ? undefined : basis[ref];
  return version === undefined ? { action: 'new', targets: [] } : { action: 'update', targets: [{ ref: ref!, version }] };
}

/** Every item's reconciliation: the reviewer's choice where there is one, else the default. */
export function decideItems(items: ItemRef[], basis: Record<string, number>, chosen: Record<string, Reconciliation>): Map<number, DecidedItem> {
  const decided = new Map<number, DecidedItem>();
  for (const item of items) {
    const choice = chosen[String(item.idx)];
    decided.set(item.idx, choice ? { ...choice, chosen: 'reviewer' } : { ...defaultReconciliation(item.ref, basis), chosen: 'default' });
  }
  return decided;
}

export interface ReconciliationProblem {
  item: number;
  ref: string | null;
  reason: string;
}

/**
 * The rules every set of decisions keeps, whatever the record holds: an update names one record, a combine
 * two or more hazards (releases are never combined), and no official record is the target of two items
 * (the second would silently overwrite the first).
 */
export function reconciliationProblems(kind: { id: string; noun: { en: string }; reconcile: readonly string[] }, items: ItemRef[], decided: Map<number, Reconciliation>): ReconciliationProblem[] {
  const problems: ReconciliationProblem[] = [];
  const claimedBy = new Map<string, number>();
  for (const item of items) {
    const decision = decided.get(item.idx);
    if (!decision) continue;
    const fail = (reason: string) => problems.push({ item: item.idx, ref: item.ref, reason });
    const refs = decision.targets.map((t) => t.ref);
    if (decision.action === 'new' && refs.length > 0) fail('a new record has no target');
    if (decision.action === 'update' && refs.length !== 1) fail(`an update names exactly one official record (${refs.length} given)`);
    if (decision.action === 'combine') {
      if (!kind.reconcile.includes('combine')) fail(`only hazards can be combined; a ${kind.noun.en} is new or updates one record`);
      else if (new Set(refs).size < 2) fail('a combine replaces two or more official hazards');
    }
    for (const ref of new Set(refs)) {
      const other = claimedBy.get(ref);
      if (other !== undefined) fail(`${ref} is already the target of item ${other}`);
      else claimedBy.set(ref, item.idx);
    }
  }
  return problems;
}

/**
 * The official record an item writes into: for an update its target; for a combine the target with the
 * item's own ref if there is one (that hazard is kept and updated), else none (a new hazard is made).
 */
export function writtenTarget(item: ItemRef, decision: Reconciliation): string | null {
  if (decision.action === 'update') return decision.targets[0]?.ref ?? null;
  if (decision.action === 'combine' && item.ref !== null && decision.targets.some((t) => t.ref === item.ref)) return item.ref;
  return null;
}

/** The hazards a combine retires: every target except the one it keeps. */
export function retiredTargets(item: ItemRef, decision: Reconciliation): string[] {
  if (decision.action !== 'combine') return [];
  const kept = writtenTarget(item, decision);
  return [...new Set(decision.targets.map((t) => t.ref))].filter((ref) => ref !== kept);
}
