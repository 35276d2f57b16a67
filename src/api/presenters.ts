// Public answers go through a presenter (issue 8, point 5): a caller the access policy does not let read
// personal fields (the anonymous public, donors) never gets the names of the staff who changed a record, the
// names of the files it came from, or free text someone typed (notes, reasons). The fields are named once
// here; every JSON answer of every route passes through presentFor before it leaves the server.
import { can } from '../domain/access-policy.ts';
import type { Principal } from '../domain/roles.ts';
import type { RouteAccess } from './route.ts';

/** Fields that name a person or a file, or hold free text, wherever they sit in an answer. */
export const PERSONAL_FIELDS: ReadonlySet<string> = new Set([
  // who changed or decided
  'changed_by', 'status_set_by', 'created_by', 'frozen_by', 'made_by', 'submitted_by', 'decided_by', 'actor',
  // which file (a change_reason says "imported from FILE"; a batch's source is its file)
  'change_reason', 'file_name', 'batch_source', 'source_name',
  // free text
  'notes', 'status_reason', 'condition',
]);

/** The answer without personal fields, at any depth (a hazard's history, a comparison's changes). */
export function presentPublic(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(presentPublic);
  if (value === null || typeof value !== 'object' || value instanceof Date || Buffer.isBuffer(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (!PERSONAL_FIELDS.has(key)) kept[key] = presentPublic(field);
  }
  return kept;
}

/** The answer as this caller may see it: whole for those who may read personal fields (of the route's kind). */
export function presentFor(principal: Principal | null, access: RouteAccess, answer: unknown): unknown {
  if (typeof answer === 'string' || answer === null || answer === undefined) return answer;
  if (can(principal, 'read_personal', access.kind === undefined ? {} : { kind: access.kind })) return answer;
  return presentPublic(answer);
}
