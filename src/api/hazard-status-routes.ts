// The authority's own status of a hazard (e.g. reopened, with a reason), which the computed one never
// overwrites.
import { z } from 'zod';
import { route, problemSchema, type RouteSpec } from './route.ts';
import { jsonBody } from './request-body.ts';
import { setHazardStatus } from '../app/hazard-status.ts';
import { refSchema } from '../domain/exchange-format.ts';
import { AUTHORITY_SETTABLE_STATUSES } from '../domain/hazard-status.ts';

const problem = (description: string) => ({ description, contentType: 'application/problem+json', schema: problemSchema });

const statusBody = z.object({
  status: z.enum(AUTHORITY_SETTABLE_STATUSES).describe('reopened, open, in_progress or released: kept until set again; computed: back to the status the accounting gives'),
  reason: z.string().min(1).max(2000).describe('why (e.g. the inspection that failed)'),
}).meta({ id: 'HazardStatusChange' });

const statusSchema = z.object({
  ref: z.string(),
  version: z.number().int(),
  status: z.string(),
  status_source: z.enum(['computed', 'authority']),
  status_reason: z.string().nullable(),
  status_set_by: z.string().nullable(),
  status_set_at: z.string().nullable(),
}).meta({ id: 'HazardStatus' });

export const HAZARD_STATUS_ROUTES: RouteSpec[] = [
  route({
    method: 'POST',
    path: '/api/hazards/:ref/status',
    access: { action: 'hazard_status' },
    summary: 'Set a hazard\'s status as the authority (e.g. reopened, with a reason): a new version; the accounting never overwrites it',
    tags: ['hazards'],
    params: z.object({ ref: refSchema }),
    body: { contentTypes: ['application/json'], description: 'The status and why', schema: statusBody },
    responses: {
      200: { description: 'The hazard\'s new status and version', schema: statusSchema },
      400: problem('Unknown status or no reason'),
      404: problem('No hazard has this ref'),
      409: problem('The hazard was combined into another one'),
    },
    async handler({ params, request, context, principal }) {
      const body = statusBody.parse(jsonBody(request));
      return setHazardStatus(context.db, { ref: params.ref, status: body.status, reason: body.reason, actor: principal?.username ?? 'api' });
    },
  }),
];
