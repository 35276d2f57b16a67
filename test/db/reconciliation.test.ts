// Reconciliation as a reviewer meets it: items update the official record by ref or by a chosen overlap,
// several hazards are combined into one, and an approval never overwrites a change it did not see.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import { openServer, type Database } from '../../src/db/engine.ts';
import { OFFICIAL_RECORD_LOCK } from '../../src/db/change-batch.ts';
import type { Role } from '../../src/domain/roles.ts';
import { createTestDatabase, engineUnderTest } from '../support/test-database.ts';
import { box, circle, collection, count, hazardFeature, importText, releaseFeature, type Ring } from '../support/fixtures.ts';

let db: Database;
let url: string | null;
let app: FastifyInstance;
const tokens: Record<string, string> = {};

const PEOPLE: [string, Role, string][] = [
  ['halo.officer', 'operator_data_officer', 'HALO'],
  ['cmac.officer', 'operator_data_officer', 'CMAC'],
  ['cmaa.reviewer', 'authority_reviewer', 'CMAA'],
  ['admin', 'administrator', 'CMAA'],
];

// Battambang, away from the border; each scenario has its own square so that overlaps stay where meant.
const LON = 103.05;
const LAT = 13.05;

beforeAll(async () => {
  ({ db, url } = await createTestDatabase());
  for (const [username, role, organisation] of PEOPLE) {
    await addUser(db, { username, role, organisation, password: 'a-long-password' }, 'test');
    tokens[username] = (await createApiToken(db, username, 'test', 'test')).token;
  }
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 1024 * 1024 });
  // The official record the operators work from.
  const official = await importText(db, 'hazards', collection([
    hazardFeature({ ref: 'REC-1', operator: 'HALO' }, circle(LON, LAT, 150)),
    hazardFeature({ ref: 'REC-2', operator: 'HALO' }, circle(LON + 0.01, LAT, 150)),
    hazardFeature({ ref: 'REC-3', operator: 'HALO' }, circle(LON + 0.02, LAT, 150)),
    hazardFeature({ ref: 'REC-4', operator: 'HALO' }, box(LON + 0.03, LAT, LON + 0.032, LAT + 0.002)),
    hazardFeature({ ref: 'REC-5', operator: 'HALO' }, box(LON + 0.032, LAT, LON + 0.034, LAT + 0.002)),
    hazardFeature({ ref: 'REC-6', operator: 'HALO' }, circle(LON + 0.05, LAT, 150)),
    hazardFeature({ ref: 'REC-7', operator: 'HALO' }, circle(LON + 0.06, LAT, 150)),
    hazardFeature({ ref: 'REC-8', operator: 'HALO' }, box(LON + 0.07, LAT, LON + 0.072, LAT + 0.002)),
    hazardFeature({ ref: 'REC-9', operator: 'HALO' }, box(LON + 0.072, LAT, LON + 0.074, LAT + 0.002)),
  ]));
  expect(official.errors).toEqual([]);
  const releases = await importText(db, 'releases', collection([
    releaseFeature({ ref: 'REL-1', hazard_ref: 'REC-1' }, box(LON - 0.001, LAT - 0.001, LON + 0.001, LAT + 0.001)),
    releaseFeature({ ref: 'REL-4', hazard_ref: 'REC-4' }, box(LON + 0.03, LAT, LON + 0.031, LAT + 0.001)),
    releaseFeature({ ref: 'REL-5', hazard_ref: 'REC-5', kind: 'reduced', method: 'ts' }, box(LON + 0.033, LAT, LON + 0.034, LAT + 0.001)),
    releaseFeature({ ref: 'REL-6', hazard_ref: 'REC-6' }, circle(LON + 0.05, LAT, 50)),
  ]));
  expect(releases.errors).toEqual([]);
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

function call(who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: string, contentType = 'application/json') {
  return app.inject({ method, url, payload, headers: { authorization: `Bearer ${tokens[who]}`, ...(payload ? { 'content-type': contentType } : {}) } });
}

/** HALO prepares and submits a file; returns the submission's id. */
async function submitted(kind: 'hazards' | 'releases', features: unknown[], who = 'halo.officer'): Promise<{ id: number; validation: { errorCount: number; errors: unknown[]; notes: { code: string; ref: string; reason: string }[] } }> {
  const draft = await call(who, 'POST', `/api/submissions?kind=${kind}`, collection(features), 'application/geo+json');
  expect(draft.statusCode).toBe(201);
  const body = draft.json() as { id: number; validation: { errorCount: number; errors: unknown[]; notes: { code: string; ref: string; reason: string }[] } };
  expect(body.validation.errors).toEqual([]);
  expect((await call(who, 'POST', `/api/submissions/${body.id}/submit`)).statusCode).toBe(200);
  return body;
}

interface Accounting { original_m2: number; cancelled_m2: number; reduced_m2: number; cleared_m2: number; remaining_m2: number }

async function accountingOf(ref: string): Promise<Accounting | undefined> {
  const result = await db.query<Accounting>(
    `select a.original_m2, a.cancelled_m2, a.reduced_m2, a.cleared_m2, a.remaining_m2 from hazard_accounting a join hazard h on h.id = a.hazard_id where h.ref = $1`,
    [ref],
  );
  return result.rows[0];
}

/** The geodesic area PostGIS gives a ring, computed apart from the import. */
async function geodesicArea(ring: Ring): Promise<number> {
  const result = await db.query<{ a: number }>(`select st_area(st_geomfromgeojson($1)::geography) as a`, [JSON.stringify({ type: 'Polygon', coordinates: [ring] })]);
  return result.rows[0]!.a;
}

async function nationalTotals(): Promise<Accounting> {
  const result = await db.query<Accounting>(
    `select sum(original_m2) as original_m2, sum(cancelled_m2) as cancelled_m2, sum(reduced_m2) as reduced_m2, sum(cleared_m2) as cleared_m2,
            sum(remaining_m2) as remaining_m2 from hazard_accounting`,
  );
  return result.rows[0]!;
}

function expectBalanced(a: Accounting): void {
  expect(Math.abs(a.original_m2 - (a.cancelled_m2 + a.reduced_m2 + a.cleared_m2 + a.remaining_m2))).toBeLessThan(0.005);
}

/** Every hazard's province rows sum to its original area, so the province report adds up to the nation. */
async function expectSharesSumToHazards(): Promise<void> {
  const result = await db.query<{ ref: string; original_m2: number; shares_m2: number }>(
    `select h.ref, a.original_m2, (select sum(s.original_m2) from hazard_unit_share s where s.hazard_id = h.id and s.level = 'province') as shares_m2
     from hazard h join hazard_accounting a on a.hazard_id = h.id`,
  );
  for (const row of result.rows) expect(Math.abs(row.original_m2 - row.shares_m2), row.ref).toBeLessThan(0.005);
}

describe('an item whose ref is in the official record updates it', () => {
  const bigger = circle(LON, LAT, 200);

  it('is checked as an update, not refused as an existing ref, and says so in the report', async () => {
    // Version 2: its release made it "in progress".
    const seen = (await db.query<{ version: number }>(`select version from hazard where ref = 'REC-1'`)).rows[0]!.version;
    expect(seen).toBe(2);
    const draft = await submitted('hazards', [hazardFeature({ ref: 'REC-1', operator: 'HALO', type: 'SHA', notes: 'resurveyed 2026' }, bigger)]);
    expect(draft.validation.notes).toEqual([expect.objectContaining({ code: 'record.updates', ref: 'REC-1', reason: 'updates hazard REC-1 of the official record (version 2)' })]);
    const review = (await call('cmaa.reviewer', 'GET', `/api/submissions/${draft.id}/items`)).json() as { items: { reconciliation: unknown; before: { version: number } }[] };
    expect(review.items[0]).toMatchObject({ reconciliation: { action: 'update', targets: [{ ref: 'REC-1', version: 2 }], chosen: 'default' }, before: { version: 2 } });
    expect(await count(db, `hazard where ref = 'REC-1' and type = 'SHA'`)).toBe(0);

    const approved = await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/approve`);
    expect(approved.statusCode).toBe(200);
    const hazard = (await db.query<{ version: number; type: string; notes: string; area_m2: number; changed_by: string }>(
      `select version, type, notes, area_m2, changed_by from hazard where ref = 'REC-1'`,
    )).rows[0]!;
    expect(hazard).toMatchObject({ type: 'SHA', notes: 'resurveyed 2026', changed_by: 'cmaa.reviewer' });
    expect(hazard.area_m2).toBeCloseTo(await geodesicArea(bigger), 2);
    // The earlier version stays in the history, and the new one traces back to the submission.
    const history = await db.query<{ version: number; type: string; submission_id: number | null }>(
      `select v.version, v.type, b.submission_id from hazard_version v join hazard h on h.id = v.id
       left join change_batch b on b.id = v.batch_id where h.ref = 'REC-1' order by v.version`,
    );
    expect(history.rows).toEqual([
      { version: 1, type: 'CHA', submission_id: null },
      { version: 2, type: 'CHA', submission_id: null },
      { version: 3, type: 'SHA', submission_id: draft.id },
    ]);
  });

  it('recounts the hazard: the new area is the original, and its release still counts in full', async () => {
    const accounting = (await accountingOf('REC-1'))!;
    expect(accounting.original_m2).toBeCloseTo(await geodesicArea(bigger), 2);
    // REL-1 (a box of about 217 m x 217 m) reaches outside the 150 m circle but lies inside the 200 m one.
    const release = (await db.query<{ area_m2: number; counted_m2: number }>(
      `select r.area_m2, c.counted_m2 from land_release r join release_counted c on c.release_id = r.id where r.ref = 'REL-1'`,
    )).rows[0]!;
    expect(release.counted_m2).toBeCloseTo(release.area_m2, 2);
    expect(accounting.cleared_m2).toBeCloseTo(release.area_m2, 2);
    expectBalanced(accounting);
    await expectSharesSumToHazards();
  });
});

describe('the land an update would stop counting', () => {
  it('is shown beside the hazard: what its releases count, and how much lies outside the submitted polygon', async () => {
    const smaller = circle(LON, LAT, 80);
    const draft = await submitted('hazards', [hazardFeature({ ref: 'REC-1', operator: 'HALO' }, smaller)]);
    const review = (await call('cmaa.reviewer', 'GET', `/api/submissions/${draft.id}/items`)).json() as { items: { before: { released_m2: number; released_outside_m2: number } }[] };
    const expected = (await db.query<{ counted: number; outside: number }>(
      `select c.counted_m2 as counted, st_area(st_difference(c.counted_geom, st_geomfromgeojson($1))::geography) as outside
       from release_counted c join land_release r on r.id = c.release_id where r.ref = 'REL-1'`,
      [JSON.stringify({ type: 'Polygon', coordinates: [smaller] })],
    )).rows[0]!;
    expect(expected.outside).toBeGreaterThan(1_000);
    expect(review.items[0]!.before.released_m2).toBeCloseTo(expected.counted, 2);
    expect(Math.abs(review.items[0]!.before.released_outside_m2 - expected.outside)).toBeLessThan(0.01);
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/reject`, JSON.stringify({ reason: 'the hazard was not surveyed again' }))).statusCode).toBe(200);
  });
});

describe('an approval never overwrites a change it did not see', () => {
  it('stops the second of two updates made from the same version, names the item, and applies nothing', async () => {
    const first = await submitted('hazards', [hazardFeature({ ref: 'REC-2', operator: 'HALO', notes: 'first' }, circle(LON + 0.01, LAT, 160))]);
    const second = await submitted('hazards', [
      hazardFeature({ ref: 'NEW-2', operator: 'HALO' }, circle(LON + 0.015, LAT + 0.01, 100)),
      hazardFeature({ ref: 'REC-2', operator: 'HALO', notes: 'second' }, circle(LON + 0.01, LAT, 170)),
    ]);
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${first.id}/approve`)).statusCode).toBe(200);

    const conflict = await call('cmaa.reviewer', 'POST', `/api/submissions/${second.id}/approve`);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({
      code: 'workflow.conflict',
      conflicts: [{ item: 1, ref: 'REC-2', target: 'REC-2', code: 'target.changed', seen_version: 1, current_version: 2 }],
    });
    expect((conflict.json() as { conflicts: { reason: string }[] }).conflicts[0]!.reason).toContain(`from submission ${first.id}`);
    expect(await count(db, `hazard where ref = 'NEW-2'`)).toBe(0);
    expect((await db.query<{ notes: string }>(`select notes from hazard where ref = 'REC-2'`)).rows[0]!.notes).toBe('first');
    expect((await call('cmaa.reviewer', 'GET', `/api/submissions/${second.id}`)).json()).toMatchObject({ state: 'submitted' });
  });

  it('lets the reviewer look again and confirm the update against the new version', async () => {
    const [pending] = ((await call('cmaa.reviewer', 'GET', '/api/submissions?state=submitted')).json() as { items: { id: number }[] }).items;
    const stale = await call('cmaa.reviewer', 'PUT', `/api/submissions/${pending!.id}/reconciliation`, JSON.stringify({ items: [{ item: 1, action: 'update', targets: [{ ref: 'REC-2', version: 1 }] }] }));
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'workflow.conflict', conflicts: [{ item: 1, target: 'REC-2', current_version: 2 }] });
    const confirmed = await call('cmaa.reviewer', 'PUT', `/api/submissions/${pending!.id}/reconciliation`, JSON.stringify({ items: [{ item: 1, action: 'update', targets: [{ ref: 'REC-2', version: 2 }] }] }));
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({ items: [{ item: 0, action: 'new', chosen: 'default' }, { item: 1, action: 'update', targets: [{ ref: 'REC-2', version: 2 }], chosen: 'reviewer' }] });
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${pending!.id}/approve`)).statusCode).toBe(200);
    expect((await db.query<{ notes: string; version: number }>(`select notes, version from hazard where ref = 'REC-2'`)).rows[0]).toEqual({ notes: 'second', version: 3 });
    expect(await count(db, `hazard where ref = 'NEW-2'`)).toBe(1);
  });
});

describe('the reviewer reconciles an item with a hazard it overlaps', () => {
  it('suggests the overlapping hazard with its version and overlap, and applies the item as its new version', async () => {
    const ring = circle(LON + 0.0201, LAT, 160);
    const draft = await submitted('hazards', [hazardFeature({ ref: 'HALO-2026-17', operator: 'HALO', notes: 'mapped again' }, ring)]);
    const review = (await call('cmaa.reviewer', 'GET', `/api/submissions/${draft.id}/items`)).json() as { items: { reconciliation: { action: string }; overlaps: { ref: string; version: number; overlap_m2: number; geometry: { type: string } }[] }[] };
    const [item] = review.items;
    expect(item!.reconciliation.action).toBe('new');
    expect(item!.overlaps).toEqual([expect.objectContaining({ ref: 'REC-3', version: 1, geometry: expect.objectContaining({ type: 'MultiPolygon' }) })]);
    const expected = (await db.query<{ a: number }>(
      `select st_area(st_intersection(h.geom, st_geomfromgeojson($1))::geography) as a from hazard h where h.ref = 'REC-3'`,
      [JSON.stringify({ type: 'Polygon', coordinates: [ring] })],
    )).rows[0]!.a;
    expect(Math.abs(item!.overlaps[0]!.overlap_m2 - expected)).toBeLessThan(0.01);

    const chosen = await call('cmaa.reviewer', 'PUT', `/api/submissions/${draft.id}/reconciliation`, JSON.stringify({ items: [{ item: 0, action: 'update', targets: [{ ref: 'REC-3', version: 1 }] }] }));
    expect(chosen.statusCode).toBe(200);
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/approve`)).statusCode).toBe(200);
    // The official hazard keeps its ref; the operator's own ref is recorded with the change.
    expect(await count(db, `hazard where ref = 'HALO-2026-17'`)).toBe(0);
    const hazard = (await db.query<{ version: number; notes: string; area_m2: number; change_reason: string }>(`select version, notes, area_m2, change_reason from hazard where ref = 'REC-3'`)).rows[0]!;
    expect(hazard).toMatchObject({ version: 2, notes: 'mapped again' });
    expect(hazard.change_reason).toContain('(submitted as HALO-2026-17)');
    expect(hazard.area_m2).toBeCloseTo(await geodesicArea(ring), 2);
    const log = ((await call('cmaa.reviewer', 'GET', `/api/audit?entity=submission&ref=${draft.id}`)).json() as { items: { action: string }[] }).items;
    expect(log.map((e) => e.action)).toEqual(['submission.approve', 'submission.reconcile', 'submission.submit', 'submission.create']);
  });
});

describe('several official hazards combined into one', () => {
  const whole = box(LON + 0.0299, LAT - 0.0001, LON + 0.0341, LAT + 0.0021);
  let before: Accounting;
  let areas: Record<string, number>;

  it('replaces them: they become history pointing at the new hazard, their releases move to it', async () => {
    before = await nationalTotals();
    areas = Object.fromEntries((await db.query<{ ref: string; area_m2: number }>(`select ref, area_m2 from hazard where ref in ('REC-4', 'REC-5')`)).rows.map((r) => [r.ref, r.area_m2]));
    const draft = await submitted('hazards', [hazardFeature({ ref: 'COMB-1', operator: 'HALO', type: 'CHA' }, whole)]);
    const review = (await call('cmaa.reviewer', 'GET', `/api/submissions/${draft.id}/items`)).json() as { items: { overlaps: { ref: string; version: number }[] }[] };
    const targets = review.items[0]!.overlaps.map(({ ref, version }) => ({ ref, version }));
    // The new polygon covers all the land released on both: nothing would stop counting.
    for (const overlap of review.items[0]!.overlaps as unknown as { released_m2: number; released_outside_m2: number }[]) {
      expect(overlap.released_m2).toBeGreaterThan(0);
      expect(overlap.released_outside_m2).toBe(0);
    }
    expect(targets.map((t) => t.ref).sort()).toEqual(['REC-4', 'REC-5']);
    expect((await call('cmaa.reviewer', 'PUT', `/api/submissions/${draft.id}/reconciliation`, JSON.stringify({ items: [{ item: 0, action: 'combine', targets }] }))).statusCode).toBe(200);
    const approved = await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/approve`);
    expect(approved.statusCode).toBe(200);

    const combined = await db.query<{ ref: string; status: string; into: string }>(
      `select h.ref, h.status, c.ref as into from hazard h join hazard c on c.id = h.combined_into where h.ref in ('REC-4', 'REC-5') order by h.ref`,
    );
    expect(combined.rows).toEqual([{ ref: 'REC-4', status: 'combined', into: 'COMB-1' }, { ref: 'REC-5', status: 'combined', into: 'COMB-1' }]);
    const moved = await db.query<{ ref: string; hazard: string; version: number }>(
      `select r.ref, h.ref as hazard, r.version from land_release r join hazard h on h.id = r.hazard_id where r.ref in ('REL-4', 'REL-5') order by r.ref`,
    );
    expect(moved.rows).toEqual([{ ref: 'REL-4', hazard: 'COMB-1', version: 2 }, { ref: 'REL-5', hazard: 'COMB-1', version: 2 }]);
    // Nothing is deleted: the combined hazards and the releases' earlier hazard stay in the history.
    expect(await count(db, `land_release_version v join land_release r on r.id = v.id where r.ref = 'REL-4'`)).toBe(2);
    const detail = (await app.inject({ method: 'GET', url: '/api/hazards/REC-4' })).json() as { hazard: { status: string; combined_into: string } };
    expect(detail.hazard).toMatchObject({ status: 'combined', combined_into: 'COMB-1' });
  });

  it('counts their land once, as the new hazard, with the releases they had', async () => {
    const comb = (await accountingOf('COMB-1'))!;
    expect(comb.original_m2).toBeCloseTo(await geodesicArea(whole), 2);
    const releases = (await db.query<{ ref: string; area_m2: number; counted_m2: number }>(
      `select r.ref, r.area_m2, c.counted_m2 from land_release r join release_counted c on c.release_id = r.id where r.ref in ('REL-4', 'REL-5') order by r.ref`,
    )).rows;
    expect(comb.cleared_m2).toBeCloseTo(releases[0]!.area_m2, 2);
    expect(comb.reduced_m2).toBeCloseTo(releases[1]!.area_m2, 2);
    expectBalanced(comb);
    expect(await accountingOf('REC-4')).toBeUndefined();
    const after = await nationalTotals();
    expect(after.original_m2 - before.original_m2).toBeCloseTo(comb.original_m2 - areas['REC-4']! - areas['REC-5']!, 2);
    expect(after.cleared_m2).toBeCloseTo(before.cleared_m2, 2);
    expect(after.reduced_m2).toBeCloseTo(before.reduced_m2, 2);
    expectBalanced(after);
    await expectSharesSumToHazards();
    const report = (await app.inject({ method: 'GET', url: '/api/reports/land-release?by=province' })).json() as { rows: { original_m2: number }[] };
    expect(report.rows.reduce((sum, row) => sum + row.original_m2, 0)).toBeCloseTo(after.original_m2, 2);
  });

  it('takes them off the map, and refuses new releases on them, naming the hazard that replaced them', async () => {
    const listed = (await app.inject({ method: 'GET', url: '/api/hazards?format=geojson&limit=1000' })).json() as { features: { properties: { ref: string } }[] };
    const refs = listed.features.map((f) => f.properties.ref);
    expect(refs).toContain('COMB-1');
    expect(refs).not.toContain('REC-4');
    const draft = await call('halo.officer', 'POST', '/api/submissions?kind=releases', collection([releaseFeature({ ref: 'REL-LATE', hazard_ref: 'REC-4' }, box(LON + 0.0305, LAT, LON + 0.031, LAT + 0.001))]), 'application/geo+json');
    expect((draft.json() as { validation: { errors: unknown[] } }).validation.errors).toEqual([
      expect.objectContaining({ code: 'hazard.combined', ref: 'REL-LATE', field: 'hazard_ref', reason: 'hazard REC-4 was combined into COMB-1: name that hazard instead' }),
    ]);
  });
});

describe('a combine that keeps one of the hazards', () => {
  it('updates the hazard with the item\'s ref and retires the other into it', async () => {
    const whole = box(LON + 0.07, LAT, LON + 0.074, LAT + 0.002);
    const draft = await submitted('hazards', [hazardFeature({ ref: 'REC-8', operator: 'HALO', notes: 'one minefield' }, whole)]);
    const chosen = await call('cmaa.reviewer', 'PUT', `/api/submissions/${draft.id}/reconciliation`, JSON.stringify({ items: [{ item: 0, action: 'combine', targets: [{ ref: 'REC-8', version: 1 }, { ref: 'REC-9', version: 1 }] }] }));
    expect(chosen.statusCode).toBe(200);
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/approve`)).statusCode).toBe(200);
    const rows = (await db.query<{ ref: string; version: number; status: string; into: string | null; area_m2: number }>(
      `select h.ref, h.version, h.status, c.ref as into, h.area_m2 from hazard h left join hazard c on c.id = h.combined_into where h.ref in ('REC-8', 'REC-9') order by h.ref`,
    )).rows;
    expect(rows.map(({ area_m2: _, ...row }) => row)).toEqual([
      { ref: 'REC-8', version: 2, status: 'open', into: null },
      { ref: 'REC-9', version: 2, status: 'combined', into: 'REC-8' },
    ]);
    expect(rows[0]!.area_m2).toBeCloseTo(await geodesicArea(whole), 2);
    expect((await accountingOf('REC-8'))!.original_m2).toBeCloseTo(await geodesicArea(whole), 2);
    expect(await accountingOf('REC-9')).toBeUndefined();
  });
});

describe('a land release updated by ref', () => {
  it('moves to the hazard it now names, and both hazards are recounted', async () => {
    const ring = circle(LON + 0.06, LAT, 60);
    const draft = await submitted('releases', [releaseFeature({ ref: 'REL-6', hazard_ref: 'REC-7', kind: 'cancelled', method: 'nts' }, ring)]);
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/approve`)).statusCode).toBe(200);
    expect((await accountingOf('REC-6'))!.cleared_m2).toBe(0);
    const rec7 = (await accountingOf('REC-7'))!;
    expect(rec7.cancelled_m2).toBeCloseTo(await geodesicArea(ring), 2);
    expectBalanced(rec7);
    expect((await db.query<{ version: number; kind: string }>(`select version, kind from land_release where ref = 'REL-6'`)).rows[0]).toEqual({ version: 2, kind: 'cancelled' });
  });
});

describe('reconciliations that are not possible are refused, naming the item', () => {
  let id: number;
  beforeAll(async () => {
    ({ id } = await submitted('hazards', [
      hazardFeature({ ref: 'REC-6', operator: 'HALO' }, circle(LON + 0.05, LAT, 155)),
      hazardFeature({ ref: 'ODD-1', operator: 'HALO' }, circle(LON + 0.05, LAT, 120)),
    ]));
  });
  const put = (who: string, items: unknown[]) => call(who, 'PUT', `/api/submissions/${id}/reconciliation`, JSON.stringify({ items }));

  it('refuses two items on one hazard, a new item with a ref the record has, and a combine of one', async () => {
    const twice = await put('cmaa.reviewer', [{ item: 1, action: 'update', targets: [{ ref: 'REC-6', version: 2 }] }]);
    expect(twice.statusCode).toBe(422);
    expect(twice.json()).toMatchObject({ code: 'workflow.reconciliation', items: [{ item: 1, reason: 'REC-6 is already the target of item 0' }] });
    const clash = await put('cmaa.reviewer', [{ item: 0, action: 'new', targets: [] }]);
    expect(clash.json()).toMatchObject({ code: 'workflow.reconciliation', items: [{ item: 0, reason: expect.stringContaining('REC-6 is already in the official record') }] });
    // A combine keeping none of its targets makes a hazard with the item's ref, which REC-6 already is.
    const combineTaken = await put('cmaa.reviewer', [{ item: 0, action: 'combine', targets: [{ ref: 'REC-7', version: 1 }, { ref: 'REC-1', version: 1 }] }]);
    expect(combineTaken.statusCode).toBe(422);
    expect(combineTaken.json()).toMatchObject({ items: [{ item: 0, reason: expect.stringContaining('REC-6 is already in the official record') }] });
    const single = await put('cmaa.reviewer', [{ item: 1, action: 'combine', targets: [{ ref: 'REC-7', version: 1 }] }]);
    expect(single.json()).toMatchObject({ items: [{ item: 1, reason: 'a combine replaces two or more official hazards' }] });
    const missing = await put('cmaa.reviewer', [{ item: 7, action: 'new', targets: [] }]);
    expect(missing.statusCode).toBe(422);
    expect(missing.json()).toMatchObject({ detail: expect.stringContaining('Item 7 is not in submission') });
  });

  it('is the reviewer\'s: never the operator, never the submitter, only while the submission awaits a decision', async () => {
    expect((await put('halo.officer', [{ item: 1, action: 'new', targets: [] }])).statusCode).toBe(403);
    const own = await call('admin', 'POST', '/api/submissions?kind=hazards', collection([hazardFeature({ ref: 'ADM-1' }, circle(LON + 0.08, LAT, 100))]), 'application/geo+json');
    const ownId = (own.json() as { id: number }).id;
    await call('admin', 'POST', `/api/submissions/${ownId}/submit`);
    const fourEyes = await call('admin', 'PUT', `/api/submissions/${ownId}/reconciliation`, JSON.stringify({ items: [{ item: 0, action: 'new', targets: [] }] }));
    expect(fourEyes.json()).toMatchObject({ code: 'workflow.four-eyes' });
    const draft = (await call('halo.officer', 'POST', '/api/submissions?kind=hazards', collection([hazardFeature({ ref: 'DRAFT-1' }, circle(LON + 0.09, LAT, 100))]), 'application/geo+json')).json() as { id: number };
    expect((await call('cmaa.reviewer', 'PUT', `/api/submissions/${draft.id}/reconciliation`, JSON.stringify({ items: [{ item: 0, action: 'new', targets: [] }] }))).statusCode).toBe(404);
    // Nothing was stored by the refused calls.
    expect((await db.query<{ reconciliation: unknown }>('select reconciliation from submission where id = $1', [id])).rows[0]!.reconciliation).toEqual({});
  });

  it('refuses to combine land releases', async () => {
    const release = await submitted('releases', [releaseFeature({ ref: 'REL-9', hazard_ref: 'REC-7' }, circle(LON + 0.06, LAT, 30))]);
    const combine = await call('cmaa.reviewer', 'PUT', `/api/submissions/${release.id}/reconciliation`, JSON.stringify({ items: [{ item: 0, action: 'combine', targets: [{ ref: 'REL-1', version: 1 }, { ref: 'REL-6', version: 2 }] }] }));
    expect(combine.statusCode).toBe(422);
    expect(combine.json()).toMatchObject({ items: [{ item: 0, reason: expect.stringContaining('only hazards can be combined') }] });
  });
});

// Two changes to the official record at once could each compute a hazard's accounting from the state before
// the other committed: imports and approvals take one lock and run one after another. A second connection
// shows it (the embedded engine has only one).
if (engineUnderTest() === 'server') {
  describe('changes to the official record, one at a time', () => {
    it('makes an approval wait while another change holds the official record, then applies it', async () => {
      const draft = await submitted('hazards', [hazardFeature({ ref: 'WAIT-1', operator: 'HALO' }, circle(LON + 0.1, LAT, 100))]);
      const other = await openServer(url!, { maxConnections: 1 });
      let finished = false;
      let approval: Promise<{ statusCode: number }> | undefined;
      try {
        await other.transaction(async (tx) => {
          await tx.query('select pg_advisory_xact_lock($1)', [OFFICIAL_RECORD_LOCK]);
          approval = call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/approve`).then((response) => {
            finished = true;
            return response;
          });
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          expect(finished).toBe(false);
          expect(await count(db, `hazard where ref = 'WAIT-1'`)).toBe(0);
        });
        expect((await approval!).statusCode).toBe(200);
        expect(await count(db, `hazard where ref = 'WAIT-1'`)).toBe(1);
      } finally {
        await approval?.catch(() => undefined);
        await other.close();
      }
    });
  });
}
