// Which views each role is offered. The server decides what anyone may really do; the page only leaves out
// what would be refused, so nobody is shown a button that cannot work for them.
import type { Role } from './session-api';
import type { ViewName } from './view-route';

/** Who prepares submissions (the server's SUBMITTING_ROLES). */
export const submittingRoles: readonly Role[] = ['operator_data_officer', 'authority_data_officer', 'administrator'];
/** Who decides on them (REVIEWING_ROLES). */
export const reviewingRoles: readonly Role[] = ['authority_reviewer', 'administrator'];
const authorityRoles: readonly Role[] = ['administrator', 'authority_data_officer', 'authority_reviewer'];
const operatorRoles: readonly Role[] = ['operator_data_officer', 'operator_viewer'];

const viewRoles: Record<ViewName, readonly Role[] | 'everyone'> = {
  map: 'everyone',
  submissions: [...submittingRoles, 'operator_viewer'],
  submission: [...submittingRoles, 'operator_viewer', 'authority_reviewer'],
  'review-queue': reviewingRoles,
  review: [...reviewingRoles, 'authority_data_officer'],
  audit: authorityRoles,
  discrepancy: [...operatorRoles, ...authorityRoles],
  // The published record: what each caller sees of it is the server's to decide (GET /api/kinds).
  records: 'everyone',
};

export function mayOpen(view: ViewName, role: Role | null): boolean {
  const allowed = viewRoles[view];
  if (allowed === 'everyone') return true;
  return role !== null && allowed.includes(role);
}

/** Operators compare their own organisation's figures; the authority chooses whose. */
export function choosesOrganisation(role: Role): boolean {
  return authorityRoles.includes(role);
}

/** The tabs of the top bar, in the order of the work. */
export const tabViews = ['map', 'records', 'submissions', 'review-queue', 'audit', 'discrepancy'] as const;
