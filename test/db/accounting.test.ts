// Land release accounting on real geometry: per hazard original = cancelled + reduced + cleared +
// remaining, no m2 counted twice, geodesic areas, and unit rows that sum to the national total.
import fs from 'node:fs';
import path from 'node:path';
import geodesic from 'geographiclib-geodesic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/engine.ts';
import { SilentEngineFailure } from '../../src/db/engine.ts';
import { landReleaseReport, landReleaseCsv, REPORT_COLUMNS } from '../../src/app/land-release-report.ts';
import { REPORT_DIMENSIONS } from '../../src/domain/land-release-figures.ts';
import { createTestDatabase, engineUnderTest } from '../support/test-database.ts';
import { box, circle, collection, fixturesDir, hazardFeature, importFixture, importText, releaseFeature, type Ring } from '../support/fixtures.ts';

let db: Database;

interface Accounting {
  original_m2: number;
  cancelled_m2: number;
  reduced_m2: number;
  cleared_m2: number;
  remaining_m2: number;
}

async function accountingOf(ref: string): Promise<Accounting> {
  const result = await db.query<Accounting>(
    `select a.original_m2, a.cancelled_m2, a.reduced_m2, a.cleared_m2, a.remaining_m2
     from hazard_accounting a join hazard h on h.id = a.hazard_id where h.ref = $1`,
    [ref],
  );
  if (!result.rows[0]) throw new Error(`no accounting for ${ref}`);
  return result.rows[0];
}

const released = (a: Accounting) => a.cancelled_m2 + a.reduced_m2 + a.cleared_m2;

async function geodesicAreaOf(wkt: string): Promise<number> {
  return (await db.query<{ a: number }>(`select st_area(st_geomfromtext($1, 4326)::geography) as a`, [wkt])).rows[0]!.a;
}

const wkt = (ring: Ring) => `POLYGON((${ring.map(([x, y]) => `${x} ${y}`).join(',')}))`;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  expect((await importFixture(db, 'hazards', 'hazards-small.geojson')).stored).toBe(true);
  expect((await importFixture(db, 'releases', 'releases-small.geojson')).stored).toBe(true);
});
afterAll(async () => db?.close());

describe('areas are geodesic on the WGS84 ellipsoid', () => {
  it('agrees with GeographicLib (an independent implementation) to 1e-8', async () => {
    const ring = box(103.0, 13.0, 103.01, 13.01);
    const polygon = geodesic.Geodesic.WGS84.Polygon(false);
    for (const [lon, lat] of ring.slice(0, -1)) polygon.AddPoint(lat, lon);
    const reference = Math.abs(polygon.Compute(false, true).area ?? Number.NaN);
    const ours = await geodesicAreaOf(wkt(ring));
    expect(Math.abs(ours - reference) / reference).toBeLessThan(1e-8);
    // A planar computation in degrees would be off by far more than the tolerance above.
    expect(reference).toBeGreaterThan(1_199_000);
    expect(reference).toBeLessThan(1_201_000);
  });
});

describe('per hazard, the accounting balances', () => {
  it('holds original = cancelled + reduced + cleared + remaining for every hazard, to the m2', async () => {
    const rows = await db.query<Accounting & { area_m2: number; geodesic: number }>(
      `select a.*, h.area_m2, st_area(h.geom::geography) as geodesic from hazard_accounting a join hazard h on h.id = a.hazard_id`,
    );
    expect(rows.rows.length).toBe(6);
    for (const row of rows.rows) {
      expect(row.original_m2).toBe(row.geodesic);
      expect(Math.abs(row.original_m2 - released(row) - row.remaining_m2)).toBeLessThan(1e-6);
      expect(row.remaining_m2).toBeGreaterThanOrEqual(0);
    }
  });

  it('counts overlapping releases once: the one that ended first counts, ties by ref', async () => {
    const [x, y] = [103.2, 13.3];
    const hazard = box(x, y, x + 0.01, y + 0.01);
    const west = box(x, y, x + 0.006, y + 0.01);
    const east = box(x + 0.004, y, x + 0.01, y + 0.01);
    expect((await importText(db, 'hazards', collection([hazardFeature({ ref: 'OVL-1' }, hazard), hazardFeature({ ref: 'OVL-2' }, box(x + 0.02, y, x + 0.03, y + 0.01))]))).stored).toBe(true);
    const report = await importText(db, 'releases', collection([
      // Ends later: only its part outside the earlier release counts.
      releaseFeature({ ref: 'OVL-R-B', hazard_ref: 'OVL-1', kind: 'cleared', method: 'manual', end_date: '2022-06-30' }, west),
      releaseFeature({ ref: 'OVL-R-A', hazard_ref: 'OVL-1', kind: 'reduced', method: 'ts', end_date: '2021-06-30' }, east),
      // Same end date: OVL-R-C counts before OVL-R-D (by ref).
      releaseFeature({ ref: 'OVL-R-D', hazard_ref: 'OVL-2', kind: 'cleared', method: 'mdd', end_date: '2021-06-30' }, box(x + 0.02, y, x + 0.03, y + 0.01)),
      releaseFeature({ ref: 'OVL-R-C', hazard_ref: 'OVL-2', kind: 'cancelled', method: 'nts', end_date: '2021-06-30' }, box(x + 0.02, y, x + 0.025, y + 0.01)),
    ]));
    expect(report.stored).toBe(true);
    const a = await accountingOf('OVL-1');
    const eastArea = await geodesicAreaOf(wkt(east));
    const westOnly = await geodesicAreaOf(wkt(box(x, y, x + 0.004, y + 0.01)));
    expect(a.reduced_m2).toBeCloseTo(eastArea, 2);
    expect(a.cleared_m2).toBeCloseTo(westOnly, 2);
    expect(a.remaining_m2).toBeLessThan(0.01);
    expect(released(a) + a.remaining_m2).toBeCloseTo(a.original_m2, 6);
    const status = await db.query<{ status: string }>(`select status from hazard where ref = 'OVL-1'`);
    expect(status.rows[0]!.status).toBe('released');
    const b = await accountingOf('OVL-2');
    const half = await geodesicAreaOf(wkt(box(x + 0.02, y, x + 0.025, y + 0.01)));
    expect(b.cancelled_m2).toBeCloseTo(half, 2);
    expect(b.cleared_m2).toBeCloseTo(b.original_m2 - half, 2);
    expect(b.remaining_m2).toBeGreaterThanOrEqual(0);
  });

  it('keeps remaining at zero, never negative, when releases cover more than the hazard', async () => {
    const [x, y] = [103.25, 13.35];
    await importText(db, 'hazards', collection([hazardFeature({ ref: 'COVER-1' }, circle(x, y, 300))]));
    const report = await importText(db, 'releases', collection([
      releaseFeature({ ref: 'COVER-R1', hazard_ref: 'COVER-1', end_date: '2020-01-01', start_date: '2019-12-01' }, circle(x, y, 500)),
      releaseFeature({ ref: 'COVER-R2', hazard_ref: 'COVER-1', kind: 'cancelled', method: 'nts', end_date: '2021-01-01', start_date: '2020-12-01' }, circle(x, y, 400)),
    ]));
    expect(report.notes.map((n) => n.code)).toEqual(['release.outside-hazard', 'release.outside-hazard']);
    const a = await accountingOf('COVER-1');
    expect(a.remaining_m2).toBe(0);
    expect(a.cleared_m2).toBe(a.original_m2);
    expect(a.cancelled_m2).toBe(0);
  });
});

describe('the land release report', () => {
  it('splits a hazard across two provinces by its area in each, and rows sum to the national total', async () => {
    // A square on the boundary between Battambang (02) and Pailin (24), far from the national border.
    const point = await db.query<{ x: number; y: number }>(
      `select st_x(p) as x, st_y(p) as y from (
         select st_closestpoint(st_boundary(pl.geom), st_centroid(bb.geom)) as p
         from admin_unit pl, admin_unit bb where pl.code = '24' and bb.code = '02') q`,
    );
    const { x, y } = point.rows[0]!;
    const ring = box(x - 0.004, y - 0.004, x + 0.004, y + 0.004);
    expect((await importText(db, 'hazards', collection([hazardFeature({ ref: 'SPLIT-1' }, ring)]))).stored).toBe(true);
    await importText(db, 'releases', collection([releaseFeature({ ref: 'SPLIT-R1', hazard_ref: 'SPLIT-1' }, box(x - 0.004, y - 0.004, x + 0.004, y))]));
    const shares = await db.query<{ unit_code: string; original_m2: number; cleared_m2: number; expected: number }>(
      `select s.unit_code, s.original_m2, s.cleared_m2, st_area(st_intersection(h.geom, u.geom)::geography) as expected
       from hazard_unit_share s join hazard h on h.id = s.hazard_id join admin_unit u on u.code = s.unit_code
       where h.ref = 'SPLIT-1' and s.level = 'province' order by s.unit_code`,
    );
    expect(shares.rows.map((r) => r.unit_code)).toEqual(['02', '24']);
    const a = await accountingOf('SPLIT-1');
    expect(shares.rows[0]!.original_m2 + shares.rows[1]!.original_m2).toBeCloseTo(a.original_m2, 6);
    expect(shares.rows[0]!.cleared_m2 + shares.rows[1]!.cleared_m2).toBeCloseTo(a.cleared_m2, 6);
    for (const row of shares.rows) {
      expect(row.original_m2).toBeGreaterThan(1_000);
      expect(Math.abs(row.original_m2 - row.expected) / row.expected).toBeLessThan(1e-5);
    }
  });

  it.each(REPORT_DIMENSIONS)('balances every row and sums to the national total by %s', async (by) => {
    const report = await landReleaseReport(db, by);
    const national = (await db.query<Accounting>(
      `select sum(original_m2) as original_m2, sum(cancelled_m2) as cancelled_m2, sum(reduced_m2) as reduced_m2,
              sum(cleared_m2) as cleared_m2, sum(remaining_m2) as remaining_m2 from hazard_accounting`,
    )).rows[0]!;
    const cents = (m2: number) => Math.round(m2 * 100);
    const sum = (key: keyof Accounting) => report.rows.reduce((total, row) => total + cents(row[key]), 0);
    for (const row of report.rows) {
      expect(cents(row.original_m2)).toBe(cents(row.cancelled_m2) + cents(row.reduced_m2) + cents(row.cleared_m2) + cents(row.remaining_m2));
      expect(row.remaining_m2).toBeGreaterThanOrEqual(0);
    }
    for (const key of ['original_m2', 'cancelled_m2', 'reduced_m2', 'cleared_m2', 'remaining_m2'] as const) {
      expect(sum(key)).toBe(cents(report.total[key]));
      // The national figure, to the m2.
      expect(Math.abs(report.total[key] - national[key])).toBeLessThan(1);
    }
  });

  it('lists all 25 provinces and an unassigned row for area outside every province', async () => {
    const top = await db.query<{ x: number; y: number }>(
      `select st_x(p) as x, st_y(p) as y from (select (st_dumppoints(geom)).geom as p from country) v order by st_y(p) desc limit 1`,
    );
    await importText(db, 'hazards', collection([hazardFeature({ ref: 'EDGE-1' }, circle(top.rows[0]!.x, top.rows[0]!.y, 800))]));
    const report = await landReleaseReport(db, 'province');
    expect(report.rows.filter((r) => r.unit_code !== 'unassigned')).toHaveLength(25);
    const unassigned = report.rows.find((r) => r.unit_code === 'unassigned');
    expect(unassigned?.original_m2).toBeGreaterThan(1_000);
    const csv = landReleaseCsv(report).trim().split('\n');
    expect(csv[0]).toBe(REPORT_COLUMNS.join(','));
    expect(csv).toHaveLength(report.rows.length + 1);
    expect(csv.find((line) => line.startsWith('24,'))).toMatch(/^24,Pailin,\d+\.\d\d,/);
  });
});

describe('nothing is silently lost when GEOS fails inside the embedded engine', () => {
  const pair = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'regressions', 'pglite-swallowed-geos-error.json'), 'utf8')) as Record<string, string | number>;

  it('turns a statement that returns neither rows nor an error into an error that rolls back', async () => {
    const floating = db.query(`select st_area(st_difference($1::geometry, $2::geometry)::geography) as a`, [pair.a, pair.b]);
    if (engineUnderTest() === 'embedded') {
      await expect(floating).rejects.toBeInstanceOf(SilentEngineFailure);
      await expect(db.transaction(async (tx) => {
        await tx.query(`insert into organisation (code, name, kind) values ('LOST', 'Lost Org', 'other')`);
        await tx.query(`select st_difference($1::geometry, $2::geometry)`, [pair.a, pair.b]);
      })).rejects.toBeInstanceOf(SilentEngineFailure);
      expect((await db.query(`select 1 from organisation where code = 'LOST'`)).rows).toHaveLength(0);
    } else {
      // The server answers. Floating overlay differs between GEOS builds (the recorded server figure and
      // Debian's differ by 24 m2 of 2.67 km2, 9e-6), hence the same 1e-5 as the grid overlay below.
      const area = (await floating).rows[0] as { a: number };
      const recorded = Number(pair.server_postgis_3_3_difference_area_m2);
      expect(Math.abs(area.a - recorded) / recorded).toBeLessThan(1e-5);
    }
  });

  it('imports the real pair as a hazard and a release and reports the right remaining area on both engines', async () => {
    const toFeature = (ewkt: string) => db.query<{ g: string }>(`select st_asgeojson(st_geomfromewkt($1)) as g`, [ewkt]).then((r) => JSON.parse(r.rows[0]!.g) as { coordinates: Ring[] });
    const [a, b] = await Promise.all([toFeature(String(pair.a)), toFeature(String(pair.b))]);
    expect((await importText(db, 'hazards', collection([hazardFeature({ ref: 'GEOS-1' }, a.coordinates[0]!)]))).stored).toBe(true);
    const report = await importText(db, 'releases', collection([releaseFeature({ ref: 'GEOS-R1', hazard_ref: 'GEOS-1' }, b.coordinates[0]!)]));
    expect(report.errors).toEqual([]);
    const accounting = await accountingOf('GEOS-1');
    const expected = Number(pair.server_postgis_3_3_difference_area_m2);
    // The remaining area is a minus b: the very overlay the embedded engine once lost silently. It is
    // original minus counted, and PostGIS's spheroidal areas of the pieces of a polygon add up to the
    // whole only to ~2e-6 of it (measured on this pair: 18 m2 of 9.0 km2), hence 2e-5 of the remainder.
    expect(Math.abs(accounting.remaining_m2 - expected) / expected).toBeLessThan(2e-5);
    const direct = (await db.query<{ a: number }>(
      `select st_area(st_difference(h.geom, r.geom, 1e-9)::geography) as a from hazard h join land_release r on r.hazard_id = h.id where r.ref = 'GEOS-R1'`,
    )).rows[0]!.a;
    expect(Math.abs(direct - expected) / expected).toBeLessThan(1e-5);
    expect(released(accounting) + accounting.remaining_m2).toBeCloseTo(accounting.original_m2, 6);
  });
});
