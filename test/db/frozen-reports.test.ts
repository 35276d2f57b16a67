// Reports frozen for publication: the authority freezes the land release report as of 31 December 2025 as
// "Article 7 2025"; a release that ended in 2025 is approved in 2026; the frozen report still gives the old
// figures, and the comparison shows the difference in its province, naming the release and its submission.
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import type { Database } from '../../src/db/engine.ts';
import type { Role } from '../../src/domain/roles.ts';
import { createTestDatabase, engineUnderTest } from '../support/test-database.ts';
import { box, collection, fixturesDir, hazardFeature, importText, releaseFeature } from '../support/fixtures.ts';

let db: Database;
let url: string | null;
let app: FastifyInstance;
const tokens: Record<string, string> = {};

interface Figures { original_m2: number; cancelled_m2: number; reduced_m2: number; cleared_m2: number; remaining_m2: number }
interface Row extends Figures { unit_code: string; unit_name: string }
interface Change { record: string; ref: string; version: number; change: string; batch_id: number | null; submission_id: number | null; counted_m2: number | null }
interface Comparison {
  name: string; as_of: string; by: string;
  rows: { unit_code: string; frozen: Figures | null; today: Figures | null; difference: Figures; changes: Change[] }[];
  total: { frozen: Figures; today: Figures; difference: Figures };
}

const NAME = 'Article 7 2025';
const [X, Y] = [103.05, 13.62];
let province: string;
let servedAtFreeze: { rows: Row[]; total: Figures };
let lateSubmission: number;

const PEOPLE: [string, Role, string][] = [
  ['halo.officer', 'operator_data_officer', 'HALO'],
  ['cmaa.reviewer', 'authority_reviewer', 'CMAA'],
  ['cmaa.officer', 'authority_data_officer', 'CMAA'],
  ['admin', 'administrator', 'CMAA'],
  ['donor.viewer', 'donor_viewer', 'UNDP'],
];

function call(who: string | null, method: 'GET' | 'POST' | 'PUT', target: string, payload?: string, contentType = 'application/json') {
  return app.inject({ method, url: target, payload, headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), ...(payload ? { 'content-type': contentType } : {}) } });
}

const freeze = (who: string | null, body: Record<string, unknown>) => call(who, 'POST', '/api/reports/frozen', JSON.stringify(body));
const encoded = (name: string) => encodeURIComponent(name);

async function counted(ref: string): Promise<number> {
  return (await db.query<{ m2: number }>(`select c.counted_m2 as m2 from release_counted c join land_release r on r.id = c.release_id where r.ref = $1`, [ref])).rows[0]!.m2;
}

beforeAll(async () => {
  ({ db, url } = await createTestDatabase());
  for (const [username, role, organisation] of PEOPLE) {
    await addUser(db, { username, role, organisation, password: 'a-long-password' }, 'test');
    tokens[username] = (await createApiToken(db, username, 'test', 'test')).token;
  }
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 1024 * 1024 });
  expect((await importText(db, 'hazards', collection([
    hazardFeature({ ref: 'FRZ-A', recorded_on: '2024-01-10', operator: 'HALO' }, box(X, Y, X + 0.01, Y + 0.01)),
    hazardFeature({ ref: 'FRZ-B', recorded_on: '2025-02-01', operator: 'HALO' }, box(X + 0.02, Y, X + 0.03, Y + 0.01)),
  ]))).stored).toBe(true);
  expect((await importText(db, 'releases', collection([
    releaseFeature({ ref: 'FRZ-R1', hazard_ref: 'FRZ-A', kind: 'cleared', method: 'manual', start_date: '2025-01-01', end_date: '2025-03-31' }, box(X, Y, X + 0.004, Y + 0.01)),
  ]))).stored).toBe(true);
  province = (await db.query<{ province_code: string }>(`select province_code from hazard where ref = 'FRZ-A'`)).rows[0]!.province_code;
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('the authority freezes the land release report as of a date', () => {
  it('keeps the figures exactly as served, under a name that cannot be taken again', async () => {
    servedAtFreeze = (await call(null, 'GET', '/api/reports/land-release?by=province&as_of=2025-12-31')).json() as typeof servedAtFreeze;
    const frozen = await freeze('cmaa.reviewer', { report: 'land-release', by: 'province', as_of: '2025-12-31', name: NAME });
    expect(frozen.statusCode, frozen.body).toBe(201);
    expect(frozen.json()).toMatchObject({ name: NAME, report: 'land-release', by: 'province', as_of: '2025-12-31', row_count: servedAtFreeze.rows.length, created_by: 'cmaa.reviewer' });
    const again = await freeze('admin', { by: 'province', as_of: '2025-12-31', name: NAME });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'frozen.name-taken', field: 'name' });
    const list = ((await call(null, 'GET', '/api/reports/frozen')).json() as { items: { name: string }[] }).items;
    expect(list.map((f) => f.name)).toEqual([NAME]);
    const log = ((await call('cmaa.reviewer', 'GET', `/api/audit?entity=frozen_report&ref=${encoded(NAME)}`)).json() as { items: { actor: string; action: string }[] }).items;
    expect(log.map((e) => [e.actor, e.action])).toEqual([['cmaa.reviewer', 'report.freeze']]);
  });

  it('gives exactly the figures frozen after a release that ended in 2025 is approved in 2026', async () => {
    const draft = (await call('halo.officer', 'POST', '/api/submissions?kind=releases', collection([
      releaseFeature({ ref: 'FRZ-LATE', hazard_ref: 'FRZ-B', kind: 'cancelled', method: 'nts', start_date: '2025-11-01', end_date: '2025-11-30' }, box(X + 0.02, Y, X + 0.026, Y + 0.01)),
    ]), 'application/geo+json')).json() as { id: number };
    await call('halo.officer', 'POST', `/api/submissions/${draft.id}/submit`);
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/approve`)).statusCode).toBe(200);
    lateSubmission = draft.id;
    const today = (await call(null, 'GET', '/api/reports/land-release?by=province&as_of=2025-12-31')).json() as typeof servedAtFreeze;
    expect(today.total.cancelled_m2).toBeGreaterThan(servedAtFreeze.total.cancelled_m2);
    const shown = (await call(null, 'GET', `/api/reports/frozen/${encoded(NAME)}`)).json() as { rows: Row[]; total: Figures; as_of: string };
    expect(shown.rows).toEqual(servedAtFreeze.rows);
    expect(shown.total).toEqual(servedAtFreeze.total);
    expect(shown.as_of).toBe('2025-12-31');
    const csv = (await call(null, 'GET', `/api/reports/frozen/${encoded(NAME)}?format=csv`)).body;
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('unit_code,unit_name,original_m2,cancelled_m2,reduced_m2,cleared_m2,remaining_m2');
    const row = servedAtFreeze.rows.find((r) => r.unit_code === province)!;
    expect(lines).toContain([row.unit_code, row.unit_name, ...[row.original_m2, row.cancelled_m2, row.reduced_m2, row.cleared_m2, row.remaining_m2].map((n) => n.toFixed(2))].join(','));
  });

  it('compares with today\'s figures for the same date: the difference is the late release, named with its submission', async () => {
    const response = await call(null, 'GET', `/api/reports/frozen/${encoded(NAME)}/compare`);
    expect(response.statusCode, response.body).toBe(200);
    const comparison = response.json() as Comparison;
    const late = await counted('FRZ-LATE');
    const row = comparison.rows.find((r) => r.unit_code === province)!;
    expect(row.difference.cancelled_m2).toBeCloseTo(late, 1);
    expect(row.difference.remaining_m2).toBeCloseTo(-late, 1);
    expect(row.difference.original_m2).toBe(0);
    const batch = (await db.query<{ batch_id: number }>(`select batch_id from land_release where ref = 'FRZ-LATE'`)).rows[0]!.batch_id;
    expect(row.changes).toEqual([expect.objectContaining({ record: 'release', ref: 'FRZ-LATE', version: 1, change: 'new', batch_id: batch, submission_id: lateSubmission })]);
    expect(row.changes[0]!.counted_m2).toBeCloseTo(late, 6);
    // Every other province is unchanged and has nothing to explain.
    for (const other of comparison.rows.filter((r) => r.unit_code !== province)) {
      expect(Object.values(other.difference).every((d) => d === 0), other.unit_code).toBe(true);
      expect(other.changes).toEqual([]);
    }
    expect(comparison.total.difference.cancelled_m2).toBeCloseTo(late, 1);
    const csv = (await call(null, 'GET', `/api/reports/frozen/${encoded(NAME)}/compare?format=csv`)).body.trim().split('\n');
    expect(csv[0]).toBe('unit_code,unit_name,' + ['original_m2', 'cancelled_m2', 'reduced_m2', 'cleared_m2', 'remaining_m2'].flatMap((f) => [`${f}_frozen`, `${f}_today`, `${f}_difference`]).join(',') + ',changes');
    const line = csv.find((l) => l.startsWith(`${province},`))!;
    expect(line).toContain(`release FRZ-LATE v1 new batch ${batch} submission ${lateSubmission}`);
    expect(line).toContain(late.toFixed(2));
  });

  it('compares by year as well: the 2025 row gains the release and the land not released yet loses it', async () => {
    // Frozen before another late approval, by year.
    expect((await freeze('cmaa.officer', { by: 'year', as_of: '2025-12-31', name: 'Donor report 2025 by year' })).statusCode).toBe(201);
    const draft = (await call('halo.officer', 'POST', '/api/submissions?kind=releases', collection([
      releaseFeature({ ref: 'FRZ-LATE-2', hazard_ref: 'FRZ-A', kind: 'reduced', method: 'ts', start_date: '2025-12-01', end_date: '2025-12-20' }, box(X + 0.004, Y, X + 0.007, Y + 0.01)),
    ]), 'application/geo+json')).json() as { id: number };
    await call('halo.officer', 'POST', `/api/submissions/${draft.id}/submit`);
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/approve`)).statusCode).toBe(200);
    // And a hazard recorded in 2025, imported only now (in another province).
    const found = box(104.2, 10.9, 104.21, 10.91);
    expect((await importText(db, 'hazards', collection([hazardFeature({ ref: 'FRZ-FOUND', recorded_on: '2025-07-01' }, found)]))).stored).toBe(true);
    const foundArea = (await db.query<{ a: number }>(`select area_m2 as a from hazard where ref = 'FRZ-FOUND'`)).rows[0]!.a;
    const comparison = (await call(null, 'GET', `/api/reports/frozen/${encoded('Donor report 2025 by year')}/compare`)).json() as Comparison;
    const late = await counted('FRZ-LATE-2');
    const year = comparison.rows.find((r) => r.unit_code === '2025')!;
    expect(year.difference.reduced_m2).toBeCloseTo(late, 1);
    expect(year.changes.map((c) => [c.ref, c.submission_id])).toEqual([['FRZ-LATE-2', draft.id]]);
    const unassigned = comparison.rows.find((r) => r.unit_code === 'unassigned')!;
    expect(unassigned.difference.original_m2).toBeCloseTo(foundArea - late, 1);
    expect(unassigned.changes.map((c) => [c.record, c.ref, c.change])).toEqual([['release', 'FRZ-LATE-2', 'new'], ['hazard', 'FRZ-FOUND', 'new']]);
    expect(comparison.rows.find((r) => r.unit_code === '2024')?.difference.original_m2 ?? 0).toBe(0);
  });

  it('names hazards combined since the freeze and the hazard that replaced them, with its submission', async () => {
    const [x, y] = [104.4, 11.6];
    expect((await importText(db, 'hazards', collection([
      hazardFeature({ ref: 'FRZ-C1', recorded_on: '2024-03-01' }, box(x, y, x + 0.01, y + 0.01)),
      hazardFeature({ ref: 'FRZ-C2', recorded_on: '2025-03-01' }, box(x + 0.01, y, x + 0.02, y + 0.01)),
    ]))).stored).toBe(true);
    expect((await freeze('cmaa.officer', { by: 'province', as_of: '2025-12-31', name: 'Before the combine' })).statusCode).toBe(201);
    const whole = box(x - 0.002, y, x + 0.02, y + 0.01);
    const draft = (await call('halo.officer', 'POST', '/api/submissions?kind=hazards', collection([hazardFeature({ ref: 'FRZ-C', recorded_on: '2026-05-01', operator: 'HALO' }, whole)]), 'application/geo+json')).json() as { id: number };
    await call('halo.officer', 'POST', `/api/submissions/${draft.id}/submit`);
    const targets = [{ ref: 'FRZ-C1', version: 1 }, { ref: 'FRZ-C2', version: 1 }];
    expect((await call('cmaa.reviewer', 'PUT', `/api/submissions/${draft.id}/reconciliation`, JSON.stringify({ items: [{ item: 0, action: 'combine', targets }] }))).statusCode).toBe(200);
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/approve`)).statusCode).toBe(200);
    const areas = Object.fromEntries((await db.query<{ ref: string; area_m2: number; province_code: string }>(
      `select ref, area_m2, province_code from hazard where ref in ('FRZ-C', 'FRZ-C1', 'FRZ-C2')`,
    )).rows.map((r) => [r.ref, r]));
    const comparison = (await call(null, 'GET', `/api/reports/frozen/${encoded('Before the combine')}/compare`)).json() as Comparison;
    const row = comparison.rows.find((r) => r.unit_code === areas['FRZ-C']!.province_code)!;
    expect(row.difference.original_m2).toBeCloseTo(areas['FRZ-C']!.area_m2 - areas['FRZ-C1']!.area_m2 - areas['FRZ-C2']!.area_m2, 1);
    expect(row.changes.map((c) => [c.record, c.ref, c.change, c.submission_id])).toEqual([
      ['hazard', 'FRZ-C', 'new', draft.id], ['hazard', 'FRZ-C1', 'combined', draft.id], ['hazard', 'FRZ-C2', 'combined', draft.id],
    ]);
  });

  it('can never be changed or removed, even with SQL', async () => {
    await expect(db.query(`update frozen_report set rows = '[]'::jsonb where name = $1`, [NAME])).rejects.toThrow(/append-only/);
    await expect(db.query(`delete from frozen_report where name = $1`, [NAME])).rejects.toThrow(/append-only/);
    expect(((await call(null, 'GET', `/api/reports/frozen/${encoded(NAME)}`)).json() as { rows: Row[] }).rows).toEqual(servedAtFreeze.rows);
  });

  it('is frozen by the authority only, with a date, a known dimension and a name', async () => {
    for (const who of ['halo.officer', 'donor.viewer']) expect((await freeze(who, { by: 'province', as_of: '2025-12-31', name: `by ${who}` })).statusCode).toBe(403);
    expect((await freeze(null, { by: 'province', as_of: '2025-12-31', name: 'anonymous' })).statusCode).toBe(401);
    const bad = [
      [{ by: 'province', as_of: '2025-02-30', name: 'x1' }, 'as_of'],
      [{ by: 'village', as_of: '2025-12-31', name: 'x2' }, 'by'],
      [{ report: 'casualties', by: 'province', as_of: '2025-12-31', name: 'x3' }, 'report'],
      [{ by: 'province', as_of: '2025-12-31', name: '   ' }, 'name'],
    ] as const;
    for (const [body, field] of bad) {
      const response = await freeze('cmaa.officer', body);
      // A bad date is date.not-iso (422); a bad dimension, report or name a request that is not valid (400).
      expect(response.statusCode, JSON.stringify(body)).toBe(field === 'as_of' ? 422 : 400);
      expect(response.json(), JSON.stringify(body)).toMatchObject({ field });
    }
    expect((await freeze('cmaa.officer', { by: 'province', name: 'no date' })).statusCode).toBe(400);
    expect((await call(null, 'GET', '/api/reports/frozen/No%20such%20report')).statusCode).toBe(404);
    expect((await call(null, 'GET', '/api/reports/frozen/No%20such%20report/compare')).statusCode).toBe(404);
    expect(((await call(null, 'GET', '/api/reports/frozen')).json() as { items: unknown[] }).items.length).toBe(3);
  });
});

describe('the authority freezes the EO finds report as Article 7 gives it', () => {
  const find = (properties: Record<string, unknown>, lon: number, lat: number) => ({
    type: 'Feature', properties: { category: 'AP', model: 'PMN-2', quantity: 1, operator: 'HALO', ...properties }, geometry: { type: 'Point', coordinates: [lon, lat] },
  });
  type FindRow = { unit_code: string; finds: number; items: number; destroyed_items: number };

  it('keeps the finds frozen, and names the late find and the one moved past the date', async () => {
    expect((await importText(db, 'finds', collection([
      find({ ref: 'FRZ-F1', quantity: 2, found_on: '2025-03-01', destroyed_on: '2025-03-02', destruction_method: 'in situ' }, X + 0.005, Y + 0.005),
      find({ ref: 'FRZ-F2', found_on: '2025-05-01' }, X + 0.006, Y + 0.005),
    ]))).stored).toBe(true);
    const served = (await call(null, 'GET', '/api/reports/finds?by=province&as_of=2025-12-31')).json() as { rows: FindRow[] };
    const frozen = await freeze('cmaa.officer', { report: 'finds', by: 'province', as_of: '2025-12-31', name: 'EO finds 2025' });
    expect(frozen.statusCode, frozen.body).toBe(201);
    // Approved in 2026: a find of October 2025 reported late, and FRZ-F2 whose date was corrected to 2026.
    const draft = (await call('halo.officer', 'POST', '/api/submissions?kind=finds', collection([
      find({ ref: 'FRZ-F3', quantity: 3, found_on: '2025-10-01', destroyed_on: '2025-10-02', destruction_method: 'in situ' }, X + 0.007, Y + 0.005),
      find({ ref: 'FRZ-F2', found_on: '2026-01-05' }, X + 0.006, Y + 0.005),
    ]), 'application/geo+json')).json() as { id: number };
    await call('halo.officer', 'POST', `/api/submissions/${draft.id}/submit`);
    const approved = await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/approve`);
    expect(approved.statusCode, approved.body).toBe(200);

    const shown = (await call(null, 'GET', `/api/reports/frozen/${encoded('EO finds 2025')}`)).json() as { rows: FindRow[] };
    expect(shown.rows).toEqual(served.rows);
    const csv = (await call(null, 'GET', `/api/reports/frozen/${encoded('EO finds 2025')}?format=csv`)).body.trim().split('\n');
    expect(csv[0]).toBe('unit_code,unit_name,finds,items,destroyed_items');
    const before = served.rows.find((r) => r.unit_code === province)!;
    expect(csv.find((l) => l.startsWith(`${province},`))).toMatch(new RegExp(`,${before.finds},${before.items},${before.destroyed_items}$`));

    const comparison = (await call(null, 'GET', `/api/reports/frozen/${encoded('EO finds 2025')}/compare`)).json() as Comparison & { rows: { unit_code: string; difference: Record<string, number>; changes: Change[] }[] };
    const row = comparison.rows.find((r) => r.unit_code === province)!;
    expect(row.difference).toEqual({ finds: 0, items: 2, destroyed_items: 3 });
    expect(row.changes.map((c) => [c.record, c.ref, c.version, c.change, c.submission_id]).sort()).toEqual([
      ['find', 'FRZ-F2', 2, 'updated', draft.id], ['find', 'FRZ-F3', 1, 'new', draft.id],
    ]);
    for (const other of comparison.rows.filter((r) => r.unit_code !== province)) expect(other.changes, other.unit_code).toEqual([]);
  });
});

// A child process reaches the database by URL on the server engine; the embedded one lives in this test's
// process, so the commands run on the server project only (they are the same code on either engine).
if (engineUnderTest() === 'server') describe('the report commands', () => {
  const root = path.resolve(fixturesDir, '../..');
  const clearway = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const { CLEARWAY_DATA_DIR: _unused, ...env } = process.env;
    execFile(process.execPath, ['bin/clearway.mjs', ...args], { cwd: root, env: { ...env, DATABASE_URL: url! }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });

  it('report land-release --as-of, report freeze, report frozen list, show and compare', async () => {
    const asOf = await clearway('report', 'land-release', '--by', 'province', '--as-of', '2025-12-31', '--format', 'json');
    expect(asOf.code, asOf.stderr).toBe(0);
    const api = (await call(null, 'GET', '/api/reports/land-release?by=province&as_of=2025-12-31')).json() as unknown;
    expect(JSON.parse(asOf.stdout)).toEqual(api);
    const badDate = await clearway('report', 'land-release', '--as-of', '2025-12-32');
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toContain('--as-of');
    const frozen = await clearway('report', 'freeze', 'land-release', '--by', 'province', '--as-of', '2025-12-31', '--name', 'Article 7 2025 (CLI)');
    expect(frozen.code, frozen.stderr).toBe(0);
    expect(frozen.stdout).toContain('Article 7 2025 (CLI)');
    const list = await clearway('report', 'frozen', 'list');
    expect(list.stdout).toContain('Article 7 2025 (CLI)');
    expect(list.stdout).toContain(NAME);
    const shown = await clearway('report', 'frozen', 'show', NAME, '--format', 'csv');
    expect(shown.stdout).toBe((await call(null, 'GET', `/api/reports/frozen/${encoded(NAME)}?format=csv`)).body);
    const compared = await clearway('report', 'frozen', 'compare', NAME, '--format', 'json');
    const comparison = JSON.parse(compared.stdout) as Comparison;
    expect(comparison.rows.find((r) => r.unit_code === province)!.changes.map((c) => c.ref)).toEqual(['FRZ-LATE', 'FRZ-LATE-2']);
    const status = await clearway('hazards', 'status', 'FRZ-B', 'reopened', '--reason', 'Residual AP mine found by a farmer');
    expect(status.code, status.stderr).toBe(0);
    expect((await db.query<{ status: string; status_source: string }>(`select status, status_source from hazard where ref = 'FRZ-B'`)).rows[0]).toEqual({ status: 'reopened', status_source: 'authority' });
  });
});
