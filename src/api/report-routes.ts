// Reports that compare someone's figures with the official record: the discrepancy report (an operator's
// own monthly summary beside the record, each difference with the records that explain it).
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { page, pageOfAll, pageSchema, route, problemSchema, type RouteSpec } from './route.ts';
import { jsonBody, readMultipartFile } from './request-body.ts';
import { discrepancyCsv, discrepancyReport, organisationToCompare, type SummaryInput } from '../app/discrepancy-report.ts';
import { EXPLANATION_REASONS } from '../domain/discrepancy.ts';
import { RELEASE_KINDS } from '../domain/exchange-format.ts';
import { ClearwayError } from '../domain/problems.ts';
import { seesDraftsOf } from '../domain/access-policy.ts';
import { SUBMISSION_STATES } from '../domain/submission-workflow.ts';
import { XLSX_MEDIA_TYPE } from '../formats/summary-table.ts';
import { compareFrozen, comparisonCsv, FREEZABLE_REPORTS, freezeReport, frozenCsv, listFrozen, showFrozen } from '../app/frozen-reports.ts';

/** `as_of=YYYY-MM-DD` on a report: the land as it stood that day, as the record knows it now (checked by the app). */
export const asOfQuery = z.string().max(32).optional()
  .describe('YYYY-MM-DD: the figures as of that date (releases ended by then, hazards recorded by then), as the record knows them now');

const formatQuery = z.object({ format: z.enum(['json', 'csv']).default('json') });

const frozenSummarySchema = z.object({
  name: z.string(),
  report: z.string(),
  by: z.string(),
  as_of: z.string(),
  row_count: z.number().int(),
  created_by: z.string().optional().describe('who froze it (staff only)'),
  created_at: z.string(),
}).meta({ id: 'FrozenReportSummary' });

const freezeBody = z.object({
  report: z.string().default('land-release').describe(`which report: ${Object.keys(FREEZABLE_REPORTS).join(', ')}`),
  by: z.string().default('province'),
  as_of: z.string().describe('YYYY-MM-DD'),
  name: z.string().min(1).max(200).describe('the name people cite it by, e.g. "Article 7 2025"; unique'),
}).meta({ id: 'FreezeRequest' });

const figureRecord = z.record(z.string(), z.number());
const changeSchema = z.object({
  record: z.enum(['release', 'hazard', 'find']),
  ref: z.string(),
  version: z.number().int(),
  change: z.enum(['new', 'updated', 'combined']),
  changed_at: z.string(),
  changed_by: z.string().optional().describe('staff only'),
  change_reason: z.string().optional().describe('staff only'),
  batch_id: z.number().int().nullable(),
  submission_id: z.number().int().nullable(),
  counted_m2: z.number().nullable().describe('for a release: what it counts as of the date, today'),
});
const comparisonSchema = z.object({
  name: z.string(),
  report: z.string(),
  by: z.string(),
  as_of: z.string(),
  frozen_at: z.string(),
  frozen_by: z.string().optional().describe('staff only'),
  rows: z.array(z.object({
    unit_code: z.string(),
    unit_name: z.string(),
    frozen: figureRecord.nullable(),
    today: figureRecord.nullable(),
    difference: figureRecord.describe('today - frozen'),
    changes: z.array(changeSchema).describe('records changed since the freeze that bear on this row, with their batch and submission'),
  })),
  total: z.object({ frozen: figureRecord, today: figureRecord, difference: figureRecord }),
}).meta({ id: 'FrozenReportComparison' });

const nameParams = z.object({ name: z.string().min(1).max(200) });

const problem = (description: string) => ({ description, contentType: 'application/problem+json', schema: problemSchema });

const summaryRowSchema = z.object({
  province: z.union([z.string(), z.number()]).describe('NCDD code (01 to 25), P-code (KH01) or English name, any case'),
  month: z.string().describe('YYYY-MM'),
  kind: z.enum(RELEASE_KINDS),
  released_m2: z.number().min(0),
});

// Rows are checked one by one by the domain (each problem names its row and field), so the body itself is
// only required to be a list of objects; the declared schema above is what a row should hold.
const rowsBody = z.object({ rows: z.array(z.record(z.string(), z.unknown())).min(1).max(100_000) });

const recordSchema = z.object({
  ref: z.string(),
  m2: z.number().describe('the record\'s own m2, never negative'),
  submission_id: z.number().int().optional(),
  state: z.enum(SUBMISSION_STATES).optional(),
});

const discrepancyReportSchema = z.object({
  organisation: z.string(),
  period: z.object({ from: z.string(), to: z.string() }).describe('the first and last month of the summary'),
  totals: z.object({ operator_m2: z.number(), official_m2: z.number(), difference_m2: z.number() }),
  rows: z.array(z.object({
    province_code: z.string(),
    province_name_en: z.string().nullable(),
    province_name_km: z.string().nullable(),
    month: z.string(),
    kind: z.enum(RELEASE_KINDS),
    operator_m2: z.number(),
    official_m2: z.number(),
    difference_m2: z.number().describe('operator_m2 - official_m2'),
    explanations: z.array(z.object({
      reason: z.enum(EXPLANATION_REASONS),
      m2: z.number().describe('signed share of the difference; the explanations of a row sum to difference_m2'),
      records: z.array(recordSchema).describe('at most 50, largest first'),
      more: z.number().int().describe('records not listed'),
    })),
  })).describe('cells differing by 0.5 m2 or more, largest difference first'),
  matching: z.number().int().describe('cells that agree within 0.5 m2'),
}).meta({ id: 'DiscrepancyReport' });

/** The summary: a file (multipart "file", or the body as CSV or XLSX), or JSON {rows}. */
async function summaryInput(request: FastifyRequest): Promise<SummaryInput> {
  if (request.isMultipart()) return { file: await readMultipartFile(request) };
  const contentType = request.headers['content-type'] ?? '';
  if (contentType.startsWith('application/json')) return { rows: rowsBody.parse(jsonBody(request)).rows };
  const body: unknown = request.body;
  if (Buffer.isBuffer(body) && body.length > 0) return { file: { bytes: body, contentType } };
  if (typeof body === 'string' && body.length > 0) return { file: { bytes: Buffer.from(body, 'utf8'), contentType } };
  throw new ClearwayError('request.invalid', 'Send the summary as the multipart field "file" (XLSX or CSV), as a CSV body, or as JSON {rows}', 400, { field: 'body' });
}

const FROZEN_ROUTES: RouteSpec[] = [
  route({
    method: 'POST',
    path: '/api/reports/frozen',
    access: { action: 'freeze' },
    summary: 'Freeze a report as of a date under a name, for publication: its figures are kept exactly as served, whatever is approved later',
    tags: ['reports'],
    body: { contentTypes: ['application/json'], description: 'Which report, by what, as of which date, and its name', schema: freezeBody },
    responses: {
      201: { description: 'Frozen', schema: frozenSummarySchema },
      400: problem('A field is missing or invalid (the problem names it)'),
      409: problem('A frozen report already has this name'),
    },
    async handler({ request, reply, context, principal }) {
      const body = freezeBody.parse(jsonBody(request));
      const frozen = await freezeReport(context.db, { report: body.report, by: body.by, asOf: body.as_of, name: body.name, actor: principal?.username ?? 'api' });
      reply.code(201);
      return frozen;
    },
  }),
  route({
    method: 'GET',
    path: '/api/reports/frozen',
    access: { action: 'reports' },
    summary: 'The frozen reports, newest first',
    tags: ['reports'],
    query: z.object({ ...page }),
    responses: { 200: { description: 'A page of frozen reports', schema: pageSchema(frozenSummarySchema) } },
    async handler({ query, context }) {
      return pageOfAll(await listFrozen(context.db), query);
    },
  }),
  route({
    method: 'GET',
    path: '/api/reports/frozen/:name',
    access: { action: 'reports' },
    summary: 'One frozen report: exactly the figures frozen',
    tags: ['reports'],
    unpaged: 'one report: one row per unit, as frozen',
    params: nameParams,
    query: formatQuery,
    responses: { 200: { description: 'The frozen report (json) or its rows (csv)' }, 404: problem('No frozen report has this name') },
    async handler({ params, query, reply, context }) {
      const frozen = await showFrozen(context.db, params.name);
      if (query.format === 'csv') {
        reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName(frozen.name)}.csv"`);
        return frozenCsv(frozen);
      }
      return frozen;
    },
  }),
  route({
    method: 'GET',
    path: '/api/reports/frozen/:name/compare',
    access: { action: 'reports' },
    summary: 'A frozen report beside today\'s figures for the same date: per row the difference per figure, and the records and submissions changed since the freeze that explain it',
    tags: ['reports'],
    unpaged: 'one report: one row per unit, as frozen',
    params: nameParams,
    query: formatQuery,
    responses: { 200: { description: 'The comparison (json) or one line per row (csv)', schema: comparisonSchema }, 404: problem('No frozen report has this name') },
    async handler({ params, query, reply, context }) {
      const comparison = await compareFrozen(context.db, params.name);
      if (query.format === 'csv') {
        reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName(comparison.name)}-compared.csv"`);
        return comparisonCsv(comparison);
      }
      return comparison;
    },
  }),
];

/** A frozen report's name as a safe file name. */
const fileName = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'frozen-report';

export const REPORT_ROUTES: RouteSpec[] = [
  ...FROZEN_ROUTES,
  route({
    method: 'POST',
    path: '/api/reports/discrepancy',
    access: { action: 'discrepancy' },
    summary: 'Compare an operator\'s own monthly summary (m2 released per province, month and kind) with the official record, each difference with the records that explain it',
    tags: ['reports'],
    query: z.object({
      organisation: z.string().trim().toUpperCase().regex(/^[A-Z][A-Z0-9-]{1,15}$/, 'an organisation code such as HALO').optional()
        .describe('whose summary it is: operators may only name their own (the default); the authority must name one'),
      format: z.enum(['json', 'csv']).optional().describe('csv: one line per differing cell and reason (also chosen by Accept: text/csv)'),
    }),
    body: {
      contentTypes: ['multipart/form-data', 'text/csv', XLSX_MEDIA_TYPE, 'application/json'],
      description: 'The summary: an XLSX workbook (first worksheet) or CSV file with the columns province, month, kind, released_m2 (multipart field "file", or the body), or JSON {rows: [{province, month, kind, released_m2}]}',
      schema: z.object({ rows: z.array(summaryRowSchema) }),
    },
    responses: {
      200: { description: 'The comparison (json), or one line per differing cell and reason (csv)', schema: discrepancyReportSchema },
      400: problem('No summary sent, or the authority did not name the organisation'),
      403: problem('Not allowed to compare this organisation'),
      404: problem('No such organisation'),
      422: problem('The summary cannot be read or has errors: errors lists each with its line, field and reason; nothing was compared'),
    },
    async handler({ query, request, reply, context, principal }) {
      if (!principal) throw new ClearwayError('auth.required', 'Sign in first', 401);
      // Access is settled before the upload is read: a refused caller learns nothing from its file either.
      const organisation = organisationToCompare(principal, query.organisation);
      const report = await discrepancyReport(context.db, {
        organisation, summary: await summaryInput(request), actor: principal.username, includeDrafts: seesDraftsOf(principal, organisation),
      });
      const csv = query.format === 'csv' || (query.format === undefined && (request.headers.accept ?? '').includes('text/csv'));
      if (csv) {
        reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="discrepancy-${organisation}-${report.period.from}-${report.period.to}.csv"`);
        return discrepancyCsv(report);
      }
      return report;
    },
  }),
];
