// The one access policy (issue 8, point 5; docs/decisions/0017): for each action, on a kind of record or on
// the system, which roles may take it and over which organisations' work (their own, or any). The API asks it
// before every handler and inside handlers where an organisation is involved, the CLI asks it where it acts,
// the web receives its answers (GET /api/access), and the access matrix test is generated from it. Nothing
// else compares roles: a new rule is a line here.
import { ClearwayError } from './problems.ts';
import { ROLES, type Principal, type Role } from './roles.ts';
import {
  KIND_ACTIONS, SYSTEM_ACTIONS, VIEWS, isKindAction,
  type AccessSummary, type Action, type KindAction, type KindName, type ProfileName, type Scope, type SystemAction, type View,
} from './access-vocabulary.ts';

export * from './access-vocabulary.ts';

/** One rule: whether anyone (signed in or not) may, and otherwise which roles, over which organisations. */
export interface Rule {
  anyone: boolean;
  roles: Partial<Record<Role, Scope>>;
}

const AUTHORITY_ANY = { administrator: 'any', authority_data_officer: 'any', authority_reviewer: 'any' } as const;
const OPERATORS_OWN = { operator_data_officer: 'own', operator_viewer: 'own' } as const;
const PUBLIC: Rule = { anyone: true, roles: {} };

/**
 * A profile: the rules of a kind of record. Kinds name theirs (RecordKind.access); a kind that needs other
 * rules adds a profile here, so that every rule is still read in one place.
 */
export const PROFILES = {
  /**
   * The published official record (hazards, releases, finds): anyone reads it; the staff of the authority and
   * of the operators read its personal fields (who changed what, free text); operators submit their own
   * organisation's work and the authority's officers anyone's; the authority reviews; its reviewers approve;
   * its data officers bring files for another person to approve; owners change only by the authority's act.
   */
  'published-record': {
    read: PUBLIC,
    read_personal: { anyone: false, roles: { ...AUTHORITY_ANY, operator_data_officer: 'any', operator_viewer: 'any' } },
    submit: { anyone: false, roles: { operator_data_officer: 'own', authority_data_officer: 'any', administrator: 'any' } },
    review: { anyone: false, roles: AUTHORITY_ANY },
    approve: { anyone: false, roles: { authority_reviewer: 'any', administrator: 'any' } },
    import: { anyone: false, roles: { authority_data_officer: 'any', administrator: 'any' } },
    administer: { anyone: false, roles: { authority_data_officer: 'any', administrator: 'any' } },
  },
} as const satisfies Record<ProfileName, Record<KindAction, Rule>>;

const SYSTEM_RULES: Record<SystemAction, Rule> = {
  session: PUBLIC,
  system: PUBLIC,
  reference: PUBLIC,
  reports: PUBLIC,
  // Publishing figures is the authority's act; a freeze changes nothing in the record (decision 0016).
  freeze: { anyone: false, roles: AUTHORITY_ANY },
  hazard_status: { anyone: false, roles: AUTHORITY_ANY },
  // An operator compares its own summary; the authority anyone's.
  discrepancy: { anyone: false, roles: { ...AUTHORITY_ANY, ...OPERATORS_OWN } },
  audit: { anyone: false, roles: AUTHORITY_ANY },
  // Operators see their organisation's; the authority every submitted one (drafts stay their preparers').
  submissions: { anyone: false, roles: { ...AUTHORITY_ANY, ...OPERATORS_OWN } },
  prepare: { anyone: false, roles: { operator_data_officer: 'own', authority_data_officer: 'own', administrator: 'own' } },
  accounts: { anyone: false, roles: { administrator: 'any' } },
};

/** Which profile each kind follows: the kinds say it (src/kinds), the registry tells the policy at start. */
const kindProfiles = new Map<KindName, ProfileName>();

export function registerKindProfile(kind: KindName, profile: ProfileName): void {
  if (!(profile in PROFILES)) throw new Error(`kind ${kind}: no access profile named ${profile}`);
  kindProfiles.set(kind, profile);
}

export const registeredKinds = (): KindName[] => [...kindProfiles.keys()];

/** The rule for an action (on a kind, for a kind action). Unknown actions and kinds have no rule: refused. */
export function ruleOf(action: Action, kind?: KindName): Rule | null {
  if (!isKindAction(action)) return SYSTEM_RULES[action as SystemAction] ?? null;
  if (kind === undefined) {
    // A kind action asked without a kind (a route that serves several kinds): the union of the kinds' rules;
    // the handler asks again with the kind once it knows it.
    const rules = registeredKinds().map((k) => ruleOf(action, k)).filter((r): r is Rule => r !== null);
    const roles: Partial<Record<Role, Scope>> = {};
    for (const rule of rules) {
      for (const [role, scope] of Object.entries(rule.roles) as [Role, Scope][]) {
        if (roles[role] !== 'any') roles[role] = scope;
      }
    }
    return rules.length === 0 ? null : { anyone: rules.some((r) => r.anyone), roles };
  }
  const profile = kindProfiles.get(kind);
  return profile ? PROFILES[profile][action] : null;
}

export interface Target {
  kind?: KindName;
  /** The organisation whose work it is (a submission's, a record's operator, a summary's). */
  organisation?: string | null;
}

/** Over which organisations a principal may take an action: 'any', 'own', or null (not at all). */
export function scopeOf(principal: Principal | null, action: Action, kind?: KindName): Scope | null {
  const rule = ruleOf(action, kind);
  if (!rule) return null;
  if (principal) {
    const scope = rule.roles[principal.role];
    if (scope) return scope;
  }
  return rule.anyone ? 'any' : null;
}

/** The one question: may this principal (null: anonymous) take this action, on this kind, over this organisation's work? */
export function can(principal: Principal | null, action: Action, target: Target = {}): boolean {
  const scope = scopeOf(principal, action, target.kind);
  if (scope === null) return false;
  if (scope === 'any' || target.organisation === undefined) return true;
  return principal !== null && target.organisation === principal.organisation;
}

const subject = (action: Action, target: Target): string =>
  `${action.replace(/_/g, ' ')}${target.kind ? ` ${target.kind}` : ''}${target.organisation ? ` of ${target.organisation}` : ''}`;

/**
 * A draft is its preparing organisation's until it is submitted: whoever else may see submitted work (the
 * authority) does not see another organisation's drafts. Who sees this organisation's drafts.
 */
export function seesDraftsOf(principal: Principal | null, organisation: string): boolean {
  return principal !== null && principal.organisation === organisation && can(principal, 'submissions', { organisation });
}

/** The refusal of a call the policy does not allow: 401 to the anonymous (sign in first), 403 naming the role and who may. */
export function accessRefusal(principal: Principal | null, action: Action, target: Target = {}): ClearwayError {
  if (!principal) return new ClearwayError('auth.required', `Sign in first (POST /api/session) or send Authorization: Bearer <token>: ${subject(action, target)} needs an account`, 401);
  const scope = scopeOf(principal, action, target.kind);
  const why = scope === 'own'
    ? `a ${principal.role} of ${principal.organisation} acts on its own organisation's work only`
    : `a ${principal.role} may not ${subject(action, target)}; it needs one of: ${whoMay(action, target.kind)}`;
  return new ClearwayError('auth.forbidden', why, 403, target.organisation ? { field: 'organisation' } : {});
}

/** can(), or its refusal thrown. */
export function requireAccess(principal: Principal | null, action: Action, target: Target = {}): void {
  if (!can(principal, action, target)) throw accessRefusal(principal, action, target);
}

/** The rule in words, for the OpenAPI document and refusals: who may, and over whose work. */
export function whoMay(action: Action, kind?: KindName): string {
  const rule = ruleOf(action, kind);
  if (!rule) return 'nobody (no rule)';
  if (rule.anyone) return 'anyone, signed in or not';
  const entries = Object.entries(rule.roles) as [Role, Scope][];
  if (entries.length === 0) return 'nobody';
  return entries.map(([role, scope]) => `${role} (${scope === 'any' ? 'any organisation' : 'own organisation'})`).join(', ');
}

/** Every role's scope for an action, for the document and the matrix test. */
export function scopesByRole(action: Action, kind?: KindName): Record<Role | 'anonymous', Scope | null> {
  const rule = ruleOf(action, kind);
  const result = { anonymous: rule?.anyone ? 'any' : null } as Record<Role | 'anonymous', Scope | null>;
  for (const role of ROLES) result[role] = rule ? (rule.roles[role] ?? (rule.anyone ? 'any' : null)) : null;
  return result;
}

/** What opening each web view needs: the page offers only what the server would answer. */
export function mayOpenView(principal: Principal | null, view: View): boolean {
  switch (view) {
    case 'map':
    case 'records':
      return can(principal, 'read');
    // The list of one's organisation's work: those who prepare submissions, and the operators' viewers.
    case 'submissions':
      return can(principal, 'prepare') || scopeOf(principal, 'submissions') === 'own';
    case 'submission':
      return can(principal, 'submissions');
    case 'review-queue':
      return can(principal, 'approve');
    case 'review':
      return can(principal, 'review');
    case 'audit':
      return can(principal, 'audit');
    case 'discrepancy':
      return can(principal, 'discrepancy');
  }
}

export function accessSummary(principal: Principal | null): AccessSummary {
  return {
    signed_in: principal !== null,
    role: principal?.role ?? null,
    organisation: principal?.organisation ?? null,
    views: Object.fromEntries(VIEWS.map((view) => [view, mayOpenView(principal, view)])) as Record<View, boolean>,
    actions: Object.fromEntries(SYSTEM_ACTIONS.map((action) => [action, scopeOf(principal, action)])) as Record<SystemAction, Scope | null>,
    kinds: Object.fromEntries(registeredKinds().map((kind) => [kind,
      Object.fromEntries(KIND_ACTIONS.map((action) => [action, scopeOf(principal, action, kind)]))])) as AccessSummary['kinds'],
  };
}

/**
 * Whether a caller's uploads may be as large as the authority's own data work (CLEARWAY_MAX_UPLOAD_MB):
 * those who review the record; operators have a lower bound, the anonymous a few kB.
 */
export const takesFullUploads = (principal: Principal | null): boolean => principal !== null && can(principal, 'review');

/**
 * The machine's administrator, for the CLI: whoever runs it on the server holds the data folder (or the
 * database's credentials) and so acts as an administrator; the audit names the OS-level actor.
 */
export function machineAdministrator(osUser: string): Principal {
  return { userId: 0, username: `cli:${osUser}`, role: 'administrator', organisation: 'CLI', via: 'cli' };
}
