// The status of a hazard: computed from its accounting (open, in progress, released), unless the
// authority set one itself, which the accounting then keeps until the authority hands it back.

/** What the authority may set. 'computed' hands the status back to the accounting. */
export const AUTHORITY_SETTABLE_STATUSES = ['reopened', 'open', 'in_progress', 'released', 'computed'] as const;
export type AuthoritySettableStatus = (typeof AUTHORITY_SETTABLE_STATUSES)[number];
