// Explosive ordnance finds, the first kind added through a declaration: imported as GeoJSON points or CSV
// (lon/lat or WKT), checked, placed in their units, reported, submitted and approved, on the engine under test.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import type { Database } from '../../src/db/engine.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import { findsReport } from '../../src/app/finds.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { collection, count, importFixture, importText } from '../support/fixtures.ts';

let db: Database;
let app: FastifyInstance;
let officer: string;
let reviewer: string;
let halo: string;

const BATTAMBANG = [103.198012, 13.095034] as const;
const PHNOM_PENH = [104.920011, 11.560022] as const;
/** In Thailand, 6 km from the border: within the 10 km allowance, in no Cambodian unit. */
const ACROSS_THE_BORDER = [102.500013, 13.660021] as const;

function findFeature(properties: Record<string, unknown>, lonLat: readonly [number, number] | null) {
  return {
    type: 'Feature',
    properties: { category: 'AP', model: 'PMN-2', quantity: 1, found_on: '2025-03-01', operator: 'HALO', ...properties },
    geometry: lonLat ? { type: 'Point', coordinates: lonLat } : null,
  };
}

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  expect((await importFixture(db, 'hazards', 'hazards-small.geojson')).errors).toEqual([]);
  expect((await importFixture(db, 'releases', 'releases-small.geojson')).errors).toEqual([]);
  for (const [username, role, organisation] of [['cmaa.officer', 'authority_data_officer', 'CMAA'], ['cmaa.reviewer', 'authority_reviewer', 'CMAA'], ['halo.officer', 'operator_data_officer', 'HALO']] as const) {
    await addUser(db, { username, role, organisation, password: 'a-long-password' }, 'test');
  }
  officer = (await createApiToken(db, 'cmaa.officer', 'finds test', 'test')).token;
  reviewer = (await createApiToken(db, 'cmaa.reviewer', 'finds test', 'test')).token;
  halo = (await createApiToken(db, 'halo.officer', 'finds test', 'test')).token;
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 1024 * 1024 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('the devices held on releases', () => {
  it('became finds at the release point on surface, marked approximate, none lost', async () => {
    // releases-small.geojson lists PMN-2 x3 and Type 72A x1 on LR-0002, TM-46 x2 on LR-0004, BLU-26 x14 on LR-0005.
    const finds = await db.query<{ ref: string; model: string; quantity: number; release_ref: string; hazard_ref: string; location_approximate: boolean; on_surface: boolean; inside: boolean }>(
      `select f.ref, f.model, f.quantity, f.release_ref, f.hazard_ref, f.location_approximate,
              st_equals(f.geom, st_pointonsurface(r.geom)) as on_surface, st_covers(r.geom, f.geom) as inside
       from find f join land_release r on r.ref = f.release_ref order by f.ref`,
    );
    expect(finds.rows.map((f) => [f.ref, f.model, f.quantity, f.release_ref, f.hazard_ref])).toEqual([
      ['LR-0002-D1', 'PMN-2', 3, 'LR-0002', 'HZ-PL-0001'],
      ['LR-0002-D2', 'Type 72A', 1, 'LR-0002', 'HZ-PL-0001'],
      ['LR-0004-D1', 'TM-46', 2, 'LR-0004', 'HZ-OM-0003'],
      ['LR-0005-D1', 'BLU-26', 14, 'LR-0005', 'HZ-PV-0004'],
    ]);
    for (const find of finds.rows) expect(find).toMatchObject({ location_approximate: true, on_surface: true, inside: true });
    const devices = await db.query<{ items: number }>(`select coalesce(sum((d ->> 'quantity')::int), 0)::int as items from land_release, jsonb_array_elements(devices) d`);
    expect((await findsReport(db, 'province')).total.items).toBe(devices.rows[0]!.items);
  });
});

describe('an authority officer imports finds', () => {
  it('stores GeoJSON points with their province and district from the geometry, every digit of the place kept', async () => {
    const report = await importText(db, 'finds', collection([
      findFeature({ ref: 'F-BB-1', quantity: 2, destroyed_on: '2025-03-02', destruction_method: 'in situ', depth_cm: 15 }, [103.1980001, 13.0950004]),
      findFeature({ ref: 'F-PP-1', category: 'UXO', model: 'Mortar 82mm', operator: 'CMAC' }, PHNOM_PENH),
    ]), { fileName: 'finds.geojson' });
    expect(report.errors).toEqual([]);
    expect(report.stored).toBe(true);
    const response = await app.inject({ method: 'GET', url: '/api/finds/F-BB-1' });
    expect(response.statusCode).toBe(200);
    const { find, history } = response.json() as { find: Record<string, unknown>; history: unknown[] };
    expect(find).toMatchObject({ ref: 'F-BB-1', province_code: '02', district_code: '0203', quantity: 2, destruction_method: 'in_situ', depth_cm: 15, lon: 103.1980001, lat: 13.0950004, version: 1 });
    expect(find).not.toHaveProperty('changed_by');
    expect(history).toHaveLength(1);
  });

  it('reads CSV with lon/lat columns and CSV with WKT, and notes a model outside the reference list', async () => {
    const lonLat = `ref,category,model,quantity,found_on,operator,lon,lat\nF-CSV-1,AT,TM46,1,2024-05-01,MAG,${BATTAMBANG[0]},${BATTAMBANG[1]}\nF-CSV-2,UXO,Homemade thing,4,2024-05-02,MAG,${(BATTAMBANG[0] + 0.01).toFixed(6)},${BATTAMBANG[1]}\n`;
    const first = await importText(db, 'finds', lonLat, { fileName: 'finds.csv' });
    expect(first.errors).toEqual([]);
    expect(first.notes).toEqual([expect.objectContaining({ code: 'model.unlisted', ref: 'F-CSV-2', line: 3, field: 'model' })]);
    const wkt = `ref,category,model,quantity,found_on,wkt\nF-CSV-3,submunition,BLU-61,7,2024-06-01,POINT(${PHNOM_PENH[0]} ${PHNOM_PENH[1]})\n`;
    expect((await importText(db, 'finds', wkt, { fileName: 'wkt.csv' })).errors).toEqual([]);
    // Fewer than 6 decimal places is a note naming the column, and the coordinate is kept as written.
    const short = await importText(db, 'finds', `ref,category,model,quantity,found_on,lon,lat\nF-CSV-4,UXO,M79 grenade,1,2024-05-03,103.2,13.1\n`, { fileName: 'short.csv' });
    expect(short.errors).toEqual([]);
    expect(short.notes).toEqual([
      expect.objectContaining({ code: 'geometry.low-precision', ref: 'F-CSV-4', line: 2, field: 'lon' }),
      expect.objectContaining({ code: 'geometry.low-precision', ref: 'F-CSV-4', line: 2, field: 'lat' }),
    ]);
    // A listed model is stored as the list spells it.
    expect((await db.query(`select model from find where ref = 'F-CSV-1'`)).rows[0]).toEqual({ model: 'TM-46' });
  });

  it.each([
    ['an unknown category', { ref: 'X1', category: 'BOMBISH' }, BATTAMBANG, 'category.unknown', 'category'],
    ['a quantity of none', { ref: 'X2', quantity: 0 }, BATTAMBANG, 'field.invalid', 'quantity'],
    ['an unknown destruction method', { ref: 'X3', destruction_method: 'burnt' }, BATTAMBANG, 'destruction-method.unknown', 'destruction_method'],
    ['a destruction before the find', { ref: 'X4', destroyed_on: '2025-02-01' }, BATTAMBANG, 'date.destroyed-before-found', 'destroyed_on'],
    ['a date in the future', { ref: 'X5', found_on: '2099-01-01' }, BATTAMBANG, 'date.future', 'found_on'],
    ['an unknown release', { ref: 'X6', release_ref: 'LR-NOPE' }, BATTAMBANG, 'release.unknown', 'release_ref'],
    ['an unknown operator', { ref: 'X7', operator: 'NOBODY' }, BATTAMBANG, 'operator.unknown', 'operator'],
    ['a point in Bangkok', { ref: 'X8' }, [100.5, 13.75] as const, 'geometry.outside-country', 'geometry'],
    ['latitude and longitude swapped', { ref: 'X9' }, [13.095, 103.198] as const, 'geometry.swapped-coordinates', 'geometry'],
    ['a polygon', { ref: 'X10' }, null, 'geometry.missing', 'geometry'],
  ])('refuses the whole file for %s, naming the record and the field', async (_what, properties, lonLat, code, field) => {
    const before = await count(db, 'find');
    const report = await importText(db, 'finds', collection([findFeature({ ref: 'OK-1' }, BATTAMBANG), findFeature(properties, lonLat)]));
    expect(report.stored).toBe(false);
    expect(report.errors).toEqual([expect.objectContaining({ code, ref: properties.ref, feature: 1, field })]);
    expect(await count(db, 'find')).toBe(before);
  });

  it('takes the hazard of the release a find names, and refuses a hazard that contradicts it', async () => {
    expect((await importText(db, 'finds', collection([findFeature({ ref: 'F-LR-1', release_ref: 'LR-0002' }, [102.62, 12.85])]))).errors).toEqual([]);
    expect((await db.query(`select hazard_ref from find where ref = 'F-LR-1'`)).rows[0]).toEqual({ hazard_ref: 'HZ-PL-0001' });
    const report = await importText(db, 'finds', collection([findFeature({ ref: 'F-LR-2', release_ref: 'LR-0002', hazard_ref: 'HZ-OM-0003' }, [102.62, 12.85])]));
    expect(report.errors).toEqual([expect.objectContaining({ code: 'field.invalid', ref: 'F-LR-2', field: 'hazard_ref' })]);
  });
});

describe('the finds report', () => {
  it('sums to the national total by every dimension, with points in no unit on an unassigned row', async () => {
    expect((await importText(db, 'finds', collection([findFeature({ ref: 'F-BORDER-1', quantity: 5 }, ACROSS_THE_BORDER)]))).errors).toEqual([]);
    const national = await db.query<{ finds: number; items: number; destroyed: number }>(
      `select count(*)::int as finds, sum(quantity)::int as items, coalesce(sum(quantity) filter (where destroyed_on is not null), 0)::int as destroyed from find`,
    );
    const expected = national.rows[0]!;
    for (const by of ['province', 'district', 'category', 'model', 'operator', 'year'] as const) {
      const response = await app.inject({ method: 'GET', url: `/api/reports/finds?by=${by}` });
      expect(response.statusCode).toBe(200);
      const report = response.json() as { rows: { unit_code: string; finds: number; items: number; destroyed_items: number }[]; total: { finds: number; items: number; destroyed_items: number } };
      expect(report.total).toEqual({ finds: expected.finds, items: expected.items, destroyed_items: expected.destroyed });
      expect(report.rows.reduce((n, r) => n + r.items, 0)).toBe(expected.items);
      expect(report.rows.reduce((n, r) => n + r.finds, 0)).toBe(expected.finds);
    }
    const byProvince = (await app.inject({ method: 'GET', url: '/api/reports/finds?by=province' })).json() as { rows: { unit_code: string; unit_name: string; items: number }[] };
    expect(byProvince.rows.at(-1)).toMatchObject({ unit_code: 'unassigned', items: 5 });
    expect(byProvince.rows.find((r) => r.unit_code === '02')).toMatchObject({ unit_name: 'Battambang' });
    const csv = await app.inject({ method: 'GET', url: '/api/reports/finds?by=category&format=csv' });
    expect(csv.body.split('\n')[0]).toBe('unit_code,unit_name,finds,items,destroyed_items');
  });

  it('gives the figures as of a date: what was found by then, what was destroyed by then', async () => {
    const asOf = (await app.inject({ method: 'GET', url: '/api/reports/finds?by=year&as_of=2024-12-31' })).json() as { rows: { unit_code: string }[]; total: { items: number } };
    const expected = await db.query<{ items: number }>(`select coalesce(sum(quantity), 0)::int as items from find where found_on <= '2024-12-31'`);
    expect(asOf.total.items).toBe(expected.rows[0]!.items);
    expect(asOf.rows.every((r) => r.unit_code <= '2024')).toBe(true);
    expect((await app.inject({ method: 'GET', url: '/api/reports/finds?as_of=2024-13-01' })).json()).toMatchObject({ status: 422, code: 'date.not-iso', field: 'as_of' });
  });
});

describe('finds through the API and the workflow', () => {
  it('imports by POST /api/imports/finds for the authority, not for an operator, through another person\'s approval', async () => {
    const body = collection([findFeature({ ref: 'F-API-1' }, BATTAMBANG)]);
    const refused = await app.inject({ method: 'POST', url: '/api/imports/finds', headers: { authorization: `Bearer ${halo}`, 'content-type': 'application/geo+json' }, body });
    expect(refused.statusCode).toBe(403);
    const sent = await app.inject({ method: 'POST', url: '/api/imports/finds', headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/geo+json' }, body });
    expect(sent.statusCode).toBe(202);
    expect(sent.json()).toMatchObject({ kind: 'finds', stored: false, accepted: 1 });
    expect(await count(db, `find where ref = 'F-API-1'`)).toBe(0);
    const id = (sent.json() as { submission_id: number }).submission_id;
    const approved = await app.inject({ method: 'POST', url: `/api/submissions/${id}/approve`, headers: { authorization: `Bearer ${reviewer}` } });
    expect(approved.statusCode).toBe(200);
    expect(await count(db, `find where ref = 'F-API-1'`)).toBe(1);
  });

  it('an operator submits finds without naming itself, a reviewer approves, and they are the operator\'s', async () => {
    const body = collection([findFeature({ ref: 'F-SUB-1', operator: undefined, quantity: 3 }, BATTAMBANG)]);
    const created = await app.inject({ method: 'POST', url: '/api/submissions?kind=finds', headers: { authorization: `Bearer ${halo}`, 'content-type': 'application/geo+json' }, body });
    expect(created.statusCode).toBe(201);
    const { id, validation } = created.json() as { id: number; validation: { errorCount: number } };
    expect(validation.errorCount).toBe(0);
    expect(await count(db, `find where ref = 'F-SUB-1'`)).toBe(0);
    expect((await app.inject({ method: 'POST', url: `/api/submissions/${id}/submit`, headers: { authorization: `Bearer ${halo}` } })).statusCode).toBe(200);
    const items = await app.inject({ method: 'GET', url: `/api/submissions/${id}/items`, headers: { authorization: `Bearer ${reviewer}` } });
    expect(items.statusCode).toBe(200);
    expect((items.json() as { items: { ref: string; reconciliation: { action: string } }[] }).items[0]).toMatchObject({ ref: 'F-SUB-1', reconciliation: { action: 'new' } });
    const approved = await app.inject({ method: 'POST', url: `/api/submissions/${id}/approve`, headers: { authorization: `Bearer ${reviewer}` } });
    expect(approved.statusCode).toBe(200);
    const stored = await db.query(`select f.operator_code, f.quantity, b.submission_id from find f join change_batch b on b.id = f.batch_id where f.ref = 'F-SUB-1'`);
    expect(stored.rows[0]).toEqual({ operator_code: 'HALO', quantity: 3, submission_id: id });
  });

  it('an update keeps the fields the item leaves out, and the history keeps both versions', async () => {
    const body = collection([{ type: 'Feature', properties: { ref: 'F-SUB-1', category: 'AP', model: 'PMN-2', quantity: 4, found_on: '2025-03-01' }, geometry: { type: 'Point', coordinates: BATTAMBANG } }]);
    await db.query(`update find set condition = 'rusted', changed_by = 'test', change_reason = 'condition noted' where ref = 'F-SUB-1'`);
    const created = await app.inject({ method: 'POST', url: '/api/submissions?kind=finds', headers: { authorization: `Bearer ${halo}`, 'content-type': 'application/geo+json' }, body });
    const { id, validation } = created.json() as { id: number; validation: { notes: { code: string }[] } };
    expect(validation.notes.map((n) => n.code)).toContain('record.updates');
    await app.inject({ method: 'POST', url: `/api/submissions/${id}/submit`, headers: { authorization: `Bearer ${halo}` } });
    expect((await app.inject({ method: 'POST', url: `/api/submissions/${id}/approve`, headers: { authorization: `Bearer ${reviewer}` } })).statusCode).toBe(200);
    const detail = (await app.inject({ method: 'GET', url: '/api/finds/F-SUB-1', headers: { authorization: `Bearer ${reviewer}` } })).json() as { find: Record<string, unknown>; history: { version: number; quantity: number }[] };
    expect(detail.find).toMatchObject({ quantity: 4, condition: 'rusted', operator_code: 'HALO', version: 3 });
    expect(detail.history.map((h) => [h.version, h.quantity])).toEqual([[3, 4], [2, 3], [1, 3]]);
    // An anonymous caller reads the find without its free text and without who changed it.
    const open = (await app.inject({ method: 'GET', url: '/api/finds/F-SUB-1' })).json() as { find: Record<string, unknown> };
    expect(open.find).not.toHaveProperty('condition');
    expect(open.find).not.toHaveProperty('changed_by');
  });

  it('lists finds as pages and as GeoJSON for the map', async () => {
    const page = (await app.inject({ method: 'GET', url: '/api/finds?province=02&limit=2' })).json() as { items: { province_code: string }[]; total: number };
    expect(page.items).toHaveLength(2);
    expect(page.total).toBeGreaterThan(2);
    expect(page.items.every((f) => f.province_code === '02')).toBe(true);
    const geojson = (await app.inject({ method: 'GET', url: '/api/finds?format=geojson&limit=10000' })).json() as { features: { geometry: { type: string } }[]; total: number };
    expect(geojson.features).toHaveLength(geojson.total);
    expect(geojson.features.every((f) => f.geometry.type === 'Point')).toBe(true);
  });
});

describe('the kinds the server declares', () => {
  it('lists every kind with its exchange fields and what the caller may do, for the web to build on', async () => {
    const anonymous = (await app.inject({ method: 'GET', url: '/api/kinds' })).json() as { id: string; geometry: string; fields: { name: string }[]; allowed: Record<string, boolean> }[];
    expect(anonymous.map((k) => k.id)).toEqual(['hazards', 'releases', 'finds']);
    const finds = anonymous.find((k) => k.id === 'finds')!;
    expect(finds.geometry).toBe('point');
    expect(finds.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['ref', 'category', 'model', 'quantity', 'found_on', 'destroyed_on', 'destruction_method', 'depth_cm', 'condition', 'operator', 'release_ref', 'hazard_ref']));
    expect(finds.allowed).toEqual({ read: true, read_personal: false, submit: false, review: false, approve: false, import: false, administer: false });
    const asOfficer = (await app.inject({ method: 'GET', url: '/api/kinds', headers: { authorization: `Bearer ${officer}` } })).json() as { id: string; allowed: Record<string, boolean> }[];
    expect(asOfficer.find((k) => k.id === 'finds')!.allowed).toEqual({ read: true, read_personal: true, submit: true, review: true, approve: false, import: true, administer: true });
    const asOperator = (await app.inject({ method: 'GET', url: '/api/kinds', headers: { authorization: `Bearer ${halo}` } })).json() as { id: string; allowed: Record<string, boolean> }[];
    expect(asOperator.find((k) => k.id === 'finds')!.allowed).toEqual({ read: true, read_personal: true, submit: true, review: false, approve: false, import: false, administer: false });
  });
});
