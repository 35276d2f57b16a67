// The submission workflow as one table of states and the moves between them: who may make each move, from
// which states, to which state. The person who submitted never approves, returns or rejects (four eyes).
import type { Role } from './roles.ts';

export const SUBMISSION_STATES = ['draft', 'submitted', 'approved', 'returned', 'rejected'] as const;
export type SubmissionState = (typeof SUBMISSION_STATES)[number];

export const SUBMISSION_ACTIONS = ['submit', 'approve', 'return', 'reject'] as const;
export type SubmissionAction = (typeof SUBMISSION_ACTIONS)[number];

/** Who prepares submissions: operators for their organisation, the authority's officers for theirs. */
export const SUBMITTING_ROLES: readonly Role[] = ['operator_data_officer', 'authority_data_officer', 'administrator'];
/** Who decides on them. */
export const REVIEWING_ROLES: readonly Role[] = ['authority_reviewer', 'administrator'];

export interface Transition {
  from: readonly SubmissionState[];
  to: SubmissionState;
  roles: readonly Role[];
  /** The decision is the authority's, and never the submitter's own. */
  fourEyes: boolean;
}

export const TRANSITIONS: Record<SubmissionAction, Transition> = {
  submit: { from: ['draft', 'returned'], to: 'submitted', roles: SUBMITTING_ROLES, fourEyes: false },
  approve: { from: ['submitted'], to: 'approved', roles: REVIEWING_ROLES, fourEyes: true },
  return: { from: ['submitted'], to: 'returned', roles: REVIEWING_ROLES, fourEyes: true },
  reject: { from: ['submitted'], to: 'rejected', roles: REVIEWING_ROLES, fourEyes: true },
};

/** States in which the preparing organisation may still replace the file. */
export const EDITABLE_STATES: readonly SubmissionState[] = ['draft', 'returned'];

const PAST: Record<SubmissionAction, string> = { submit: 'submitted', approve: 'approved', return: 'returned', reject: 'rejected' };

/** Why this move is not possible from this state, or null when it is. */
export function moveProblem(action: SubmissionAction, state: SubmissionState): string | null {
  const transition = TRANSITIONS[action];
  if (transition.from.includes(state)) return null;
  return `a submission in state ${state} cannot be ${PAST[action]} (only from ${transition.from.join(' or ')})`;
}
