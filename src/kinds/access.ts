// The access profile most kinds follow: the published official record (operators submit, the authority
// reviews, approves and imports). The rules themselves live in the access policy (src/domain/access-policy.ts);
// a kind only names its profile, and a kind that needs other rules adds a profile there.
import type { ProfileName } from '../domain/access-vocabulary.ts';

export const PUBLISHED_RECORD_ACCESS: ProfileName = 'published-record';
