// What the caller may do, as the access policy answers it: the web asks this instead of keeping its own copy
// of the rules (which views to offer, which buttons to show), and the server refuses anything else anyway.
import { z } from 'zod';
import { route, type RouteSpec } from './route.ts';
import { accessSummary, KIND_ACTIONS, SYSTEM_ACTIONS, VIEWS } from '../domain/access-policy.ts';
import { ROLES } from '../domain/roles.ts';
import { KIND_IDS } from '../kinds/registry.ts';

const scope = z.enum(['own', 'any']).nullable().describe('own: its own organisation\'s work only; any: every organisation\'s; null: not at all');
const record = <K extends string>(keys: readonly K[], value: z.ZodType) => z.object(Object.fromEntries(keys.map((k) => [k, value])) as Record<K, z.ZodType>);

const accessSchema = z.object({
  signed_in: z.boolean(),
  role: z.enum(ROLES).nullable(),
  organisation: z.string().nullable(),
  views: record(VIEWS, z.boolean()).describe('the web views the caller may open'),
  actions: record(SYSTEM_ACTIONS, scope),
  kinds: record(KIND_IDS, record(KIND_ACTIONS, scope)).describe('per kind of record and action, the caller\'s scope'),
}).meta({ id: 'Access' });

export const ACCESS_ROUTES: RouteSpec[] = [
  route({
    method: 'GET',
    path: '/api/access',
    access: { action: 'session' },
    summary: 'What the caller (signed in or not) may do: per kind and action, per other action, and which web views it may open',
    tags: ['session'],
    unpaged: 'one answer about the caller',
    responses: { 200: { description: 'The caller\'s access, from the one access policy', schema: accessSchema } },
    async handler({ principal }) {
      return accessSummary(principal);
    },
  }),
];
