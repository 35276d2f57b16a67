// The limits named in the README, each a clear refusal naming the record and the limit, on the engine under test.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import type { Database } from '../../src/db/engine.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import { MAX_DRAFTS_PER_ORGANISATION, MAX_ITEMS_PER_SUBMISSION, MAX_VERTICES_PER_POLYGON } from '../../src/domain/limits.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { box, circle, collection, count, hazardFeature, importFixture, importText, releaseFeature } from '../support/fixtures.ts';

let db: Database;
let app: FastifyInstance;
let operator: string;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  await importFixture(db, 'hazards', 'hazards-small.geojson');
  await addUser(db, { username: 'mag.officer', role: 'operator_data_officer', organisation: 'MAG', password: 'a-long-password' }, 'test');
  operator = (await createApiToken(db, 'mag.officer', 'limits test', 'test')).token;
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 16 * 1024 * 1024 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('the limits on what Clearway is sent', () => {
  it(`refuses a polygon of more than ${MAX_VERTICES_PER_POLYGON.toLocaleString('en-US')} vertices, naming it`, async () => {
    const report = await importText(db, 'hazards', collection([hazardFeature({ ref: 'HUGE-1' }, circle(103.3, 13.3, 2_000, MAX_VERTICES_PER_POLYGON + 1))]));
    expect(report.stored).toBe(false);
    expect(report.errors).toEqual([expect.objectContaining({ code: 'geometry.too-many-vertices', ref: 'HUGE-1', field: 'geometry' })]);
    const fine = await importText(db, 'hazards', collection([hazardFeature({ ref: 'BIG-OK' }, circle(103.3, 13.3, 2_000, 5_000))]), { dryRun: true });
    expect(fine.errors).toEqual([]);
  });

  it('refuses a hazard or a release of less than 1 m2', async () => {
    // 0.000005 degrees is about 0.55 m: a square of about 0.3 m2.
    const tinyHazard = await importText(db, 'hazards', collection([hazardFeature({ ref: 'TINY-1' }, box(103.3, 13.3, 103.300005, 13.300005))]));
    expect(tinyHazard.errors).toEqual([expect.objectContaining({ code: 'geometry.too-small', ref: 'TINY-1', field: 'geometry' })]);
    const hazard = await db.query<{ x: number; y: number }>(`select st_x(st_pointonsurface(geom)) as x, st_y(st_pointonsurface(geom)) as y from hazard where ref = 'HZ-PL-0001'`);
    const { x, y } = hazard.rows[0]!;
    const tinyRelease = await importText(db, 'releases', collection([releaseFeature({ ref: 'TINY-R', hazard_ref: 'HZ-PL-0001' }, box(x, y, x + 0.000005, y + 0.000005))]));
    expect(tinyRelease.errors).toEqual([expect.objectContaining({ code: 'geometry.too-small', ref: 'TINY-R', field: 'geometry' })]);
  });

  it('refuses a list that repeats a value instead of folding it silently', async () => {
    const report = await importText(db, 'hazards', collection([hazardFeature({ ref: 'TWICE-1', contamination: ['AP', 'AT', 'AP'] }, circle(103.31, 13.3, 100))]));
    expect(report.errors).toEqual([expect.objectContaining({ code: 'field.repeated', ref: 'TWICE-1', field: 'contamination' })]);
    expect(report.errors[0]!.reason).toContain('AP');
  });

  it(`refuses a submission of more than ${MAX_ITEMS_PER_SUBMISSION.toLocaleString('en-US')} items with 413, storing nothing`, async () => {
    const rows = ['ref,category,model,quantity,found_on,lon,lat'];
    for (let i = 0; i <= MAX_ITEMS_PER_SUBMISSION; i++) rows.push(`MANY-${i},UXO,Mortar 82mm,1,2024-01-01,103.2,13.1`);
    const before = await count(db, 'submission');
    const response = await app.inject({ method: 'POST', url: '/api/submissions?kind=finds', headers: { authorization: `Bearer ${operator}`, 'content-type': 'text/csv' }, body: rows.join('\n') });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'submission.too-many-items' });
    expect(await count(db, 'submission')).toBe(before);
  });

  it(`keeps at most ${MAX_DRAFTS_PER_ORGANISATION} drafts per organisation`, async () => {
    const send = (i: number) => app.inject({
      method: 'POST', url: '/api/submissions?kind=finds', headers: { authorization: `Bearer ${operator}`, 'content-type': 'text/csv' },
      body: `ref,category,model,quantity,found_on,lon,lat\nDRAFT-${i},UXO,Mortar 82mm,1,2024-01-01,103.2,13.1\n`,
    });
    for (let i = 0; i < MAX_DRAFTS_PER_ORGANISATION; i++) expect((await send(i)).statusCode).toBe(201);
    const refused = await send(MAX_DRAFTS_PER_ORGANISATION);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'submission.too-many-drafts' });
    expect(await count(db, `submission where organisation_code = 'MAG' and state = 'draft'`)).toBe(MAX_DRAFTS_PER_ORGANISATION);
  });
});
