// The roles each kind grants, by the shape of the sector: operators submit, the authority reviews,
// approves and imports. A kind that needs another rule declares its own.
import { AUTHORITY_ROLES, CAN_IMPORT_TO_OFFICIAL_RECORD } from '../domain/roles.ts';
import { REVIEWING_ROLES, SUBMITTING_ROLES } from '../domain/submission-workflow.ts';
import type { KindAccess } from './kind.ts';

export const PUBLISHED_RECORD_ACCESS: KindAccess = {
  read: 'public',
  submit: SUBMITTING_ROLES,
  review: AUTHORITY_ROLES,
  approve: REVIEWING_ROLES,
  import: CAN_IMPORT_TO_OFFICIAL_RECORD,
};
