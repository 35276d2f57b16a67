// A large upload (2 MB or more) is decoded and scanned off the server's thread (docs/decisions/0018), on the
// engine under test: what it says is read exactly as a small upload's, and what a small upload is refused
// for is refused the same way, naming the line or the record and field.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import { READ_IN_PLACE_BYTES } from '../../src/app/read-off-thread.ts';
import type { Database } from '../../src/db/engine.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { box, circle, collection, count, hazardFeature, releaseFeature } from '../support/fixtures.ts';

let db: Database;
let app: FastifyInstance;
let token: string;
let halo: string;
let reviewer: string;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  await addUser(db, { username: 'cmaa.officer', role: 'authority_data_officer', organisation: 'CMAA', password: 'a-long-password' }, 'test');
  await addUser(db, { username: 'halo.officer', role: 'operator_data_officer', organisation: 'HALO', password: 'a-long-password' }, 'test');
  await addUser(db, { username: 'cmaa.reviewer', role: 'authority_reviewer', organisation: 'CMAA', password: 'a-long-password' }, 'test');
  token = (await createApiToken(db, 'cmaa.officer', 'test', 'test')).token;
  halo = (await createApiToken(db, 'halo.officer', 'test', 'test')).token;
  reviewer = (await createApiToken(db, 'cmaa.reviewer', 'test', 'test')).token;
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 8 * 1024 * 1024 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

/** One hazard whose survey report (a property the exchange format does not read) makes the file 3 MB. */
function largeFile(ref: string, notes: string): string {
  const report = 'Technical survey: no further evidence beyond the marked area. '.repeat(50_000);
  const text = collection([hazardFeature({ ref, notes, survey_report: report }, circle(103.8, 13.4, 300))]);
  expect(text.length).toBeGreaterThan(READ_IN_PLACE_BYTES);
  return text;
}

const importFile = (payload: Buffer, contentType: string) =>
  app.inject({ method: 'POST', url: '/api/imports/hazards', payload, headers: { authorization: `Bearer ${token}`, 'content-type': contentType } });

describe('a large upload', () => {
  it('is read by its declared charset', async () => {
    // A Western Windows export: é is the byte 0xE9.
    const response = await importFile(Buffer.from(largeFile('BIG-1', 'caf\u00E9 r\u00E9sum\u00E9'), 'latin1'), 'application/geo+json; charset=windows-1252');
    // The API import is kept as a submission for another person to approve (issue 8, point 5): its item holds the text.
    expect(response.statusCode, response.body).toBe(202);
    const { submission_id: id } = response.json() as { submission_id: number };
    expect((await db.query(`select properties ->> 'notes' as notes from submission_item where submission_id = $1 and ref = 'BIG-1'`, [id])).rows).toEqual([{ notes: 'caf\u00E9 r\u00E9sum\u00E9' }]);
  });

  it('is refused, naming the line, when it is not UTF-8 and says nothing else', async () => {
    const response = await importFile(Buffer.from(largeFile('BIG-2', 'caf\u00E9'), 'latin1'), 'application/geo+json');
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'file.encoding', line: 1 });
    expect(await count(db, `hazard where ref = 'BIG-2'`)).toBe(0);
  });

  it('is refused, naming the record and field, when it holds text PostgreSQL cannot store', async () => {
    const response = await importFile(Buffer.from(largeFile('BIG-3', 'before\u0000after')), 'application/geo+json');
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'text.unstorable', feature: 0, field: 'notes' });
    expect(await count(db, `hazard where ref = 'BIG-3'`)).toBe(0);
  });
});

describe('a large submission', () => {
  it('keeps each item as written and, approved, gives the official record the polygons, areas and finds of the file', async () => {
    // Read off the thread, each geometry comes back as text and its polygon as WKB worked out there
    // (record-polygon.ts): what is stored, checked and approved must be the file's, coordinate for coordinate.
    const [w, s] = [103.05, 13.2];
    const report = 'Completion report: cleared to 20 cm, no further evidence. '.repeat(50_000);
    const multi = { type: 'MultiPolygon', coordinates: [[box(w + 0.02, s, w + 0.03, s + 0.01)], [box(w + 0.04, s, w + 0.05, s + 0.01)]] };
    const features: { type: string; properties: Record<string, unknown>; geometry: unknown }[] = [
      { ...hazardFeature({ ref: 'BIG-HZ1', operator: 'HALO', record_kind: 'hazard', survey_report: report }, circle(w + 0.005, s + 0.005, 400, 40)) },
      { ...hazardFeature({ ref: 'BIG-HZ2', operator: 'HALO', record_kind: 'hazard' }, null), geometry: multi },
      // Inside its hazard of the same file; the second one has no land in common with its hazard.
      { ...releaseFeature({ ref: 'BIG-LR1', hazard_ref: 'BIG-HZ1', record_kind: 'release' }, circle(w + 0.005, s + 0.005, 200, 24)) },
      { ...releaseFeature({ ref: 'BIG-LR2', hazard_ref: 'BIG-HZ2', kind: 'reduced', method: 'ts', record_kind: 'release' }, box(w + 0.06, s, w + 0.07, s + 0.01)) },
      { type: 'Feature', properties: { record_kind: 'find', ref: 'BIG-F1', category: 'AP', model: 'PMN-2', quantity: 3, found_on: '2021-02-01', release_ref: 'BIG-LR1' }, geometry: { type: 'Point', coordinates: [w + 0.0051234, s + 0.0049876] } },
    ];
    const text = collection(features);
    expect(text.length).toBeGreaterThan(READ_IN_PLACE_BYTES);
    const as = (bearer: string) => ({ authorization: `Bearer ${bearer}` });
    const created = await app.inject({ method: 'POST', url: '/api/submissions', headers: { ...as(halo), 'content-type': 'application/geo+json' }, payload: Buffer.from(text) });
    expect(created.statusCode, created.body).toBe(201);
    const submission = created.json() as { id: number; validation: { accepted: number; errorCount: number; errors: { code: string; ref?: string }[] } };
    // The release away from its hazard is an error, named; a check with an error stores nothing further, so
    // the find in the other release is checked against a record without it.
    expect(submission.validation.errors.map((e) => [e.code, e.ref])).toEqual([['release.not-touching-hazard', 'BIG-LR2'], ['release.unknown', 'BIG-F1']]);

    const fixed = features.map((f) => (f.properties.ref === 'BIG-LR2' ? { ...f, geometry: { type: 'Polygon', coordinates: [box(w + 0.02, s, w + 0.025, s + 0.01)] } } : f));
    const replaced = await app.inject({ method: 'PUT', url: `/api/submissions/${submission.id}`, headers: { ...as(halo), 'content-type': 'application/geo+json' }, payload: Buffer.from(collection(fixed)) });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({ validation: { accepted: 5, errorCount: 0 } });
    const stored = await db.query<{ ref: string; geometry: unknown }>('select ref, geometry from submission_item where submission_id = $1 order by idx', [submission.id]);
    expect(stored.rows).toEqual(fixed.map((f) => ({ ref: f.properties.ref, geometry: f.geometry })));

    expect((await app.inject({ method: 'POST', url: `/api/submissions/${submission.id}/submit`, headers: as(halo) })).statusCode).toBe(200);
    const approved = await app.inject({ method: 'POST', url: `/api/submissions/${submission.id}/approve`, headers: as(reviewer) });
    expect(approved.statusCode, approved.body).toBe(200);
    // The official polygons are the file's, and their areas the geodesic areas of the file's polygons.
    for (const feature of fixed.filter((f) => f.properties.record_kind !== 'find')) {
      const table = feature.properties.record_kind === 'hazard' ? 'hazard' : 'land_release';
      const row = await db.query<{ same: boolean; area_m2: number; expected: number }>(
        `select st_equals(geom, st_multi(st_setsrid(st_geomfromgeojson($2), 4326))) and st_npoints(geom) = st_npoints(st_geomfromgeojson($2)) as same,
                area_m2, st_area(st_setsrid(st_geomfromgeojson($2), 4326)::geography) as expected
         from ${table} where ref = $1`,
        [feature.properties.ref, JSON.stringify(feature.geometry)],
      );
      expect(row.rows[0]?.same, String(feature.properties.ref)).toBe(true);
      expect(row.rows[0]!.area_m2).toBeCloseTo(row.rows[0]!.expected, 6);
    }
    // BIG-LR1 lies inside BIG-HZ1 (measured beside the check, against the hazard of the same file): it is
    // counted whole, so the hazard's remaining area is its area less the release's.
    const accounting = await db.query<{ remaining_m2: number; original_m2: number; cleared_m2: number; release_m2: number }>(
      `select a.remaining_m2, a.original_m2, a.cleared_m2, r.area_m2 as release_m2
       from hazard h join hazard_accounting a on a.hazard_id = h.id join land_release r on r.hazard_id = h.id where h.ref = 'BIG-HZ1'`,
    );
    expect(accounting.rows[0]!.cleared_m2).toBeCloseTo(accounting.rows[0]!.release_m2, 6);
    expect(accounting.rows[0]!.remaining_m2).toBeCloseTo(accounting.rows[0]!.original_m2 - accounting.rows[0]!.release_m2, 6);
    const find = await db.query<{ lon: number; lat: number; quantity: number; hazard_ref: string }>(`select st_x(geom) as lon, st_y(geom) as lat, quantity, hazard_ref from find where ref = 'BIG-F1'`);
    expect(find.rows).toEqual([{ lon: w + 0.0051234, lat: s + 0.0049876, quantity: 3, hazard_ref: 'BIG-HZ1' }]);
  });
});
