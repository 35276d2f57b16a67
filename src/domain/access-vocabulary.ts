// The words of the access policy (access-policy.ts): the actions, the scopes, the web's views, and the answer
// of GET /api/access. Kept apart, with type-only imports, so that the web can use them as they are.
import type { Role } from './roles.ts';

/** The kinds of record the policy knows (src/kinds declares them; kept as strings so the domain stays below the kinds). */
export type KindName = string;

/** What can be done with a kind of record. */
export const KIND_ACTIONS = ['read', 'read_personal', 'submit', 'review', 'approve', 'import', 'administer'] as const;
export type KindAction = (typeof KIND_ACTIONS)[number];

/** What can be done that is not about one kind. */
export const SYSTEM_ACTIONS = [
  /** Sign in, see who is signed in, sign out. */
  'session',
  /** Health, client settings, the OpenAPI document. */
  'system',
  /** Organisations, administrative units, the kinds and what the caller may do with them. */
  'reference',
  /** The published reports (land release, finds, frozen reports and their comparisons). */
  'reports',
  /** Freeze a report for publication. */
  'freeze',
  /** Set a hazard's status as the authority (reopened, with a reason). */
  'hazard_status',
  /** Compare an operator's own monthly summary with the official record. */
  'discrepancy',
  /** Read the audit log. */
  'audit',
  /** See submissions (work in progress) and their review pages. */
  'submissions',
  /** Prepare a submission: create it, replace its file, submit it (always the preparing organisation's own). */
  'prepare',
  /** Add, disable and give tokens to accounts. */
  'accounts',
] as const;
export type SystemAction = (typeof SYSTEM_ACTIONS)[number];

export type Action = KindAction | SystemAction;
export const ACTIONS: readonly Action[] = [...KIND_ACTIONS, ...SYSTEM_ACTIONS];
export const isKindAction = (action: string): action is KindAction => (KIND_ACTIONS as readonly string[]).includes(action);
export const isAction = (action: unknown): action is Action => typeof action === 'string' && (ACTIONS as readonly string[]).includes(action);

/** The access profiles a kind of record can follow (the policy holds each one's rules). */
export const PROFILE_NAMES = ['published-record'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** Whose work a role may act on: its own organisation's, or any organisation's. */
export type Scope = 'own' | 'any';

/** The web's views. */
export const VIEWS = ['map', 'records', 'submissions', 'submission', 'review-queue', 'review', 'audit', 'discrepancy'] as const;
export type View = (typeof VIEWS)[number];

/** Everything a caller may do, as the web receives it (GET /api/access). */
export interface AccessSummary {
  signed_in: boolean;
  role: Role | null;
  organisation: string | null;
  views: Record<View, boolean>;
  actions: Record<SystemAction, Scope | null>;
  kinds: Record<KindName, Record<KindAction, Scope | null>>;
}
