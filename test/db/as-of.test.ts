// Figures for any date: the land release report as of a date gives the land as it stood that day, as the
// record knows it now; and a status the authority sets is never overwritten by the computed one.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import type { Database } from '../../src/db/engine.ts';
import { REPORT_DIMENSIONS } from '../../src/domain/land-release-figures.ts';
import type { Role } from '../../src/domain/roles.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { box, collection, hazardFeature, importText, releaseFeature } from '../support/fixtures.ts';

let db: Database;
let app: FastifyInstance;
const tokens: Record<string, string> = {};

interface Figures { original_m2: number; cancelled_m2: number; reduced_m2: number; cleared_m2: number; remaining_m2: number }
interface Report { by: string; as_of?: string; rows: (Figures & { unit_code: string })[]; total: Figures }

// Near Sisophon, well inside one province and one district.
const [X, Y] = [103.05, 13.62];
const hazardA = box(X, Y, X + 0.01, Y + 0.01);
const hazardB = box(X + 0.02, Y, X + 0.03, Y + 0.01);
const hazardLate = box(X + 0.04, Y, X + 0.05, Y + 0.01);
let province: string;
let lateSubmission: number;

const PEOPLE: [string, Role, string][] = [
  ['halo.officer', 'operator_data_officer', 'HALO'],
  ['cmaa.reviewer', 'authority_reviewer', 'CMAA'],
  ['cmaa.officer', 'authority_data_officer', 'CMAA'],
  ['donor.viewer', 'donor_viewer', 'UNDP'],
];

function call(who: string | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: string, contentType = 'application/json') {
  return app.inject({ method, url, payload, headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), ...(payload ? { 'content-type': contentType } : {}) } });
}

/** HALO submits a file, the authority approves it: returns the submission's id. */
async function approved(kind: 'hazards' | 'releases', features: unknown[]): Promise<number> {
  const draft = (await call('halo.officer', 'POST', `/api/submissions?kind=${kind}`, collection(features), 'application/geo+json')).json() as { id: number; validation: { errorCount: number; errors: unknown[] } };
  expect(draft.validation.errors).toEqual([]);
  expect((await call('halo.officer', 'POST', `/api/submissions/${draft.id}/submit`)).statusCode).toBe(200);
  const decision = await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/approve`);
  expect(decision.statusCode, decision.body).toBe(200);
  return draft.id;
}

async function area(ring: [number, number][]): Promise<number> {
  const wkt = `POLYGON((${ring.map(([x, y]) => `${x} ${y}`).join(',')}))`;
  return (await db.query<{ a: number }>(`select st_area(st_geomfromtext($1, 4326)::geography) as a`, [wkt])).rows[0]!.a;
}

async function counted(ref: string): Promise<number> {
  return (await db.query<{ m2: number }>(`select c.counted_m2 as m2 from release_counted c join land_release r on r.id = c.release_id where r.ref = $1`, [ref])).rows[0]!.m2;
}

async function report(query: string): Promise<Report> {
  const response = await call(null, 'GET', `/api/reports/land-release?${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Report;
}

const cents = (m2: number) => Math.round(m2 * 100);

/** Every row balances to the cent and the rows sum to the total. */
function expectConsistent(r: Report): void {
  const sums = { original_m2: 0, cancelled_m2: 0, reduced_m2: 0, cleared_m2: 0, remaining_m2: 0 };
  for (const row of r.rows) {
    expect(cents(row.original_m2), row.unit_code).toBe(cents(row.cancelled_m2) + cents(row.reduced_m2) + cents(row.cleared_m2) + cents(row.remaining_m2));
    expect(row.remaining_m2).toBeGreaterThanOrEqual(0);
    for (const key of Object.keys(sums) as (keyof Figures)[]) sums[key] += cents(row[key]);
  }
  for (const key of Object.keys(sums) as (keyof Figures)[]) expect(sums[key], key).toBe(cents(r.total[key]));
}

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  for (const [username, role, organisation] of PEOPLE) {
    await addUser(db, { username, role, organisation, password: 'a-long-password' }, 'test');
    tokens[username] = (await createApiToken(db, username, 'test', 'test')).token;
  }
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 1024 * 1024 });
  // The record as imported by the authority: two hazards known in 2024 and 2025, one recorded in 2026.
  expect((await importText(db, 'hazards', collection([
    hazardFeature({ ref: 'ASOF-A', recorded_on: '2024-01-10', operator: 'HALO' }, hazardA),
    hazardFeature({ ref: 'ASOF-B', recorded_on: '2025-06-01', operator: 'HALO', contamination: ['AT'] }, hazardB),
    hazardFeature({ ref: 'ASOF-LATE', recorded_on: '2026-02-01', operator: 'HALO' }, hazardLate),
  ]))).stored).toBe(true);
  expect((await importText(db, 'releases', collection([
    // Ended mid-2024: counts as of any date after.
    releaseFeature({ ref: 'ASOF-R1', hazard_ref: 'ASOF-A', kind: 'cleared', method: 'manual', start_date: '2024-03-01', end_date: '2024-06-30' }, box(X, Y, X + 0.005, Y + 0.01)),
    // Ended in January 2026: not as of 2025-12-31.
    releaseFeature({ ref: 'ASOF-R2', hazard_ref: 'ASOF-A', kind: 'reduced', method: 'ts', start_date: '2025-11-01', end_date: '2026-01-15' }, box(X + 0.005, Y, X + 0.01, Y + 0.01)),
    releaseFeature({ ref: 'ASOF-R3', hazard_ref: 'ASOF-B', kind: 'cancelled', method: 'nts', start_date: '2025-09-01', end_date: '2025-09-30' }, box(X + 0.02, Y, X + 0.025, Y + 0.005)),
    releaseFeature({ ref: 'ASOF-R4', hazard_ref: 'ASOF-LATE', kind: 'cleared', method: 'mdd', start_date: '2025-10-01', end_date: '2025-12-01' }, box(X + 0.04, Y, X + 0.045, Y + 0.01)),
  ]))).stored).toBe(true);
  // Ended in November 2025, submitted and approved only now (after the year closed).
  lateSubmission = await approved('releases', [
    releaseFeature({ ref: 'ASOF-R5', hazard_ref: 'ASOF-B', kind: 'cleared', method: 'mechanical', start_date: '2025-10-01', end_date: '2025-11-30' }, box(X + 0.025, Y + 0.005, X + 0.03, Y + 0.01)),
  ]);
  province = (await db.query<{ province_code: string }>(`select province_code from hazard where ref = 'ASOF-A'`)).rows[0]!.province_code;
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('the land release report as of a date', () => {
  it('counts releases that ended by then, a release approved later among them, and no hazard recorded after', async () => {
    const r = await report('by=province&as_of=2025-12-31');
    expect(r.as_of).toBe('2025-12-31');
    const row = r.rows.find((x) => x.unit_code === province)!;
    expect(row.original_m2).toBeCloseTo((await area(hazardA)) + (await area(hazardB)), 1);
    expect(row.cleared_m2).toBeCloseTo((await counted('ASOF-R1')) + (await counted('ASOF-R5')), 1);
    expect(row.cancelled_m2).toBeCloseTo(await counted('ASOF-R3'), 1);
    expect(row.reduced_m2).toBe(0);
    // The late-approved release is behind the figure, with its submission; the later ones are not.
    const behind = (await call(null, 'GET', `/api/reports/land-release/releases?by=province&unit=${province}&as_of=2025-12-31`)).json() as { items: { ref: string; submission_id: number | null }[]; total: number };
    expect(behind.items.map((i) => i.ref)).toEqual(['ASOF-R1', 'ASOF-R3', 'ASOF-R5']);
    expect(behind.total).toBe(3);
    expect(behind.items[2]!.submission_id).toBe(lateSubmission);
    expectConsistent(r);
  });

  it('leaves out a hazard recorded after the date, with its releases, and releases that ended after it', async () => {
    const r = await report('by=province&as_of=2024-12-31');
    const row = r.rows.find((x) => x.unit_code === province)!;
    expect(row.original_m2).toBeCloseTo(await area(hazardA), 1);
    expect(row.cleared_m2).toBeCloseTo(await counted('ASOF-R1'), 1);
    expect(row.cancelled_m2 + row.reduced_m2).toBe(0);
    const before = await report('by=province&as_of=2023-12-31');
    expect(before.total).toEqual({ original_m2: 0, cancelled_m2: 0, reduced_m2: 0, cleared_m2: 0, remaining_m2: 0 });
    // Today: all three hazards and all five releases.
    const today = await report('by=province');
    const now = today.rows.find((x) => x.unit_code === province)!;
    expect(now.original_m2).toBeCloseTo((await area(hazardA)) + (await area(hazardB)) + (await area(hazardLate)), 1);
    expect(now.reduced_m2).toBeCloseTo(await counted('ASOF-R2'), 1);
  });

  it('gives, as of a date after every record, exactly today\'s figures, by every dimension', async () => {
    for (const by of REPORT_DIMENSIONS) {
      const today = await report(`by=${by}`);
      const later = await report(`by=${by}&as_of=2030-01-01`);
      expect(later.rows, by).toEqual(today.rows);
      expect(later.total, by).toEqual(today.total);
      expect(today.as_of).toBeUndefined();
    }
  });

  it('balances every row and sums to the national total as of the date, by every dimension', async () => {
    const national = (await report('by=province&as_of=2025-12-31')).total;
    for (const by of REPORT_DIMENSIONS) {
      const r = await report(`by=${by}&as_of=2025-12-31`);
      expectConsistent(r);
      // Each row is rounded to the cent on its own, so dimensions agree to a cent per row.
      for (const key of Object.keys(national) as (keyof Figures)[]) {
        expect(Math.abs(cents(r.total[key]) - cents(national[key])), `${by} ${key}`).toBeLessThanOrEqual(r.rows.length);
      }
      expect(r.total.original_m2, by).toBeGreaterThan(0);
    }
    const years = await report('by=year&as_of=2025-12-31');
    expect(years.rows.map((row) => row.unit_code)).toEqual(['2024', '2025', 'unassigned']);
    const csv = (await call(null, 'GET', '/api/reports/land-release?by=year&as_of=2025-12-31&format=csv')).body;
    expect(csv.split('\n')[1]).toMatch(/^2024,2024,/);
  });

  it('refuses a date that is not a calendar date, naming the field', async () => {
    for (const url of ['/api/reports/land-release?by=province&as_of=2025-02-30', '/api/reports/land-release?as_of=31/12/2025',
      `/api/reports/land-release/releases?by=province&unit=${province}&as_of=2025-13-01`]) {
      const response = await call(null, 'GET', url);
      // A date of the wrong form is the catalogue's date.not-iso, whatever carries it: 422.
      expect(response.statusCode, url).toBe(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ code: 'date.not-iso', field: 'as_of' });
    }
  });
});

describe('hazards combined into one, as of a date before the combine', () => {
  it('counts the hazard that replaced them from the earliest date any of them was recorded', async () => {
    const [x, y] = [X, Y + 0.03];
    expect((await importText(db, 'hazards', collection([
      hazardFeature({ ref: 'ASOF-C1', recorded_on: '2024-02-01' }, box(x, y, x + 0.01, y + 0.01)),
      hazardFeature({ ref: 'ASOF-C2', recorded_on: '2025-03-01' }, box(x + 0.01, y, x + 0.02, y + 0.01)),
    ]))).stored).toBe(true);
    const whole = box(x, y, x + 0.02, y + 0.01);
    const before = await report('by=province&as_of=2024-12-31');
    const draft = (await call('halo.officer', 'POST', '/api/submissions?kind=hazards', collection([hazardFeature({ ref: 'ASOF-C', recorded_on: '2026-05-01', operator: 'HALO' }, whole)]), 'application/geo+json')).json() as { id: number };
    await call('halo.officer', 'POST', `/api/submissions/${draft.id}/submit`);
    const targets = [{ ref: 'ASOF-C1', version: 1 }, { ref: 'ASOF-C2', version: 1 }];
    expect((await call('cmaa.reviewer', 'PUT', `/api/submissions/${draft.id}/reconciliation`, JSON.stringify({ items: [{ item: 0, action: 'combine', targets }] }))).statusCode).toBe(200);
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/approve`)).statusCode).toBe(200);
    // As the record knows it now, the land is ASOF-C's polygon, known since ASOF-C1 was recorded (2024).
    const after = await report('by=province&as_of=2024-12-31');
    const grew = after.rows.find((r) => r.unit_code === province)!.original_m2 - before.rows.find((r) => r.unit_code === province)!.original_m2;
    expect(grew).toBeCloseTo((await area(whole)) - (await area(box(x, y, x + 0.01, y + 0.01))), 1);
    // Before any of them was recorded, only ASOF-A (recorded 2024-01-10) is there.
    expect((await report('by=province&as_of=2024-01-31')).rows.find((r) => r.unit_code === province)!.original_m2)
      .toBeCloseTo(await area(hazardA), 1);
    expectConsistent(after);
  });
});

describe('a status the authority sets', () => {
  it('is kept when a release is approved on the hazard, and the history shows both', async () => {
    const reason = 'Post-clearance inspection QA-2026-014 found two PMN-2 in the cleared strip';
    // Released by its two releases; the authority reopens it.
    expect((await db.query<{ status: string }>(`select status from hazard where ref = 'ASOF-A'`)).rows[0]!.status).toBe('released');
    const set = await call('cmaa.officer', 'POST', '/api/hazards/ASOF-A/status', JSON.stringify({ status: 'reopened', reason }));
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ ref: 'ASOF-A', status: 'reopened', status_source: 'authority', status_reason: reason, status_set_by: 'cmaa.officer' });
    // A release that would leave nothing remaining: the computed status would be 'released'.
    const submission = await approved('releases', [
      releaseFeature({ ref: 'ASOF-R6', hazard_ref: 'ASOF-A', kind: 'cleared', method: 'manual', start_date: '2026-03-01', end_date: '2026-04-30' }, hazardA),
    ]);
    // Who changed it and why are staff-only (the public presenter leaves them out): read as the authority.
    const detail = (await call('cmaa.reviewer', 'GET', '/api/hazards/ASOF-A')).json() as { hazard: { status: string }; accounting: Figures; history: { version: number; status: string; status_source: string; status_reason: string | null; changed_by: string }[] };
    expect(detail.accounting.remaining_m2).toBeLessThan(0.5);
    expect(detail.hazard.status).toBe('reopened');
    expect(detail.history[0]).toMatchObject({ status: 'reopened', status_source: 'authority', status_reason: reason, changed_by: 'cmaa.officer' });
    // The approval recounted the hazard (computed: released) and made no version over the authority's.
    expect(detail.history.map((v) => [v.status, v.status_source])).toEqual([['reopened', 'authority'], ['released', 'computed'], ['open', 'computed']]);
    const release = ((await call('cmaa.reviewer', 'GET', '/api/releases/ASOF-R6/history')).json() as { items: { changed_by: string; batch_id: number }[] }).items;
    expect(release[0]!.changed_by).toBe('cmaa.reviewer');
    const batch = (await db.query<{ submission_id: number }>('select submission_id from change_batch where id = $1', [release[0]!.batch_id])).rows[0]!;
    expect(batch.submission_id).toBe(submission);
    const log = ((await call('cmaa.reviewer', 'GET', '/api/audit?entity=hazard&ref=ASOF-A')).json() as { items: { actor: string; action: string; details: { to: string; reason: string } }[] }).items;
    expect(log[0]).toMatchObject({ actor: 'cmaa.officer', action: 'hazard.status', details: { to: 'reopened', reason } });
  });

  it('goes back to the computed status only when the authority hands it back', async () => {
    const back = await call('cmaa.reviewer', 'POST', '/api/hazards/ASOF-A/status', JSON.stringify({ status: 'computed', reason: 'Re-cleared and inspected again' }));
    expect(back.json()).toMatchObject({ status: 'released', status_source: 'computed', status_reason: null });
  });

  it('is the authority\'s only, needs a reason and a known status, and not on a combined hazard', async () => {
    expect((await call('halo.officer', 'POST', '/api/hazards/ASOF-B/status', JSON.stringify({ status: 'reopened', reason: 'x' }))).statusCode).toBe(403);
    expect((await call(null, 'POST', '/api/hazards/ASOF-B/status', JSON.stringify({ status: 'reopened', reason: 'x' }))).statusCode).toBe(401);
    const noReason = await call('cmaa.officer', 'POST', '/api/hazards/ASOF-B/status', JSON.stringify({ status: 'reopened', reason: ' ' }));
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json()).toMatchObject({ field: 'reason' });
    expect((await call('cmaa.officer', 'POST', '/api/hazards/ASOF-B/status', JSON.stringify({ status: 'combined', reason: 'x' }))).statusCode).toBe(400);
    expect((await call('cmaa.officer', 'POST', '/api/hazards/NO-SUCH/status', JSON.stringify({ status: 'reopened', reason: 'x' }))).statusCode).toBe(404);
    const combined = await call('cmaa.officer', 'POST', '/api/hazards/ASOF-C1/status', JSON.stringify({ status: 'reopened', reason: 'x' }));
    expect(combined.statusCode).toBe(409);
    expect(combined.json()).toMatchObject({ code: 'hazard.status-not-settable' });
    // Nothing changed on the hazards refused.
    expect((await db.query<{ status_source: string }>(`select status_source from hazard where ref = 'ASOF-B'`)).rows[0]!.status_source).toBe('computed');
  });
});
