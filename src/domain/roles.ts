// Who may do what. Each account has one role, tied to its organisation.

export const ROLES = [
  'administrator',
  'authority_data_officer',
  'authority_reviewer',
  'operator_data_officer',
  'operator_viewer',
  'donor_viewer',
] as const;

export type Role = (typeof ROLES)[number];

/** The kind of organisation each role belongs to: an operator's viewer cannot sit at the authority. */
export const ORGANISATION_KIND_OF_ROLE: Record<Role, readonly string[]> = {
  administrator: ['authority'],
  authority_data_officer: ['authority'],
  authority_reviewer: ['authority'],
  operator_data_officer: ['operator'],
  operator_viewer: ['operator'],
  donor_viewer: ['donor'],
};

// What each role may do is the access policy's (access-policy.ts): nothing else compares roles.

/** A signed-in person or machine client. */
export interface Principal {
  userId: number;
  username: string;
  role: Role;
  organisation: string;
  /** How they proved it: a browser session (needs CSRF on changes), an API token, or the command line on the server. */
  via: 'session' | 'token' | 'cli';
}
