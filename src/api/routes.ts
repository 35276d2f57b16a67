// The HTTP API of the official record. Handlers are thin: validated input in, one use case, result out.
import { z } from 'zod';
import { bboxSchema, page, pageOf, pageOfAll, pageQuery, pageSchema, route, problemSchema, type RouteSpec } from './route.ts';
import * as record from '../app/official-record.ts';
import { importRecords, type ImportKind } from '../app/import-records.ts';
import { landReleaseCsv, landReleaseReport } from '../app/land-release-report.ts';
import { readAuditLog, releasesBehind } from '../app/traceability.ts';
import { todayInCambodia, type Database } from '../app/open.ts';
import { CONTAMINATION_TYPES, HAZARD_STATUSES, HAZARD_TYPES, RELEASE_KINDS, refSchema } from '../domain/exchange-format.ts';
import { REPORT_DIMENSIONS } from '../domain/land-release-figures.ts';
import { ClearwayError } from '../domain/problems.ts';
import { principalFromSession, signIn, signOut } from '../app/accounts.ts';
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie } from './authentication.ts';
import { jsonBody, readUpload } from './request-body.ts';
import { SUBMISSION_ROUTES } from './submission-routes.ts';
import { submitImport } from '../app/submissions.ts';
import { ACCESS_ROUTES } from './access-routes.ts';
import { FIND_ROUTES } from './find-routes.ts';
import { KIND_ROUTES } from './kind-routes.ts';
import { KIND_IDS, kindOf } from '../kinds/registry.ts';
import { REPORT_ROUTES, asOfQuery } from './report-routes.ts';
import { HAZARD_STATUS_ROUTES } from './hazard-status-routes.ts';
import { RECORD_OWNER_ROUTES } from './record-owner-routes.ts';

const hazardFilter = z.object({
  province: z.string().regex(/^\d{2}$/).optional().describe('province code, 2 digits'),
  district: z.string().regex(/^\d{4}$/).optional().describe('district code, 4 digits'),
  type: z.enum(HAZARD_TYPES).optional(),
  status: z.enum(HAZARD_STATUSES).optional(),
  contamination: z.enum(CONTAMINATION_TYPES).optional(),
  bbox: bboxSchema.optional(),
  format: z.enum(['json', 'geojson']).default('json'),
  ...page,
});

const figures = z.object({
  original_m2: z.number(),
  cancelled_m2: z.number(),
  reduced_m2: z.number(),
  cleared_m2: z.number(),
  remaining_m2: z.number(),
});

const reportSchema = z.object({
  by: z.enum(REPORT_DIMENSIONS),
  as_of: z.string().optional().describe('the date the figures are for, when asked with as_of'),
  rows: z.array(figures.extend({ unit_code: z.string(), unit_name: z.string(), unit_name_km: z.string().nullable() })),
  total: figures,
}).meta({ id: 'LandReleaseReport' });

const healthSchema = z.object({
  status: z.literal('ok'),
  engine: z.enum(['embedded', 'server']),
  postgres: z.string(),
  postgis: z.string(),
}).meta({ id: 'Health' });

const importReportSchema = z.object({
  kind: z.enum(KIND_IDS),
  file: z.string(),
  format: z.string().nullable(),
  dryRun: z.boolean(),
  stored: z.boolean(),
  records: z.number().int(),
  accepted: z.number().int(),
  errorCount: z.number().int().describe('every error found; errors lists the first 1,000'),
  errors: z.array(z.object({ severity: z.string(), code: z.string(), ref: z.string().optional(), feature: z.number().optional(), line: z.number().optional(), field: z.string().optional(), reason: z.string() })),
  notes: z.array(z.object({ severity: z.string(), code: z.string(), ref: z.string().optional(), feature: z.number().optional(), line: z.number().optional(), field: z.string().optional(), reason: z.string() })),
  batchId: z.number().nullable(),
  statusChanges: z.number().int(),
  durationMs: z.number(),
}).meta({ id: 'ImportReport' });

const notFound = { description: 'Not found', contentType: 'application/problem+json', schema: problemSchema };
const invalid = { description: 'Invalid request', contentType: 'application/problem+json', schema: problemSchema };

function importRoute(kind: ImportKind): RouteSpec {
  return route({
    method: 'POST',
    path: `/api/imports/${kind}`,
    access: { action: 'import', kind },
    summary: `Import ${kind} from a GeoJSON or CSV (${kindOf(kind).geometry === 'point' ? 'lon/lat or WKT' : 'WKT'} geometry) file in the exchange format: a dry run checks it; otherwise it becomes a submitted submission that another person approves`,
    tags: ['imports'],
    query: z.object({
      dry_run: z.enum(['true', 'false']).default('false').describe('validate only, store nothing'),
      repair: z.enum(['true', 'false']).default('false').describe('repair invalid polygons and report what changed'),
      file_name: z.string().max(200).optional().describe('name of the uploaded file, for the report'),
    }),
    body: {
      contentTypes: ['application/geo+json', 'application/json', 'text/csv', 'multipart/form-data'],
      description: 'The file itself as the body, or as the multipart field "file"',
      records: { kinds: [kind] },
    },
    responses: {
      200: { description: 'Dry run: the import report (nothing stored)', schema: importReportSchema },
      202: {
        description: 'Accepted for review: the file is now a submitted submission (submission_id) that another person approves; nothing in the official record changed yet (stored: false)',
        schema: importReportSchema.extend({ submission_id: z.number().int() }),
      },
      400: invalid,
      422: { description: 'Refused (nothing kept) or dry run with errors: the import report', schema: importReportSchema },
      413: { description: 'Larger than the upload limit', contentType: 'application/problem+json', schema: problemSchema },
    },
    async handler({ query, request, reply, context, principal }) {
      const dryRun = query.dry_run === 'true';
      if (!dryRun && query.repair === 'true') {
        throw new ClearwayError('request.invalid', 'repair=true works with dry_run=true: a submission keeps the file as sent, so repair the file and send it again', 400, { field: 'repair' });
      }
      const upload = await readUpload(request);
      const fileName = query.file_name ?? upload.fileName ?? `upload.${upload.format === 'csv' ? 'csv' : 'geojson'}`;
      if (dryRun) {
        const report = await importRecords(context.db, {
          kind, fileName, format: upload.format, text: upload.text, dryRun: true, repair: query.repair === 'true',
          actor: principal?.username ?? 'api', today: todayInCambodia(),
        });
        reply.code(report.errors.length > 0 ? 422 : 200);
        return report;
      }
      // No single person changes the official record (issue 8, point 5): the file becomes a submission that
      // another person reviews and approves; the answer keeps the import report's fields.
      if (!principal) throw new ClearwayError('auth.required', 'Sign in first', 401);
      const started = Date.now();
      const { validation, format, submission } = await submitImport(context.db, principal, { kind, fileName, format: upload.format, text: upload.text });
      reply.code(submission ? 202 : 422);
      return {
        kind, file: fileName, format, dryRun: false, stored: false, records: validation.records, accepted: validation.accepted,
        errorCount: validation.errorCount, errors: validation.errors, notes: validation.notes, batchId: null, statusChanges: 0,
        durationMs: Date.now() - started, ...(submission ? { submission_id: submission.id } : {}),
      };
    },
  });
}

export const SIGN_IN_BODY_BYTES = 4096;

const credentialsSchema = z.object({
  username: z.string().trim().toLowerCase().min(1).max(64),
  password: z.string().min(1).max(1024),
}).meta({ id: 'Credentials' });

const principalSchema = z.object({
  username: z.string(),
  role: z.string(),
  organisation: z.string(),
}).meta({ id: 'Principal' });

const sessionRoutes: RouteSpec[] = [
  route({
    method: 'POST',
    path: '/api/session',
    access: { action: 'session' },
    summary: 'Sign in: sets the session cookie (HttpOnly, SameSite=Lax) and returns the CSRF token to send on changes',
    tags: ['session'],
    body: { contentTypes: ['application/json'], description: 'Username and password', schema: credentialsSchema },
    responses: {
      200: { description: 'Signed in', schema: z.object({ csrfToken: z.string(), user: principalSchema }) },
      401: { description: 'Wrong username or password', contentType: 'application/problem+json', schema: problemSchema },
      429: { description: 'Too many failed sign-ins; try again after Retry-After seconds', contentType: 'application/problem+json', schema: problemSchema },
    },
    skipAuthentication: true,
    // A username and a password are a few hundred bytes: nobody needs to send megabytes to sign in.
    bodyLimit: SIGN_IN_BODY_BYTES,
    async handler({ request, reply, context }) {
      // Browsers say where a request comes from; a sign-in posted by another site is refused.
      if (request.headers['sec-fetch-site'] === 'cross-site') throw new ClearwayError('auth.forbidden', 'Sign in from Clearway itself', 403);
      const { username, password } = credentialsSchema.parse(jsonBody(request));
      const { userAddress, user, address } = context.signInLimits;
      const pair = `${username} ${request.ip}`;
      const wait = Math.max(userAddress.retryAfter([pair]), user.retryAfter([username]), address.retryAfter([request.ip]));
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new ClearwayError('auth.rate-limited', `Too many failed sign-ins; try again in ${wait} s`, 429);
      }
      // Counted as a failure before the password is checked, so that many attempts sent at once cannot all
      // pass the limit while scrypt works; a success takes back its own count.
      userAddress.fail([pair]);
      user.fail([username]);
      address.fail([request.ip]);
      const signedIn = await signIn(context.db, username, password);
      if (!signedIn) {
        for (const [limiter, key] of [[userAddress, pair], [user, username], [address, request.ip]] as const) limiter.failedNow([key]);
        throw new ClearwayError('auth.wrong-credentials', 'Wrong username or password', 401);
      }
      userAddress.succeed([pair]);
      user.forgetOne(username);
      address.forgetOne(request.ip);
      setSessionCookie(reply, signedIn.sessionToken, signedIn.expiresAt, context.config.secureCookies);
      const { username: name, role, organisation } = signedIn.principal;
      return { csrfToken: signedIn.csrfToken, user: { username: name, role, organisation } };
    },
  }),
  route({
    method: 'GET',
    path: '/api/session',
    access: { action: 'session' },
    summary: 'Who is signed in, and the CSRF token of the session (so a reloaded page can keep making changes)',
    tags: ['session'],
    unpaged: 'one session',
    responses: {
      200: { description: 'The signed-in user; csrfToken is null for an API token', schema: principalSchema.extend({ csrfToken: z.string().nullable() }) },
      401: { description: 'Not signed in', contentType: 'application/problem+json', schema: problemSchema },
    },
    async handler({ request, context, principal }) {
      if (!principal) throw new ClearwayError('auth.required', 'Not signed in', 401);
      // The page forgets the token returned at sign-in when it is reloaded. Handing it out again on a GET is
      // safe: another site's page can send our cookie but cannot read the answer (no CORS).
      const token = principal.via === 'session' ? request.cookies[SESSION_COOKIE] : undefined;
      const session = token ? await principalFromSession(context.db, token) : null;
      return { username: principal.username, role: principal.role, organisation: principal.organisation, csrfToken: session?.csrfToken ?? null };
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/session',
    access: { action: 'session' },
    summary: 'Sign out (with the X-CSRF-Token header)',
    tags: ['session'],
    responses: { 204: { description: 'Signed out' } },
    async handler({ request, reply, context, principal }) {
      const token = request.cookies[SESSION_COOKIE];
      if (token && principal) await signOut(context.db, token);
      clearSessionCookie(reply, context.config.secureCookies);
      reply.code(204);
      return null;
    },
  }),
];

// Health proves that the server's event loop answers, so it asks the database nothing: during a long import
// the embedded engine (one connection) would make it wait for the import. The versions are read once, when
// the server is built (docs/decisions/0015).
const versionsByDatabase = new WeakMap<Database, Promise<{ postgres: string; postgis: string }>>();
export function engineVersionsOnce(db: Database): Promise<{ postgres: string; postgis: string }> {
  let versions = versionsByDatabase.get(db);
  if (!versions) {
    versions = record.engineVersions(db);
    versionsByDatabase.set(db, versions);
    // A failed read is tried again on the next call rather than remembered.
    versions.catch(() => versionsByDatabase.delete(db));
  }
  return versions;
}

export const ROUTES: RouteSpec[] = [
  ...sessionRoutes,
  ...ACCESS_ROUTES,
  ...SUBMISSION_ROUTES,
  ...REPORT_ROUTES,
  ...HAZARD_STATUS_ROUTES,
  ...RECORD_OWNER_ROUTES,
  route({
    method: 'GET',
    path: '/api/health',
    access: { action: 'system' },
    summary: 'Whether Clearway and its database answer',
    tags: ['system'],
    unpaged: 'one status',
    responses: { 200: { description: 'Healthy', schema: healthSchema } },
    async handler({ context }) {
      return { status: 'ok', engine: context.db.engine, ...(await engineVersionsOnce(context.db)) };
    },
  }),
  route({
    method: 'GET',
    path: '/api/config',
    access: { action: 'system' },
    summary: 'Settings the web client needs',
    tags: ['system'],
    unpaged: 'one set of settings',
    responses: { 200: { description: 'Client settings', schema: z.object({ basemapUrl: z.string().nullable() }) } },
    async handler({ context }) {
      return { basemapUrl: context.config.basemapUrl };
    },
  }),
  route({
    method: 'GET',
    path: '/api/organisations',
    access: { action: 'reference' },
    summary: 'Organisations of the sector and their short codes',
    tags: ['reference'],
    query: z.object({ ...page }),
    responses: { 200: { description: 'A page of organisations, by code', schema: pageSchema(z.object({ code: z.string(), name: z.string(), kind: z.string() })) } },
    async handler({ query, context }) {
      return pageOfAll(await record.listOrganisations(context.db), query);
    },
  }),
  route({
    method: 'GET',
    path: '/api/admin-units',
    access: { action: 'reference' },
    summary: 'Administrative units (NCDD codes), with geometry as GeoJSON for provinces, districts and communes; paginated by code',
    tags: ['reference'],
    query: z.object({
      level: z.enum(['province', 'district', 'commune', 'village']).default('province'),
      parent: z.string().regex(/^\d{2,6}$/).optional().describe('only the units under this code'),
      format: z.enum(['json', 'geojson']).default('geojson'),
      // 1,000 by default: the 25 provinces and 197 districts still come in one answer, as clients expect.
      ...pageQuery(1_000, 10_000),
    }),
    responses: {
      200: { description: 'A page of units: a FeatureCollection with total, limit, offset and more (geojson), or {items, total, limit, offset, more} (json)', contentType: 'application/geo+json' },
      400: invalid,
    },
    async handler({ query, reply, context }) {
      const { level, parent, limit, offset } = query;
      if (query.format === 'json') {
        const { items, total } = await record.adminUnitsList(context.db, level, parent, { limit, offset });
        return pageOf(items, total, query);
      }
      if (level === 'village') {
        throw new ClearwayError('request.invalid', 'Clearway holds no geometry for villages (the gazetteer gives none): ask for format=json', 400, { field: 'format' });
      }
      const { features, count, total } = await record.adminUnitsGeoJson(context.db, level, parent, { limit, offset });
      reply.type('application/geo+json');
      return `{"type":"FeatureCollection","total":${total},"limit":${limit},"offset":${offset},"more":${offset + count < total},"features":${features}}`;
    },
  }),
  route({
    method: 'GET',
    path: '/api/hazards',
    access: { action: 'read', kind: 'hazards' },
    summary: 'Hazard areas of the official record, filtered and paginated',
    tags: ['hazards'],
    query: hazardFilter,
    responses: {
      200: { description: 'A page of hazards: {items, total, limit, offset, more}, or a FeatureCollection with the same page fields (format=geojson)' },
      400: invalid,
    },
    async handler({ query, reply, context }) {
      const { format, ...filter } = query;
      const total = await record.countHazards(context.db, filter);
      if (format === 'geojson') {
        const features = await record.hazardsGeoJson(context.db, filter);
        // The page holds min(limit, what is left after offset) features: no need to parse them to count.
        const more = filter.offset + filter.limit < total;
        reply.type('application/geo+json');
        return `{"type":"FeatureCollection","total":${total},"limit":${filter.limit},"offset":${filter.offset},"more":${more},"features":${features}}`;
      }
      return pageOf(await record.listHazards(context.db, filter), total, filter);
    },
  }),
  route({
    method: 'GET',
    path: '/api/hazards/:ref',
    access: { action: 'read', kind: 'hazards' },
    summary: 'One hazard with its land release accounting, releases and version history',
    tags: ['hazards'],
    unpaged: 'one record',
    params: z.object({ ref: refSchema }),
    responses: { 200: { description: 'The hazard' }, 404: notFound },
    async handler({ params, context }) {
      return record.hazardDetail(context.db, params.ref);
    },
  }),
  route({
    method: 'GET',
    path: '/api/releases',
    access: { action: 'read', kind: 'releases' },
    summary: 'Land release activities, filtered and paginated',
    tags: ['releases'],
    query: z.object({
      hazard: refSchema.optional().describe('ref of the hazard'),
      operator: z.string().optional(),
      kind: z.enum(RELEASE_KINDS).optional(),
      ...page,
    }),
    responses: { 200: { description: 'A page of releases: {items, total, limit, offset, more}' }, 400: invalid },
    async handler({ query, context }) {
      const { items, total } = await record.listReleases(context.db, query);
      return pageOf(items, total, query);
    },
  }),
  route({
    method: 'GET',
    path: '/api/reports/land-release',
    access: { action: 'reports' },
    summary: 'Land release accounting (original = cancelled + reduced + cleared + remaining, m2) by one dimension',
    tags: ['reports'],
    unpaged: 'a report: one row per unit of the dimension asked for',
    query: z.object({ by: z.enum(REPORT_DIMENSIONS).default('province'), format: z.enum(['json', 'csv']).default('json'), as_of: asOfQuery }),
    responses: { 200: { description: 'The report (json) or its rows (csv)', schema: reportSchema }, 400: invalid },
    async handler({ query, reply, context }) {
      const report = await landReleaseReport(context.db, query.by, query.as_of);
      if (query.format === 'csv') {
        const dated = query.as_of ? `-as-of-${query.as_of}` : '';
        reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="land-release-by-${query.by}${dated}.csv"`);
        return landReleaseCsv(report);
      }
      return report;
    },
  }),
  route({
    method: 'GET',
    path: '/api/reports/land-release/releases',
    access: { action: 'reports' },
    summary: 'The releases behind one row of the land release report, with the batch and submission each came from',
    tags: ['reports'],
    query: z.object({ by: z.enum(REPORT_DIMENSIONS).default('province'), unit: z.string().min(1).max(64).describe('the row\'s unit_code'), as_of: asOfQuery, ...page }),
    responses: { 200: { description: 'A page of releases: {items, total, limit, offset, more}' }, 400: invalid },
    async handler({ query, context }) {
      const { items, total } = await releasesBehind(context.db, query.by, query.unit, query, query.as_of);
      return pageOf(items, total, query);
    },
  }),
  route({
    method: 'GET',
    path: '/api/audit',
    access: { action: 'audit' },
    summary: 'The audit log: who did what, when, from which batch (newest first)',
    tags: ['audit'],
    query: z.object({ entity: z.string().optional(), ref: z.string().optional(), actor: z.string().optional(), ...page }),
    responses: { 200: { description: 'A page of audit events, newest first: {items, total, limit, offset, more}' }, 401: invalid, 403: invalid },
    async handler({ query, context }) {
      const { items, total } = await readAuditLog(context.db, query);
      return pageOf(items, total, query);
    },
  }),
  ...FIND_ROUTES,
  ...KIND_ROUTES,
  ...KIND_IDS.map(importRoute),
];
