// Which views and buttons a caller is offered: the server's access policy answers it (GET /api/access), and
// the page only leaves out what the server would refuse, so nobody is shown a button that cannot work for them.
// No rule is kept here: a change of the policy reaches the page without a change to it.
import type { AccessSummary } from '../../src/domain/access-vocabulary';
import type { ViewName } from './view-route';

export type Access = AccessSummary;

/** The published record is open to everyone; any other view to whom the server says. */
export function mayOpen(view: ViewName, access: Access | null): boolean {
  if (view === 'map' || view === 'records') return true;
  return access?.views[view] ?? false;
}

/** The authority chooses whose figures to compare; an operator compares its own (its scope is its organisation). */
export function choosesOrganisation(access: Access): boolean {
  return access.actions.discrepancy === 'any';
}

/** Whether the caller prepares submissions (creates, corrects, submits its organisation's). */
export const mayPrepare = (access: Access): boolean => access.actions.prepare !== null;

/** Whether the caller decides on submissions (approve, return, reject) of this kind, or of every kind a mixed one holds. */
export function mayDecide(access: Access, kind: string): boolean {
  const kinds = kind in access.kinds ? [kind] : Object.keys(access.kinds);
  return kinds.length > 0 && kinds.every((k) => access.kinds[k]?.approve != null);
}

/** The tabs of the top bar, in the order of the work. */
export const tabViews = ['map', 'records', 'submissions', 'review-queue', 'audit', 'discrepancy'] as const;
