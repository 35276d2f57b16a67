// The kinds of record, as declared (src/kinds): their exchange fields, geometry, public columns and report
// dimensions, and what the caller may do with each. The web builds its lists and forms from this answer
// instead of keeping its own copy of the rules.
import { z } from 'zod';
import { page, pageOfAll, problemSchema, route, type RouteSpec } from './route.ts';
import { recordHistory } from '../app/record-history.ts';
import { refSchema } from '../domain/exchange-format.ts';
import type { Principal } from '../domain/roles.ts';
import { can, KIND_ACTIONS } from '../domain/access-policy.ts';
import { KIND_IDS, kindOf, type KindId, type RecordKind } from '../kinds/registry.ts';

const ACTIONS = KIND_ACTIONS;

/** What the caller may do with a kind, as the access policy answers. */
function allowed(kind: RecordKind<object>, principal: Principal | null): Record<(typeof ACTIONS)[number], boolean> {
  return Object.fromEntries(ACTIONS.map((action) => [action, can(principal, action, { kind: kind.id })])) as Record<(typeof ACTIONS)[number], boolean>;
}

const kindSchema = z.object({
  id: z.enum(KIND_IDS),
  noun: z.object({ en: z.string(), km: z.string() }),
  geometry: z.enum(['polygon', 'point', 'none']),
  fields: z.array(z.object({
    name: z.string(),
    required: z.boolean(),
    description: z.string(),
    input: z.object({ type: z.enum(['text', 'date', 'integer', 'choice']), choices: z.array(z.string()).optional(), suggestions: z.array(z.string()).optional() }).optional(),
  })),
  public_columns: z.array(z.string()),
  report_dimensions: z.array(z.string()),
  allowed: z.object(Object.fromEntries(ACTIONS.map((a) => [a, z.boolean()])) as Record<(typeof ACTIONS)[number], z.ZodBoolean>),
}).meta({ id: 'RecordKind' });

const notFound = { description: 'No record of the kind has the ref', contentType: 'application/problem+json', schema: problemSchema };

/**
 * GET /api/<kind>/{ref}/history for every kind, from its declaration: who may read it (its access), what
 * each version shows (its history columns), one reader for every kind's <table>_version.
 */
function historyRoute(id: KindId): RouteSpec {
  const kind = kindOf(id);
  return route({
    method: 'GET',
    path: `/api/${id}/:ref/history`,
    summary: `Every version of one ${kind.noun.en}, newest first`,
    tags: [id],
    access: { action: 'read', kind: id },
    params: z.object({ ref: refSchema }),
    query: z.object({ ...page }),
    responses: { 200: { description: 'A page of versions, newest first: {items, total, limit, offset, more}' }, 404: notFound },
    async handler({ params, query, context, principal }) {
      return pageOfAll(await recordHistory(context.db, principal, id, params.ref), query);
    },
  });
}

export const KIND_ROUTES: RouteSpec[] = [
  route({
    method: 'GET',
    path: '/api/kinds',
    access: { action: 'reference' },
    summary: 'The kinds of record Clearway holds, their exchange fields, and what the caller may do with each',
    tags: ['reference'],
    unpaged: 'the kinds declared in code (src/kinds)',
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
  ...KIND_IDS.map(historyRoute),
];
