// An update never loses data silently, and a record's owner changes only by the authority's own act: what
// an operator and the authority meet when they update records through submissions, on the engine under test.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import type { Database } from '../../src/db/engine.ts';
import type { Role } from '../../src/domain/roles.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { collection, fixturesDir, importFixture } from '../support/fixtures.ts';

let db: Database;
let app: FastifyInstance;
const tokens: Record<string, string> = {};

const PEOPLE: [string, Role, string][] = [
  ['halo.officer', 'operator_data_officer', 'HALO'],
  ['cmac.officer', 'operator_data_officer', 'CMAC'],
  ['cmaa.officer', 'authority_data_officer', 'CMAA'],
  ['cmaa.reviewer', 'authority_reviewer', 'CMAA'],
];

type Feature = { type: 'Feature'; properties: Record<string, unknown>; geometry: unknown };
const fixture = (file: string): Map<string, Feature> => {
  const features = (JSON.parse(fs.readFileSync(path.join(fixturesDir, file), 'utf8')) as { features: Feature[] }).features;
  return new Map(features.map((f) => [f.properties.ref as string, f]));
};
const hazards = fixture('hazards-small.geojson');
const releases = fixture('releases-small.geojson');
/** An item with the record's own geometry and only the properties given. */
const item = (from: Map<string, Feature>, ref: string, properties: Record<string, unknown>): Feature => ({ type: 'Feature', properties: { ref, ...properties }, geometry: from.get(ref)!.geometry });

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  await importFixture(db, 'hazards', 'hazards-small.geojson');
  await importFixture(db, 'releases', 'releases-small.geojson');
  for (const [username, role, organisation] of PEOPLE) {
    await addUser(db, { username, role, organisation, password: 'a-long-password' }, 'test');
    tokens[username] = (await createApiToken(db, username, 'test', 'test')).token;
  }
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 1024 * 1024 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

function call(who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: string, contentType = 'application/json') {
  return app.inject({ method, url, payload, headers: { authorization: `Bearer ${tokens[who]}`, ...(payload ? { 'content-type': contentType } : {}) } });
}

interface Problem { code: string; ref?: string; field?: string; reason: string }
interface Draft { id: number; validation: { errorCount: number; errors: Problem[] } }

async function draft(who: string, kind: string, features: Feature[]): Promise<Draft> {
  const created = await call(who, 'POST', `/api/submissions?kind=${kind}`, collection(features), 'application/geo+json');
  expect(created.statusCode).toBe(201);
  return created.json() as Draft;
}

async function approved(who: string, kind: string, features: Feature[]): Promise<void> {
  const { id, validation } = await draft(who, kind, features);
  expect(validation.errors).toEqual([]);
  expect((await call(who, 'POST', `/api/submissions/${id}/submit`)).statusCode).toBe(200);
  const approval = await call('cmaa.reviewer', 'POST', `/api/submissions/${id}/approve`);
  expect(approval.statusCode, approval.body).toBe(200);
}

const row = async (sql: string, ref: string) => (await db.query<Record<string, unknown>>(sql, [ref])).rows[0]!;
const release = (ref: string) => row(`select r.kind, r.method, r.operator_code, r.start_date::text, r.end_date::text, r.devices, r.version, h.ref as hazard_ref
  from land_release r join hazard h on h.id = r.hazard_id where r.ref = $1`, ref);
const hazard = (ref: string) => row('select operator_code, notes, type, source, recorded_on::text, village_code, version from hazard where ref = $1', ref);

describe('an update never loses data silently', () => {
  it('keeps every field a release update leaves out, clears one given as null, and shows both to the reviewer', async () => {
    const before = await release('LR-0004');
    const { id, validation } = await draft('halo.officer', 'releases', [
      item(releases, 'LR-0002', { devices: null }),
      item(releases, 'LR-0004', { end_date: '2022-01-25' }),
    ]);
    expect(validation.errors).toEqual([]);
    const review = (await call('halo.officer', 'GET', `/api/submissions/${id}/items`)).json() as { items: { changes: unknown[]; kept: string[] }[] };
    expect(review.items[0]!.changes).toEqual([{ field: 'devices', before: [{ category: 'AP', model: 'PMN-2', quantity: 3 }, { category: 'AP', model: 'Type 72A', quantity: 1 }], after: null }]);
    expect(review.items[0]!.kept).toEqual(['hazard_ref', 'kind', 'method', 'operator', 'start_date', 'end_date']);
    expect(review.items[1]!.changes).toEqual([{ field: 'end_date', before: '2022-01-20', after: '2022-01-25' }]);
    expect(review.items[1]!.kept).toContain('devices');
    expect((await call('halo.officer', 'POST', `/api/submissions/${id}/submit`)).statusCode).toBe(200);
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${id}/approve`)).statusCode).toBe(200);
    expect(await release('LR-0002')).toMatchObject({ kind: 'cleared', method: 'manual', operator_code: 'HALO', start_date: '2019-03-01', end_date: '2019-06-30', hazard_ref: 'HZ-PL-0001', devices: [] });
    expect(await release('LR-0004')).toMatchObject({ ...before, end_date: '2022-01-25', version: (before.version as number) + 1 });
  });

  it('refuses a new record that leaves out a required field', async () => {
    const { validation } = await draft('halo.officer', 'releases', [{ ...item(releases, 'LR-0001', {}), properties: { ref: 'LR-NEW-1', hazard_ref: 'HZ-PL-0001', operator: 'HALO' } }]);
    expect(validation.errors).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'field.required', ref: 'LR-NEW-1', field: 'kind' })]));
  });
});

describe('the owner of a record', () => {
  it('stays when an update leaves the operator out, as do the required fields it leaves out', async () => {
    await approved('halo.officer', 'hazards', [item(hazards, 'HZ-PL-0001', { notes: 'fence repaired' })]);
    expect(await hazard('HZ-PL-0001')).toMatchObject({ operator_code: 'HALO', notes: 'fence repaired', type: 'CHA', source: 'baseline survey', recorded_on: '2004-03-12', village_code: '24010101' });
  });

  it('is not changed by an update naming another operator, even the authority\'s, nor cleared by a null', async () => {
    const named = await draft('cmaa.officer', 'hazards', [item(hazards, 'HZ-PL-0001', { operator: 'CMAC' })]);
    expect(named.validation.errors).toEqual([expect.objectContaining({ code: 'operator.change-refused', ref: 'HZ-PL-0001', field: 'operator' })]);
    expect(named.validation.errors[0]!.reason).toContain('hazard HZ-PL-0001 belongs to HALO: an update cannot give it to CMAC');
    const cleared = await draft('halo.officer', 'hazards', [item(hazards, 'HZ-PL-0001', { operator: null })]);
    expect(cleared.validation.errors).toEqual([expect.objectContaining({ code: 'operator.change-refused', ref: 'HZ-PL-0001', field: 'operator' })]);
    // A record nobody owns is not claimed by naming oneself either: the authority gives it.
    const claimed = await draft('halo.officer', 'hazards', [item(hazards, 'HZ-KC-0005', { operator: 'HALO' })]);
    expect(claimed.validation.errors).toEqual([expect.objectContaining({ code: 'operator.change-refused', ref: 'HZ-KC-0005', field: 'operator' })]);
  });

  it('cannot be taken over by another operator, by omitting or by naming the operator, whatever the reviewer reconciles', async () => {
    const before = await hazard('HZ-OM-0003');
    // By the hazard's own ref: refused at once, operator named or not.
    for (const properties of [{ operator: 'CMAC' }, {}]) {
      const { validation } = await draft('cmac.officer', 'hazards', [item(hazards, 'HZ-OM-0003', properties)]);
      expect(validation.errorCount).toBeGreaterThan(0);
    }
    // A record of CMAC's own that the reviewer reconciles as an update of HALO's hazard: stopped at approval.
    const own = { ...item(hazards, 'HZ-OM-0003', {}), properties: { ...hazards.get('HZ-OM-0003')!.properties, ref: 'CMAC-OM-1', operator: 'CMAC' } };
    const { id, validation } = await draft('cmac.officer', 'hazards', [own]);
    expect(validation.errors).toEqual([]);
    expect((await call('cmac.officer', 'POST', `/api/submissions/${id}/submit`)).statusCode).toBe(200);
    const reconciled = await call('cmaa.reviewer', 'PUT', `/api/submissions/${id}/reconciliation`,
      JSON.stringify({ items: [{ item: 0, action: 'update', targets: [{ ref: 'HZ-OM-0003', version: before.version }] }] }));
    expect(reconciled.statusCode, reconciled.body).toBe(200);
    const approval = await call('cmaa.reviewer', 'POST', `/api/submissions/${id}/approve`);
    expect(approval.statusCode).toBe(409);
    expect(approval.json()).toMatchObject({ conflicts: [expect.objectContaining({ code: 'operator.change-refused', ref: 'CMAC-OM-1' })] });
    expect(await hazard('HZ-OM-0003')).toEqual(before);
  });

  it('changes by the authority\'s act, with a reason: a new version and an audit event', async () => {
    const body = (operator: string, reason = 'handover letter of 2026-03-01') => JSON.stringify({ operator, reason });
    const refused = await call('halo.officer', 'POST', '/api/hazards/HZ-BB-0002/owner', body('HALO'));
    expect(refused.statusCode).toBe(403);
    expect((await call('cmaa.officer', 'POST', '/api/hazards/HZ-BB-0002/owner', body('NOPE'))).json()).toMatchObject({ status: 400, code: 'operator.unknown' });
    expect((await call('cmaa.officer', 'POST', '/api/hazards/HZ-BB-0002/owner', body('HALO', ' '))).statusCode).toBe(400);
    const before = await hazard('HZ-BB-0002');
    const given = await call('cmaa.officer', 'POST', '/api/hazards/HZ-BB-0002/owner', body('HALO'));
    expect(given.json()).toEqual({ ref: 'HZ-BB-0002', operator: 'HALO', previous: 'CMAC', version: (before.version as number) + 1 });
    expect((await call('cmaa.officer', 'POST', '/api/hazards/HZ-BB-0002/owner', body('HALO'))).json()).toMatchObject({ status: 409, code: 'owner.unchanged' });
    const history = (await call('halo.officer', 'GET', '/api/hazards/HZ-BB-0002/history')).json() as { items: { version: number; operator: string; changed_by: string; change_reason: string }[] };
    expect(history.items[0]).toMatchObject({ version: (before.version as number) + 1, operator: 'HALO', changed_by: 'cmaa.officer', change_reason: 'owner changed by the authority: handover letter of 2026-03-01' });
    expect(history.items[1]).toMatchObject({ operator: 'CMAC' });
    const audit = (await call('cmaa.reviewer', 'GET', '/api/audit?entity=hazard&ref=HZ-BB-0002')).json() as { items: { actor: string; action: string; details: unknown }[] };
    expect(audit.items[0]).toMatchObject({ actor: 'cmaa.officer', action: 'hazard.owner', details: { from: 'CMAC', to: 'HALO', reason: 'handover letter of 2026-03-01' } });
  });
});
