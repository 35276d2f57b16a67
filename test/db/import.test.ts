// Importing hazards and land releases, as an operator's data officer would, on the engine under test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/engine.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { box, circle, collection, count, hazardFeature, importFixture, importText, releaseFeature } from '../support/fixtures.ts';

let db: Database;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  const hazards = await importFixture(db, 'hazards', 'hazards-small.geojson');
  expect(hazards.errors).toEqual([]);
  const releases = await importFixture(db, 'releases', 'releases-small.geojson');
  expect(releases.errors).toEqual([]);
});
afterAll(async () => db?.close());

/** Imports and expects a refusal that stored nothing; returns the errors. */
async function refused(kind: 'hazards' | 'releases', text: string, fileName?: string) {
  const before = await count(db, kind === 'hazards' ? 'hazard' : 'land_release');
  const versionsBefore = await count(db, 'hazard_version');
  const report = await importText(db, kind, text, { fileName });
  expect(report.stored).toBe(false);
  expect(report.errors.length).toBeGreaterThan(0);
  expect(await count(db, kind === 'hazards' ? 'hazard' : 'land_release')).toBe(before);
  expect(await count(db, 'hazard_version')).toBe(versionsBefore);
  return report.errors;
}

const PAILIN = [102.62, 12.85] as const;

describe('an operator imports hazards', () => {
  it('assigns each hazard its province and district from its geometry, and commune and village from village_code', async () => {
    const result = await db.query<Record<string, string>>(
      `select ref, province_code, district_code, commune_code, village_code, status, version from hazard where ref = 'HZ-PL-0001'`,
    );
    expect(result.rows[0]).toMatchObject({ province_code: '24', district_code: '2401', commune_code: '240101', village_code: '24010101' });
    const kampongCham = await db.query<{ province_code: string }>(`select province_code from hazard where ref = 'HZ-KC-0005'`);
    expect(kampongCham.rows[0]?.province_code).toBe('03');
  });

  it('stores the geodesic area of each hazard', async () => {
    const result = await db.query<{ area_m2: number; geodesic: number }>(
      `select area_m2, st_area(geom::geography) as geodesic from hazard where ref = 'HZ-BB-0002'`,
    );
    expect(result.rows[0]!.area_m2).toBe(result.rows[0]!.geodesic);
  });

  it('refuses a whole file for one bad record and names the record, the field and the reason', async () => {
    const errors = await refused('hazards', collection([
      hazardFeature({ ref: 'OK-1' }, circle(PAILIN[0] + 0.05, PAILIN[1], 200)),
      hazardFeature({ ref: 'BAD-TYPE', type: 'XHA' }, circle(PAILIN[0] + 0.06, PAILIN[1], 200)),
    ]));
    expect(errors).toEqual([expect.objectContaining({ code: 'type.unknown', ref: 'BAD-TYPE', feature: 1, field: 'type' })]);
    expect(errors[0]!.reason).toContain('"XHA"');
  });

  it.each([
    ['missing ref', { ref: undefined }, 'ref.missing', 'ref'],
    ['unknown contamination', { ref: 'C-1', contamination: ['AP', 'NUKE'] }, 'contamination.unknown', 'contamination.1'],
    ['unknown operator', { ref: 'O-1', operator: 'NOPE' }, 'operator.unknown', 'operator'],
    ['date not ISO', { ref: 'D-1', recorded_on: '12/03/2020' }, 'date.not-iso', 'recorded_on'],
    ['impossible date', { ref: 'D-2', recorded_on: '2021-02-30' }, 'date.not-iso', 'recorded_on'],
    ['date in the future', { ref: 'D-3', recorded_on: '2031-01-01' }, 'date.future', 'recorded_on'],
    ['unknown village', { ref: 'V-1', village_code: '99999999' }, 'village.unknown', 'village_code'],
  ])('refuses a %s', async (_label, properties, code, field) => {
    const errors = await refused('hazards', collection([hazardFeature(properties, circle(PAILIN[0] + 0.1, PAILIN[1], 200))]));
    expect(errors[0]).toMatchObject({ code, field, feature: 0 });
  });

  it('refuses refs used twice in a file, and refs already in the official record', async () => {
    const errors = await refused('hazards', collection([
      hazardFeature({ ref: 'DUP-1' }, circle(PAILIN[0] + 0.05, PAILIN[1], 200)),
      hazardFeature({ ref: 'DUP-1' }, circle(PAILIN[0] + 0.07, PAILIN[1], 200)),
      hazardFeature({ ref: 'HZ-PL-0001' }, circle(PAILIN[0] + 0.09, PAILIN[1], 200)),
    ]));
    expect(errors).toEqual(expect.arrayContaining([
      expect.objectContaining({ code: 'ref.duplicate', ref: 'DUP-1', feature: 1 }),
      expect.objectContaining({ code: 'ref.exists', ref: 'HZ-PL-0001', feature: 2 }),
    ]));
  });

  it('refuses malformed and truncated files', async () => {
    const malformed = await refused('hazards', '{"type": "FeatureCollection", "features": [ {"type": "Feature",, } ]}');
    expect(malformed[0]).toMatchObject({ code: 'file.malformed' });
    expect(malformed[0]!.reason).toMatch(/line 1, column \d+/);
    const whole = collection([hazardFeature({ ref: 'T-1' }, circle(PAILIN[0], PAILIN[1] + 0.05, 200))]);
    for (const cut of [5, 20, 40]) {
      const truncated = await refused('hazards', whole.slice(0, whole.length - cut));
      expect(truncated[0]).toMatchObject({ code: 'file.truncated' });
    }
    const notGeoJson = await refused('hazards', '{"hello": "world"}');
    expect(notGeoJson[0]).toMatchObject({ code: 'file.malformed' });
  });

  it('refuses a self-intersecting polygon, and with --repair stores it repaired and says what changed', async () => {
    const [x, y] = [PAILIN[0] + 0.03, PAILIN[1] - 0.03];
    const bowtie: [number, number][] = [[x, y], [x + 0.01, y + 0.01], [x + 0.01, y], [x, y + 0.01], [x, y]];
    const text = collection([hazardFeature({ ref: 'BOWTIE-1' }, bowtie)]);
    const errors = await refused('hazards', text);
    expect(errors[0]).toMatchObject({ code: 'geometry.self-intersection', ref: 'BOWTIE-1', field: 'geometry' });
    const repaired = await importText(db, 'hazards', text, { repair: true });
    expect(repaired.stored).toBe(true);
    expect(repaired.notes).toEqual([expect.objectContaining({ code: 'geometry.repaired', ref: 'BOWTIE-1' })]);
    expect(repaired.notes[0]!.reason).toMatch(/2 polygon\(s\)/);
    const stored = await db.query<{ valid: boolean; parts: number }>(`select st_isvalid(geom) as valid, st_numgeometries(geom) as parts from hazard where ref = 'BOWTIE-1'`);
    expect(stored.rows[0]).toEqual({ valid: true, parts: 2 });
  });

  it('refuses polygons with fewer than 3 distinct vertices, unclosed rings and non-polygons', async () => {
    const [x, y] = PAILIN;
    const errors = await refused('hazards', collection([
      hazardFeature({ ref: 'FEW-1' }, [[x, y], [x + 0.01, y], [x, y], [x + 0.01, y], [x, y]]),
      hazardFeature({ ref: 'OPEN-1' }, [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01]]),
      { type: 'Feature', properties: { ref: 'PT-1', type: 'SHA', contamination: ['AP'], source: 'x', recorded_on: '2020-01-01' }, geometry: { type: 'Point', coordinates: [x, y] } },
      hazardFeature({ ref: 'NOGEOM-1' }, null),
    ]));
    expect(errors.map((e) => [e.ref, e.code])).toEqual([
      ['FEW-1', 'geometry.too-few-vertices'],
      ['OPEN-1', 'geometry.unclosed-ring'],
      ['PT-1', 'geometry.type'],
      ['NOGEOM-1', 'geometry.missing'],
    ]);
  });

  it('refuses geometry more than 10 km outside Cambodia and latitude/longitude swapped', async () => {
    const errors = await refused('hazards', collection([
      hazardFeature({ ref: 'BANGKOK-1' }, circle(100.5, 13.75, 300)),
      hazardFeature({ ref: 'SWAP-1' }, circle(PAILIN[0], PAILIN[1], 300).map(([lon, lat]) => [lat, lon] as [number, number])),
    ]));
    expect(errors.map((e) => [e.ref, e.code])).toEqual([
      ['BANGKOK-1', 'geometry.outside-country'],
      ['SWAP-1', 'geometry.swapped-coordinates'],
    ]);
    expect(errors[0]!.reason).toMatch(/more than 10 km outside Cambodia \(a vertex lies \d+\.\d km away\)/);
  });

  it('accepts a hazard crossing the national border, with a note of the area outside', async () => {
    const top = await db.query<{ x: number; y: number }>(
      `select st_x(p) as x, st_y(p) as y from (select (st_dumppoints(geom)).geom as p from country) v order by st_y(p) desc limit 1`,
    );
    const { x, y } = top.rows[0]!;
    const report = await importText(db, 'hazards', collection([hazardFeature({ ref: 'BORDER-1' }, circle(x, y, 800))]));
    expect(report.stored).toBe(true);
    expect(report.notes).toEqual([expect.objectContaining({ code: 'geometry.crosses-border', ref: 'BORDER-1' })]);
    const outside = Number(/([\d,.]+) m2 lie outside/.exec(report.notes[0]!.reason)![1]!.replace(/,/g, ''));
    expect(outside).toBeGreaterThan(1_000);
  });

  it('validates only with a dry run', async () => {
    const text = collection([hazardFeature({ ref: 'DRY-1' }, circle(PAILIN[0] + 0.2, PAILIN[1], 200))]);
    const report = await importText(db, 'hazards', text, { dryRun: true });
    expect(report).toMatchObject({ stored: false, dryRun: true, accepted: 1, errors: [] });
    expect(await count(db, `hazard where ref = 'DRY-1'`)).toBe(0);
  });

  it('reads CSV with a WKT geometry column and names problems by line', async () => {
    const [x, y] = [PAILIN[0] + 0.15, PAILIN[1] + 0.02];
    const wkt = `POLYGON((${box(x, y, x + 0.004, y + 0.004).map(([a, b]) => `${a} ${b}`).join(', ')}))`;
    const good = `ref,type,contamination,source,recorded_on,operator,wkt\nCSV-1,SHA,AP;AT,community report,2019-05-01,CMAC,"${wkt}"\n`;
    const report = await importText(db, 'hazards', good, { fileName: 'hazards.csv' });
    expect(report).toMatchObject({ format: 'csv', stored: true, accepted: 1 });
    const stored = await db.query<{ contamination: string[] }>(`select contamination from hazard where ref = 'CSV-1'`);
    expect(stored.rows[0]!.contamination).toEqual(['AP', 'AT']);
    const bad = `ref,type,contamination,source,recorded_on,wkt\nCSV-2,SHA,AP,x,2019-05-01,"POLYGON((1 2, 3"\nCSV-3,BAD,AP,x,2019-05-01,"${wkt}"\n`;
    const errors = await refused('hazards', bad, 'hazards.csv');
    expect(errors.map((e) => [e.line, e.ref, e.code])).toEqual([[2, 'CSV-2', 'geometry.malformed'], [3, 'CSV-3', 'type.unknown']]);
    const truncated = await refused('hazards', `ref,type,wkt\nX,SHA,"POLYGON((1 2`, 'hazards.csv');
    expect(truncated[0]).toMatchObject({ code: 'file.truncated' });
  });
});

describe('an operator imports land releases', () => {
  it('refuses a release whose hazard does not exist or that does not touch it', async () => {
    const errors = await refused('releases', collection([
      releaseFeature({ ref: 'R-NOHAZ', hazard_ref: 'HZ-NONE' }, circle(PAILIN[0], PAILIN[1], 100)),
      releaseFeature({ ref: 'R-FAR', hazard_ref: 'HZ-PL-0001' }, circle(PAILIN[0] + 0.2, PAILIN[1], 100)),
    ]));
    expect(errors.map((e) => [e.ref, e.code, e.field])).toEqual([
      ['R-NOHAZ', 'hazard.unknown', 'hazard_ref'],
      ['R-FAR', 'release.not-touching-hazard', 'geometry'],
    ]);
  });

  it.each([
    ['unknown kind', { kind: 'exploded' }, 'kind.unknown', 'kind'],
    ['unknown method', { method: 'prayer' }, 'method.unknown', 'method'],
    ['method that cannot release this kind', { kind: 'cancelled', method: 'manual' }, 'method.kind-mismatch', 'method'],
    ['unknown operator', { operator: 'ACME' }, 'operator.unknown', 'operator'],
    ['end before start', { start_date: '2022-05-01', end_date: '2022-04-01' }, 'date.end-before-start', 'end_date'],
    ['end in the future', { end_date: '2030-01-01' }, 'date.future', 'end_date'],
    ['bad device', { devices: [{ category: 'AP', model: 'PMN-2', quantity: -1 }] }, 'device.invalid', 'devices.0.quantity'],
  ])('refuses a %s', async (_label, properties, code, field) => {
    const errors = await refused('releases', collection([releaseFeature({ ref: 'R-X', hazard_ref: 'HZ-KC-0005', ...properties }, circle(105.45, 12.0, 100))]));
    expect(errors[0]).toMatchObject({ code, field, ref: 'R-X' });
  });

  it('clips a release reaching outside its hazard and reports the m2 outside', async () => {
    const report = await importText(db, 'releases', collection([
      releaseFeature({ ref: 'R-OUT-1', hazard_ref: 'HZ-KC-0005', kind: 'reduced', method: 'ts', operator: 'CMAC' }, circle(105.45 + 0.002, 12.0, 250)),
    ]));
    expect(report.stored).toBe(true);
    expect(report.notes).toEqual([expect.objectContaining({ code: 'release.outside-hazard', ref: 'R-OUT-1' })]);
    const figures = await db.query<{ area_m2: number; counted_m2: number; outside_m2: number; inside: number }>(
      `select r.area_m2, c.counted_m2, c.outside_m2, st_area(st_intersection(r.geom, h.geom)::geography) as inside
       from land_release r join release_counted c on c.release_id = r.id join hazard h on h.id = r.hazard_id where r.ref = 'R-OUT-1'`,
    );
    const row = figures.rows[0]!;
    expect(row.outside_m2).toBeGreaterThan(1_000);
    expect(row.counted_m2).toBeCloseTo(row.inside, -1);
    expect(row.counted_m2 + row.outside_m2).toBeCloseTo(row.area_m2, 3);
    const reported = Number(/([\d,.]+) m2 of the released land/.exec(report.notes[0]!.reason)![1]!.replace(/,/g, ''));
    expect(reported).toBeCloseTo(row.outside_m2, 0);
  });
});

describe('the official record keeps every version', () => {
  it('records who, when and why for each version and never changes history', async () => {
    const history = await db.query<{ version: number; status: string; changed_by: string; change_reason: string }>(
      `select v.version, v.status, v.changed_by, v.change_reason from hazard_version v join hazard h on h.id = v.id
       where h.ref = 'HZ-OM-0003' order by v.version`,
    );
    expect(history.rows).toEqual([
      { version: 1, status: 'open', changed_by: 'test', change_reason: 'imported from hazards-small.geojson' },
      { version: 2, status: 'released', changed_by: 'test', change_reason: 'land release imported from releases-small.geojson' },
    ]);
    await expect(db.query(`update hazard_version set status = 'open'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`delete from hazard where ref = 'HZ-OM-0003'`)).rejects.toThrow(/cannot be deleted/);
    const releaseHistory = await db.query<{ version: number }>(`select v.version from land_release_version v join land_release r on r.id = v.id where r.ref = 'LR-0004'`);
    expect(releaseHistory.rows).toEqual([{ version: 1 }]);
  });

  it('updates through SQL still leave a version (the trigger sees every path)', async () => {
    await db.transaction(async (tx) => {
      await tx.query(`update hazard set notes = 'fence rebuilt', changed_by = 'officer', change_reason = 'field visit' where ref = 'HZ-BM-0006'`);
    });
    const rows = await db.query<{ version: number; notes: string | null; change_reason: string }>(
      `select v.version, v.notes, v.change_reason from hazard_version v join hazard h on h.id = v.id where h.ref = 'HZ-BM-0006' order by version`,
    );
    expect(rows.rows.map((r) => [r.version, r.notes, r.change_reason])).toEqual([
      [1, null, 'imported from hazards-small.geojson'],
      [2, 'fence rebuilt', 'field visit'],
    ]);
  });
});

describe('files as people save them', () => {
  it('reads GeoJSON that starts with a byte-order mark', async () => {
    const text = `\uFEFF${collection([hazardFeature({ ref: 'BOM-1' }, circle(103.4, 13.4, 200))])}`;
    const report = await importText(db, 'hazards', text, { dryRun: true });
    expect(report).toMatchObject({ errors: [], accepted: 1 });
  });
});

describe('a file full of mistakes', () => {
  it('counts every error and lists the first thousand', async () => {
    const features = Array.from({ length: 1_200 }, (_, i) => hazardFeature({ ref: `MANY-${i}`, type: 'XHA' }, circle(103.5, 13.5, 100)));
    const report = await importText(db, 'hazards', collection(features));
    expect(report).toMatchObject({ stored: false, errorCount: 1_200 });
    expect(report.errors).toHaveLength(1_000);
    expect(report.errors[999]).toMatchObject({ ref: 'MANY-999', code: 'type.unknown' });
  });
});
