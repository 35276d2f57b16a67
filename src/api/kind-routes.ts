// The kinds of record, as declared (src/kinds): their exchange fields, geometry, public columns and report
// dimensions, and what the caller may do with each. The web builds its lists and forms from this answer
// instead of keeping its own copy of the rules.
import { z } from 'zod';
import { route, type RouteSpec } from './route.ts';
import type { Principal } from '../domain/roles.ts';
import { can, KIND_ACTIONS } from '../domain/access-policy.ts';
import { KIND_IDS, kindOf, type RecordKind } from '../kinds/registry.ts';

const ACTIONS = KIND_ACTIONS;

/** What the caller may do with a kind, as the access policy answers. */
function allowed(kind: RecordKind<object>, principal: Principal | null): Record<(typeof ACTIONS)[number], boolean> {
  return Object.fromEntries(ACTIONS.map((action) => [action, can(principal, action, { kind: kind.id })])) as Record<(typeof ACTIONS)[number], boolean>;
}

const kindSchema = z.object({
  id: z.enum(KIND_IDS),
  noun: z.object({ en: z.string(), km: z.string() }),
  geometry: z.enum(['polygon', 'point', 'none']),
  fields: z.array(z.object({ name: z.string(), required: z.boolean(), description: z.string() })),
  public_columns: z.array(z.string()),
  report_dimensions: z.array(z.string()),
  allowed: z.object(Object.fromEntries(ACTIONS.map((a) => [a, z.boolean()])) as Record<(typeof ACTIONS)[number], z.ZodBoolean>),
}).meta({ id: 'RecordKind' });

export const KIND_ROUTES: RouteSpec[] = [
  route({
    method: 'GET',
    path: '/api/kinds',
    access: { action: 'reference' },
    summary: 'The kinds of record Clearway holds, their exchange fields, and what the caller may do with each',
    tags: ['reference'],
    responses: { 200: { description: 'Kinds', schema: z.array(kindSchema) } },
    async handler({ principal }) {
      return KIND_IDS.map((id) => {
        const kind = kindOf(id);
        return {
          id, noun: kind.noun, geometry: kind.geometry, fields: kind.fields, public_columns: kind.publicColumns,
          report_dimensions: kind.reportDimensions, allowed: allowed(kind, principal),
        };
      });
    },
  }),
];
