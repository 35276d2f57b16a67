// EO finds over HTTP: pages and details of the official record's finds, and the finds report.
import { z } from 'zod';
import { bboxSchema, page, pageOf, pageOfAll, route, problemSchema, type RouteSpec } from './route.ts';
import { FIND_REPORT_DIMENSIONS, findDetail, findsCsv, findsGeoJson, findsReport, listFinds } from '../app/finds.ts';
import { refSchema } from '../domain/exchange-format.ts';
import { asOfQuery } from './report-routes.ts';
import { checkAsOf } from '../app/land-release-report.ts';
import { FIND_CATEGORIES } from '../kinds/find.ts';

const invalid = { description: 'Invalid request', contentType: 'application/problem+json', schema: problemSchema };
const notFound = { description: 'Not found', contentType: 'application/problem+json', schema: problemSchema };

const findFilter = z.object({
  province: z.string().regex(/^\d{2}$/).optional(),
  district: z.string().regex(/^\d{4}$/).optional(),
  category: z.enum(FIND_CATEGORIES).optional(),
  operator: z.string().max(16).optional(),
  release: refSchema.optional().describe('ref of the land release'),
  hazard: refSchema.optional().describe('ref of the hazard'),
  bbox: bboxSchema.optional(),
  format: z.enum(['json', 'geojson']).default('json'),
  ...page,
});

const reportRow = z.object({ unit_code: z.string(), unit_name: z.string(), finds: z.number().int(), items: z.number().int(), destroyed_items: z.number().int() });
const findsReportSchema = z.object({
  by: z.enum(FIND_REPORT_DIMENSIONS),
  as_of: z.string().nullable(),
  rows: z.array(reportRow),
  total: z.object({ finds: z.number().int(), items: z.number().int(), destroyed_items: z.number().int() }),
}).meta({ id: 'FindsReport' });

export const FIND_ROUTES: RouteSpec[] = [
  route({
    method: 'GET',
    path: '/api/finds',
    access: { action: 'read', kind: 'finds' },
    summary: 'Explosive ordnance finds of the official record, filtered and paginated',
    tags: ['finds'],
    query: findFilter,
    responses: { 200: { description: 'A page of finds: {items, total, limit, offset}, or a FeatureCollection with total (format=geojson)' }, 400: invalid },
    async handler({ query, reply, context }) {
      const { format, ...filter } = query;
      if (format === 'geojson') {
        const collection = await findsGeoJson(context.db, filter);
        reply.type('application/geo+json');
        return { ...collection, limit: filter.limit, offset: filter.offset, more: filter.offset + collection.features.length < collection.total };
      }
      const { items, total } = await listFinds(context.db, filter);
      return pageOf(items, total, filter);
    },
  }),
  route({
    method: 'GET',
    path: '/api/finds/:ref',
    access: { action: 'read', kind: 'finds' },
    summary: 'One EO find with its version history',
    tags: ['finds'],
    unpaged: 'one record',
    params: z.object({ ref: refSchema }),
    responses: { 200: { description: 'The find and its history' }, 404: notFound },
    async handler({ params, context, principal }) {
      return findDetail(context.db, principal, params.ref);
    },
  }),
  route({
    method: 'GET',
    path: '/api/reports/finds',
    access: { action: 'reports' },
    summary: 'EO finds, items and items destroyed by one dimension; rows sum to the national total',
    tags: ['reports'],
    unpaged: 'a report: one row per unit of the dimension asked for',
    query: z.object({
      by: z.enum(FIND_REPORT_DIMENSIONS).default('province'),
      format: z.enum(['json', 'csv']).default('json'),
      as_of: asOfQuery,
    }),
    responses: { 200: { description: 'The report (json) or its rows (csv)', schema: findsReportSchema }, 400: invalid },
    async handler({ query, reply, context }) {
      const report = await findsReport(context.db, query.by, checkAsOf(query.as_of) ?? null);
      if (query.format === 'csv') {
        reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="finds-by-${query.by}.csv"`);
        return findsCsv(report);
      }
      return report;
    },
  }),
];
