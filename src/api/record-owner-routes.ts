// The authority's act that changes who owns an official record (its operator), with a reason: the only way an
// owner changes (a submission naming another operator is refused).
import { z } from 'zod';
import { route, problemSchema, type RouteSpec } from './route.ts';
import { jsonBody } from './request-body.ts';
import { changeRecordOwner } from '../app/record-owner.ts';
import { refSchema } from '../domain/exchange-format.ts';
import { KIND_IDS, kindOf, type KindId } from '../kinds/registry.ts';

const problem = (description: string) => ({ description, contentType: 'application/problem+json', schema: problemSchema });

const ownerBody = z.object({
  operator: z.string().trim().min(1).max(16).describe('the code of the organisation that owns the record from now on'),
  reason: z.string().trim().min(1).max(2000).describe('why (e.g. the handover letter of 2026-03-01)'),
}).meta({ id: 'OwnerChange' });

const ownerSchema = z.object({
  ref: z.string(),
  version: z.number().int().describe('the new version of the record'),
  operator: z.string(),
  previous: z.string().nullable().describe('the operator before'),
}).meta({ id: 'RecordOwner' });

function ownerRoute(kind: KindId): RouteSpec {
  const noun = kindOf(kind).noun.en;
  return route({
    method: 'POST',
    path: `/api/${kind}/:ref/owner`,
    summary: `Give a ${noun} to another operator, as the authority, with a reason: a new version, audited; the only way its owner changes`,
    tags: [kind],
    // The authority's act on the record itself (the policy's administer: its data officers and administrators).
    access: { action: 'administer', kind },
    params: z.object({ ref: refSchema }),
    body: { contentTypes: ['application/json'], description: 'The new owner and why', schema: ownerBody },
    responses: {
      200: { description: 'The record\'s new owner and version', schema: ownerSchema },
      400: problem('No reason, or no organisation has this code'),
      404: problem(`No ${noun} has this ref`),
      409: problem('The record already belongs to this operator, or was combined into another one'),
    },
    async handler({ params, request, context, principal }) {
      const body = ownerBody.parse(jsonBody(request));
      return changeRecordOwner(context.db, { kind, ref: params.ref, operator: body.operator, reason: body.reason, actor: principal?.username ?? 'api' });
    },
  });
}

export const RECORD_OWNER_ROUTES: RouteSpec[] = KIND_IDS.map(ownerRoute);
