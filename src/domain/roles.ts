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

/** The national authority's people, and the operators' (each sees its own organisation's work). */
export const AUTHORITY_ROLES: readonly Role[] = ['administrator', 'authority_data_officer', 'authority_reviewer'];
export const OPERATOR_ROLES: readonly Role[] = ['operator_data_officer', 'operator_viewer'];

/** A signed-in person or machine client. */
export interface Principal {
  userId: number;
  username: string;
  role: Role;
  organisation: string;
  /** How they proved it: a browser session (needs CSRF on changes) or an API token. */
  via: 'session' | 'token';
}

/** Importing straight into the official record is the authority's data work (operators submit, issue 4). */
export const CAN_IMPORT_TO_OFFICIAL_RECORD: readonly Role[] = ['administrator', 'authority_data_officer'];
