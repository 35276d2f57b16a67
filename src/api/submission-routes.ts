// The submission workflow over HTTP: operators submit, the authority approves, returns or rejects.
import { KIND_IDS } from '../kinds/registry.ts';
import type { SubmissionKind } from '../app/submission-items.ts';
import { z } from 'zod';
import { page, pageOf, pageQuery, pageSchema, route, problemSchema, type RouteSpec } from './route.ts';
import { jsonBody, readUpload } from './request-body.ts';
import * as submissions from '../app/submissions.ts';
import { reviewSubmission } from '../app/submission-review.ts';
import { reconcileSubmission } from '../app/submission-reconciliation.ts';
import { RECONCILIATION_ACTIONS } from '../domain/reconciliation.ts';
import { ClearwayError } from '../domain/problems.ts';
import type { Principal } from '../domain/roles.ts';
import { SUBMISSION_STATES } from '../domain/submission-workflow.ts';
import type { FastifyRequest } from 'fastify';

const idParams = z.object({ id: z.coerce.number().int().positive() });
const kindQuery = z.object({ kind: z.enum([...KIND_IDS, 'mixed']).optional().describe('what the file holds; without it each record says its own record_kind (hazard, release or find)') });
const problem = (description: string) => ({ description, contentType: 'application/problem+json', schema: problemSchema });

const submissionSchema = z.object({
  id: z.number().int(),
  organisation: z.string(),
  kind: z.enum([...KIND_IDS, 'mixed']),
  state: z.enum(SUBMISSION_STATES),
  file_name: z.string(),
  validation: z.object({ records: z.number(), accepted: z.number(), errorCount: z.number(), errors: z.array(z.unknown()), notes: z.array(z.unknown()) }),
  created_by: z.string(),
  submitted_by: z.string().nullable(),
  decided_by: z.string().nullable(),
  decision: z.unknown(),
}).meta({ id: 'Submission' });

const itemsSchema = z.object({ items: z.array(z.object({ type: z.literal('Feature') }).loose()).min(1) });
const returnSchema = z.object({ reasons: z.array(z.object({ item: z.string().min(1), reason: z.string().trim().min(1) })).min(1) }).meta({ id: 'ReturnReasons' });
const reconciliationSchema = z.object({
  items: z.array(z.object({
    item: z.number().int().min(0).describe('the item\'s index in the submission (0-based), as the review lists it'),
    action: z.enum(RECONCILIATION_ACTIONS),
    targets: z.array(z.object({ ref: z.string().min(1), version: z.number().int().min(1).describe('the version you reviewed') })).max(100),
  })).min(1).max(10_000),
}).meta({ id: 'Reconciliation' });
const rejectSchema = z.object({ reason: z.string().trim().min(1) }).meta({ id: 'RejectReason' });

/** A file (raw body or multipart "file"), or JSON {items: [GeoJSON Feature]} made into a FeatureCollection. */
async function uploadOf(request: FastifyRequest, kind: SubmissionKind): Promise<submissions.Upload> {
  const contentType = request.headers['content-type'] ?? '';
  if (!request.isMultipart() && contentType.startsWith('application/json')) {
    const body = jsonBody(request);
    const items = itemsSchema.safeParse(body);
    if (items.success) {
      return { kind, fileName: `form-${kind}.geojson`, format: 'geojson', text: JSON.stringify({ type: 'FeatureCollection', features: items.data.items }) };
    }
  }
  const upload = await readUpload(request);
  return { kind, fileName: upload.fileName ?? `upload.${upload.format === 'csv' ? 'csv' : 'geojson'}`, format: upload.format, text: upload.text };
}

const signedIn = (principal: Principal | null): Principal => {
  if (!principal) throw new ClearwayError('auth.required', 'Sign in first', 401);
  return principal;
};

export const SUBMISSION_ROUTES: RouteSpec[] = [
  route({
    method: 'POST',
    path: '/api/submissions',
    access: { action: 'prepare' },
    summary: 'Create a draft from a file (body or multipart "file") or JSON {items}; it is validated at once',
    tags: ['submissions'],
    query: kindQuery,
    body: { contentTypes: ['multipart/form-data', 'application/geo+json', 'text/csv', 'application/json'], description: 'The file, or {items: [Feature]}', records: { kinds: KIND_IDS, items: true } },
    responses: { 201: { description: 'The draft with its validation report', schema: submissionSchema }, 403: problem('Not a submitting role') },
    async handler({ query, request, reply, context, principal }) {
      const submission = await submissions.createSubmission(context.db, signedIn(principal), await uploadOf(request, query.kind ?? 'mixed'));
      reply.code(201);
      return submission;
    },
  }),
  route({
    method: 'GET',
    path: '/api/submissions',
    access: { action: 'submissions' },
    summary: 'Submissions you may see (operators: their organisation; the authority: every submitted one)',
    tags: ['submissions'],
    query: z.object({ state: z.enum(SUBMISSION_STATES).optional(), ...page }),
    responses: { 200: { description: 'A page of submissions, newest first', schema: pageSchema(submissionSchema) } },
    async handler({ query, context, principal }) {
      const { items, total } = await submissions.listSubmissions(context.db, signedIn(principal), query.state, query);
      return pageOf(items, total, query);
    },
  }),
  route({
    method: 'GET',
    path: '/api/submissions/:id',
    access: { action: 'submissions' },
    summary: 'One submission with its validation report',
    tags: ['submissions'],
    unpaged: 'one submission',
    params: idParams,
    responses: { 200: { description: 'The submission', schema: submissionSchema }, 404: problem('No such submission that you may see') },
    async handler({ params, context, principal }) {
      return submissions.getSubmission(context.db, signedIn(principal), params.id);
    },
  }),
  route({
    method: 'GET',
    path: '/api/submissions/:id/items',
    access: { action: 'submissions' },
    summary: 'Review: each item beside the official record it would change (same ref) or overlap (m2), with its problems',
    tags: ['submissions'],
    params: idParams,
    // Items carry their geometry and the official record beside it: smaller pages than other lists.
    query: z.object({ ...pageQuery(500, 5_000) }),
    responses: { 200: { description: 'A page of items: {id, kind, items, total, limit, offset, more}' }, 404: problem('No such submission that you may see') },
    async handler({ params, query, context, principal }) {
      const review = await reviewSubmission(context.db, signedIn(principal), params.id, query);
      return { ...review, ...pageOf(review.items, review.total, query) };
    },
  }),
  route({
    method: 'PUT',
    path: '/api/submissions/:id',
    access: { action: 'prepare' },
    summary: 'Replace the file of a draft or returned submission (validated again; back to draft)',
    tags: ['submissions'],
    params: idParams,
    body: { contentTypes: ['multipart/form-data', 'application/geo+json', 'text/csv', 'application/json'], description: 'The corrected file, or {items}', records: { kinds: KIND_IDS, items: true } },
    responses: { 200: { description: 'The draft', schema: submissionSchema }, 409: problem('No longer editable') },
    async handler({ params, request, context, principal }) {
      const current = await submissions.getSubmission(context.db, signedIn(principal), params.id);
      return submissions.replaceSubmissionFile(context.db, signedIn(principal), params.id, await uploadOf(request, current.kind));
    },
  }),
  route({
    method: 'POST',
    path: '/api/submissions/:id/submit',
    access: { action: 'prepare' },
    summary: 'Submit a draft (or a corrected returned submission) for review',
    tags: ['submissions'],
    params: idParams,
    responses: { 200: { description: 'Submitted', schema: submissionSchema }, 409: problem('Not in a state that can be submitted'), 422: problem('The file has validation errors') },
    async handler({ params, context, principal }) {
      return submissions.submitSubmission(context.db, signedIn(principal), params.id);
    },
  }),
  route({
    method: 'POST',
    path: '/api/submissions/:id/approve',
    access: { action: 'approve' },
    summary: 'Approve: apply every item to the official record as new versions, in one transaction (never by the submitter)',
    tags: ['submissions'],
    params: idParams,
    responses: { 200: { description: 'Approved and applied', schema: submissionSchema }, 403: problem('The submitter cannot approve (four eyes)'), 409: problem('Not submitted, or items conflict with the official record now: nothing applied') },
    async handler({ params, context, principal }) {
      return submissions.approveSubmission(context.db, signedIn(principal), params.id);
    },
  }),
  route({
    method: 'PUT',
    path: '/api/submissions/:id/reconciliation',
    access: { action: 'approve' },
    summary: 'Reconcile items: new, update of an official record (by ref or an overlap), or combine several hazards into one',
    tags: ['submissions'],
    params: idParams,
    body: { contentTypes: ['application/json'], description: '{items: [{item, action, targets: [{ref, version}]}]}; items not named keep their reconciliation', schema: reconciliationSchema },
    responses: {
      200: { description: 'Every item\'s reconciliation: {items: [{item, ref, action, targets, chosen}]}' },
      403: problem('Not a reviewer, or the submitter (four eyes)'),
      409: problem('Not submitted, or a target changed since it was seen'),
      422: problem('A reconciliation that is not possible, naming the items'),
    },
    async handler({ params, request, context, principal }) {
      const { items } = reconciliationSchema.parse(jsonBody(request));
      return { items: await reconcileSubmission(context.db, signedIn(principal), params.id, items) };
    },
  }),
  route({
    method: 'POST',
    path: '/api/submissions/:id/return',
    access: { action: 'approve' },
    summary: 'Return to the operator with reasons per item',
    tags: ['submissions'],
    params: idParams,
    body: { contentTypes: ['application/json'], description: '{reasons: [{item, reason}]}', schema: returnSchema },
    responses: { 200: { description: 'Returned', schema: submissionSchema }, 403: problem('The submitter cannot return it (four eyes)') },
    async handler({ params, request, context, principal }) {
      const { reasons } = returnSchema.parse(jsonBody(request));
      return submissions.returnSubmission(context.db, signedIn(principal), params.id, reasons);
    },
  }),
  route({
    method: 'POST',
    path: '/api/submissions/:id/reject',
    access: { action: 'approve' },
    summary: 'Reject with a reason',
    tags: ['submissions'],
    params: idParams,
    body: { contentTypes: ['application/json'], description: '{reason}', schema: rejectSchema },
    responses: { 200: { description: 'Rejected', schema: submissionSchema }, 403: problem('The submitter cannot reject it (four eyes)') },
    async handler({ params, request, context, principal }) {
      const { reason } = rejectSchema.parse(jsonBody(request));
      return submissions.rejectSubmission(context.db, signedIn(principal), params.id, reason);
    },
  }),
];
