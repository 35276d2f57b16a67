// The HTTP API as a client sees it, on the engine under test.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import type { Database } from '../../src/db/engine.ts';
import { ROUTES } from '../../src/api/routes.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import { createTestDatabase, engineUnderTest } from '../support/test-database.ts';
import { circle, collection, count, hazardFeature, importFixture } from '../support/fixtures.ts';

let db: Database;
let app: FastifyInstance;
let TOKEN: string;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  await importFixture(db, 'hazards', 'hazards-small.geojson');
  await importFixture(db, 'releases', 'releases-small.geojson');
  await addUser(db, { username: 'cmaa.officer', role: 'authority_data_officer', organisation: 'CMAA', password: 'a-long-password' }, 'test');
  TOKEN = (await createApiToken(db, 'cmaa.officer', 'api test', 'test')).token;
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 256 * 1024 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const get = async (url: string) => app.inject({ method: 'GET', url });

describe('the API', () => {
  it('answers health with the engine and versions', async () => {
    const response = await get('/api/health');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', engine: engineUnderTest(), postgres: expect.stringMatching(/^\d+/), postgis: expect.stringMatching(/^3\./) });
  });

  it('publishes an OpenAPI 3.1 document describing every route and its parameters', async () => {
    const document = (await get('/api/openapi.json')).json() as { openapi: string; paths: Record<string, Record<string, { parameters: { name: string; schema: { enum?: string[] } }[] }>> };
    expect(document.openapi).toBe('3.1.0');
    for (const spec of ROUTES) expect(document.paths[spec.path.replace(/:(\w+)/g, '{$1}')]?.[spec.method.toLowerCase()]).toBeDefined();
    expect(document.paths['/api/session']).toHaveProperty('post');
    const hazards = document.paths['/api/hazards']!.get!;
    expect(hazards.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['province', 'type', 'status', 'contamination', 'bbox', 'limit', 'offset']));
    expect(hazards.parameters.find((p) => p.name === 'type')!.schema.enum).toEqual(['SHA', 'CHA']);
  });

  it('serves provinces and districts as GeoJSON with NCDD codes and P-codes', async () => {
    const provinces = (await get('/api/admin-units?level=province')).json() as { features: { properties: Record<string, string>; geometry: { type: string } }[] };
    expect(provinces.features).toHaveLength(25);
    expect(provinces.features.find((f) => f.properties.code === '24')?.properties).toMatchObject({ pcode: 'KH24', name_en: 'Pailin', level: 'province' });
    expect(provinces.features[0]!.geometry.type).toBe('MultiPolygon');
    const districts = (await get('/api/admin-units?level=district')).json() as { features: { properties: { code: string; parent_code: string } }[] };
    expect(districts.features).toHaveLength(197);
    expect(districts.features.every((f) => /^\d{4}$/.test(f.properties.code) && f.properties.code.startsWith(f.properties.parent_code))).toBe(true);
    const villages = (await get('/api/admin-units?level=village&parent=240101&format=json')).json() as { items: { code: string; pcode: string }[]; total: number };
    expect(villages.items[0]).toMatchObject({ code: '24010101', pcode: 'KH24010101' });
    expect(villages.total).toBe(villages.items.length);
  });

  it('filters and pages hazards', async () => {
    const all = (await get('/api/hazards?limit=2')).json() as { items: { ref: string }[]; total: number };
    expect(all.total).toBe(6);
    expect(all.items.map((h) => h.ref)).toEqual(['HZ-BB-0002', 'HZ-BM-0006']);
    const next = (await get('/api/hazards?limit=2&offset=2')).json() as { items: { ref: string }[] };
    expect(next.items.map((h) => h.ref)).toEqual(['HZ-KC-0005', 'HZ-OM-0003']);
    const cha = (await get('/api/hazards?type=CHA&contamination=AP')).json() as { items: { ref: string }[] };
    expect(cha.items.map((h) => h.ref)).toEqual(['HZ-OM-0003', 'HZ-PL-0001']);
    const pailin = (await get('/api/hazards?province=24&format=geojson')).json() as { type: string; total: number; features: { properties: { ref: string } }[] };
    expect(pailin).toMatchObject({ type: 'FeatureCollection', total: 1 });
    expect(pailin.features[0]!.properties.ref).toBe('HZ-PL-0001');
    const bbox = (await get('/api/hazards?bbox=104.9,13.8,105.1,14.0')).json() as { items: { ref: string }[] };
    expect(bbox.items.map((h) => h.ref)).toEqual(['HZ-PV-0004']);
    const released = (await get('/api/hazards?status=released')).json() as { items: { ref: string }[] };
    expect(released.items.map((h) => h.ref)).toEqual(['HZ-OM-0003']);
  });

  it('gives one hazard with its accounting, releases and history', async () => {
    const detail = (await get('/api/hazards/HZ-PL-0001')).json() as {
      hazard: Record<string, unknown>;
      accounting: Record<string, number>;
      releases: { ref: string; devices: unknown[] }[];
      history: { version: number; change_reason: string }[];
    };
    expect(detail.hazard).toMatchObject({ ref: 'HZ-PL-0001', province_name_en: 'Pailin', village_code: '24010101', status: 'in_progress' });
    expect(detail.releases.map((r) => r.ref)).toEqual(['LR-0001', 'LR-0002']);
    expect(detail.releases[1]!.devices).toEqual([{ category: 'AP', model: 'PMN-2', quantity: 3 }, { category: 'AP', model: 'Type 72A', quantity: 1 }]);
    expect(detail.history.map((h) => h.version)).toEqual([2, 1]);
    const a = detail.accounting;
    expect(a.original_m2! - a.cancelled_m2! - a.reduced_m2! - a.cleared_m2! - a.remaining_m2!).toBeCloseTo(0, 6);
  });

  it('answers unknown things with problem+json and a stable code', async () => {
    const missing = await get('/api/hazards/NOPE-1');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json()).toMatchObject({ status: 404, code: 'not-found', detail: 'No hazard has the ref NOPE-1' });
    const badQuery = await get('/api/hazards?type=XHA');
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json()).toMatchObject({ code: 'request.invalid' });
    expect((badQuery.json() as { detail: string }).detail).toContain('type');
  });

  it('reports land release by province as JSON and CSV', async () => {
    const json = (await get('/api/reports/land-release?by=province')).json() as { rows: { unit_code: string; cleared_m2: number }[]; total: { cleared_m2: number } };
    expect(json.rows.filter((r) => r.unit_code !== 'unassigned')).toHaveLength(25);
    expect(json.rows.reduce((s, r) => s + Math.round(r.cleared_m2 * 100), 0)).toBe(Math.round(json.total.cleared_m2 * 100));
    const csv = await get('/api/reports/land-release?by=province&format=csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toBe('unit_code,unit_name,original_m2,cancelled_m2,reduced_m2,cleared_m2,remaining_m2');
  });

  it('imports through the API only with the token, and a malformed or huge file never crashes it', async () => {
    const text = collection([hazardFeature({ ref: 'API-1' }, circle(103.6, 13.2, 200))]);
    const anonymous = await app.inject({ method: 'POST', url: '/api/imports/hazards', payload: text, headers: { 'content-type': 'application/geo+json' } });
    expect(anonymous.statusCode).toBe(401);
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/geo+json' };
    const dry = await app.inject({ method: 'POST', url: '/api/imports/hazards?dry_run=true', payload: text, headers: auth });
    expect(dry.json()).toMatchObject({ stored: false, dryRun: true, accepted: 1 });
    expect(await count(db, `hazard where ref = 'API-1'`)).toBe(0);
    // Not a dry run: a submission for another person to approve; nothing in the official record yet.
    const sent = await app.inject({ method: 'POST', url: '/api/imports/hazards', payload: text, headers: auth });
    expect(sent.statusCode).toBe(202);
    expect(sent.json()).toMatchObject({ stored: false, accepted: 1, submission_id: expect.any(Number) });
    expect(await count(db, `hazard where ref = 'API-1'`)).toBe(0);
    const malformed = await app.inject({ method: 'POST', url: '/api/imports/hazards', payload: '{"type":"FeatureCollection","features":[{', headers: auth });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.json()).toMatchObject({ stored: false, errors: [{ code: 'file.truncated' }] });
    const huge = await app.inject({ method: 'POST', url: '/api/imports/hazards', payload: 'x'.repeat(300 * 1024), headers: auth });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ code: 'file.too-large' });
    const boundary = 'clearwayboundary';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="h.csv"\r\nContent-Type: text/csv\r\n\r\nref,type,contamination,source,recorded_on,wkt\nAPI-2,SHA,ERW,community report,2024-01-01,"POLYGON((103.7 13.2,103.702 13.2,103.702 13.202,103.7 13.2))"\n\r\n--${boundary}--\r\n`;
    const upload = await app.inject({ method: 'POST', url: '/api/imports/hazards', payload: multipart, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(upload.json()).toMatchObject({ stored: false, format: 'csv', file: 'h.csv', submission_id: expect.any(Number) });
    expect((await get('/api/health')).statusCode).toBe(200);
  });
});
