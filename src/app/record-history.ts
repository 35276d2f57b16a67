// Who sees what of a record's history: every version for anyone who may read the kind, the staff columns
// (free text, who made each version and why, where the kind declares them staff-only) for staff only.
import type { Queryable } from '../db/engine.ts';
import { recordHistory as readHistory } from '../db/record-history.ts';
import { ClearwayError } from '../domain/problems.ts';
import { can } from '../domain/access-policy.ts';
import type { Principal } from '../domain/roles.ts';
import { kindOf, type KindId } from '../kinds/registry.ts';

/** Who reads the staff columns of a kind's history: the policy's read_personal (donors and the public do not). */
export const isStaff = (principal: Principal | null, id: KindId): boolean => can(principal, 'read_personal', { kind: id });

/** Every version of one record of the kind, newest first; 404 naming the kind when no record has the ref. */
export async function recordHistory(db: Queryable, principal: Principal | null, id: KindId, ref: string): Promise<Record<string, unknown>[]> {
  const kind = kindOf(id);
  const history = await readHistory(db, kind, ref, isStaff(principal, id));
  if (!history) throw new ClearwayError('not-found', `No ${kind.noun.en} has the ref ${ref}`, 404, { ref });
  return history;
}
