// The submission workflow as one table of states and the moves between them: who may make each move, from
// which states, to which state. The person who submitted never approves, returns or rejects (four eyes).
// Who may make a move is the access policy's (access-policy.ts): each move names the action it needs.
import type { Action } from './access-policy.ts';

export const SUBMISSION_STATES = ['draft', 'submitted', 'approved', 'returned', 'rejected'] as const;
export type SubmissionState = (typeof SUBMISSION_STATES)[number];

export const SUBMISSION_ACTIONS = ['submit', 'approve', 'return', 'reject'] as const;
export type SubmissionAction = (typeof SUBMISSION_ACTIONS)[number];

export interface Transition {
  from: readonly SubmissionState[];
  to: SubmissionState;
  /** The policy's action: 'prepare' (the preparing organisation), 'approve' (on each kind the submission holds). */
  action: Action;
  /** The decision is the authority's, and never the submitter's own. */
  fourEyes: boolean;
}

export const TRANSITIONS: Record<SubmissionAction, Transition> = {
  submit: { from: ['draft', 'returned'], to: 'submitted', action: 'prepare', fourEyes: false },
  approve: { from: ['submitted'], to: 'approved', action: 'approve', fourEyes: true },
  return: { from: ['submitted'], to: 'returned', action: 'approve', fourEyes: true },
  reject: { from: ['submitted'], to: 'rejected', action: 'approve', fourEyes: true },
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
