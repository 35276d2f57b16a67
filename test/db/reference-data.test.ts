// The shipped reference data on the engine under test: communes with geometry, a national outline that holds
// every unit (so island hazards are accepted), and an older data folder brought up to date when opened.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../../src/db/engine.ts';
import { openClearway, prepareDatabase, type OpenedClearway } from '../../src/app/open.ts';
import { shippedReferenceVersion, upgradeReferenceData } from '../../src/db/reference-data.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { circle, collection, fixturesDir, hazardFeature, importText } from '../support/fixtures.ts';

let db: Database;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
});
afterAll(async () => db?.close());

// Real islands, the points taken inside the province outlines shipped in reference/provinces.geojson:
// Koh Tonsay (Kep, about 4 km offshore), Kep's southernmost islet (about 13 km offshore), and Koh Rong
// (Preah Sihanouk). The source national outline left all three out.
const KOH_TONSAY = { lon: 104.327219, lat: 10.437554, province: '23' };
const KEP_SOUTH_ISLET = { lon: 104.319802, lat: 10.358944, province: '23' };
const KOH_RONG = { lon: 103.246681, lat: 10.716078, province: '18' };

const islandHazards = (prefix: string): string =>
  collection([
    hazardFeature({ ref: `${prefix}-KEP-1` }, circle(KOH_TONSAY.lon, KOH_TONSAY.lat, 25)),
    hazardFeature({ ref: `${prefix}-KEP-2` }, circle(KEP_SOUTH_ISLET.lon, KEP_SOUTH_ISLET.lat, 20)),
    hazardFeature({ ref: `${prefix}-KR-1` }, circle(KOH_RONG.lon, KOH_RONG.lat, 40)),
  ]);

describe('the national outline holds every unit', () => {
  it('accepts hazards on Kep\'s islands and Koh Rong, with no border note and no "outside the country" error', async () => {
    const report = await importText(db, 'hazards', islandHazards('ISL'));
    expect(report.errors).toEqual([]);
    expect(report.notes.filter((n) => n.code.startsWith('geometry.'))).toEqual([]);
    expect(report.stored).toBe(true);
    const stored = await db.query<{ ref: string; province_code: string }>(`select ref, province_code from hazard where ref like 'ISL-%' order by ref`);
    expect(stored.rows).toEqual([
      { ref: 'ISL-KEP-1', province_code: '23' },
      { ref: 'ISL-KEP-2', province_code: '23' },
      { ref: 'ISL-KR-1', province_code: '18' },
    ]);
  });

  it('covers every province, district and commune polygon', async () => {
    const outside = await db.query<{ code: string }>(
      `select u.code from admin_unit u cross join country k where u.geom is not null and not st_covers(k.geom, u.geom) order by u.code`,
    );
    expect(outside.rows).toEqual([]);
    const counted = await db.query<{ level: string; n: number }>(
      `select level, count(*)::int as n from admin_unit where geom is not null group by level order by level`,
    );
    expect(counted.rows).toEqual([
      { level: 'commune', n: 1621 },
      { level: 'district', n: 197 },
      { level: 'province', n: 25 },
    ]);
  });

  it('ships communes as a clean partition: no two communes share area', async () => {
    // Pairs whose parts intersect are candidates; the shared area must be nil (edges only).
    const overlaps = await db.query<{ a: string; b: string }>(
      `select a.code as a, b.code as b from admin_unit a join admin_unit b
         on a.level = 'commune' and b.level = 'commune' and a.code < b.code and a.geom && b.geom
        and st_relate(a.geom, b.geom, '2********')`,
    );
    expect(overlaps.rows).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// An older data folder: made by a Clearway that shipped reference data version 1
// ---------------------------------------------------------------------------------------------------------------

/**
 * Turns a database into what version 1 left in a data folder made before migration 0006: no version table, the
 * source national outline (kept in test/fixtures), communes without geometry, a province name since corrected,
 * and a village the shipped gazetteer no longer lists, named by a hazard.
 */
async function makeVersionOne(old: Database): Promise<void> {
  const outline = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'reference-v1-country.geojson'), 'utf8')) as { features: { geometry: unknown }[] };
  await old.transaction(async (tx) => {
    await tx.query(`drop table reference_data`);
    await tx.query(`delete from schema_migration where version = 6`);
    await tx.query(
      `update country set geom = g, geom_within_10km = st_multi(st_buffer(st_simplifypreservetopology(g, 0.0005)::geography, 10000)::geometry)
       from (select st_multi(st_setsrid(st_geomfromgeojson($1), 4326)) as g) o`,
      [JSON.stringify(outline.features[0]!.geometry)],
    );
    await tx.query(`delete from admin_unit_part where level = 'commune'`);
    await tx.query(`update admin_unit set geom = null where level = 'commune'`);
    await tx.query(`update admin_unit set name_en = 'Kep (old name)' where code = '23'`);
    await tx.query(`insert into admin_unit (code, level, parent_code, name_en, name_km) values ('23010199', 'village', '230101', 'Retired village', 'ភូមិ')`);
  });
  const report = await importText(old, 'hazards', collection([hazardFeature({ ref: 'OLD-1', village_code: '23010199' }, circle(104.35, 10.52, 100))]));
  expect(report.errors).toEqual([]);
  // What version 1 did: the old outline refuses a hazard on Kep's southern islet (the report's "13 km offshore").
  const refused = await importText(old, 'hazards', islandHazards('PRE'), { dryRun: true });
  expect(refused.errors.map((e) => [e.ref, e.code])).toContainEqual(['PRE-KEP-2', 'geometry.outside-country']);
}

/**
 * Opens a database at version 1 as Clearway opens a data folder. On the server, the real thing: a new connection
 * through openClearway. On the embedded engine, opening a data folder from disk takes PGlite some 10-20 s, so the
 * database stays open and gets what openClearway does after opening (prepareDatabase, the same code).
 */
async function openOldDatabase(): Promise<OpenedClearway> {
  const { db: old, url } = await createTestDatabase();
  await makeVersionOne(old);
  if (inject('engine') === 'embedded') return { db: old, ...(await prepareDatabase(old)) };
  await old.close();
  return openClearway({ databaseUrl: url!, dataDir: 'unused' });
}

describe('a data folder made with older reference data', () => {
  it('is brought up to date when opened, in one go, keeping every code its records name', async () => {
    const opened = await openOldDatabase();
    try {
      expect(opened.migrations).toEqual(['0006_reference_data_version']);
      expect(opened.referenceLoaded).toBe(false);
      expect(opened.referenceUpgraded).toEqual({ from: 1, to: shippedReferenceVersion(), retiredUnits: 1 });
      const upgraded = opened.db;
      expect((await upgraded.query<{ version: number }>(`select version from reference_data`)).rows).toEqual([{ version: shippedReferenceVersion() }]);
      // The new outline, the communes' geometry and parts, the corrected name.
      const accepted = await importText(upgraded, 'hazards', islandHazards('POST'));
      expect(accepted.errors).toEqual([]);
      expect(accepted.notes.filter((n) => n.code.startsWith('geometry.'))).toEqual([]);
      const communes = await upgraded.query<{ with_geom: number; parts: number }>(
        `select (select count(*)::int from admin_unit where level = 'commune' and geom is not null) as with_geom,
                (select count(distinct unit_code)::int from admin_unit_part where level = 'commune') as parts`,
      );
      expect(communes.rows[0]).toEqual({ with_geom: 1621, parts: 1621 });
      const kep = await upgraded.query<{ name_en: string }>(`select name_en from admin_unit where code = '23'`);
      expect(kep.rows[0]!.name_en).toBe('Kep');
      // The retired village stays, with the hazard that names it.
      const retired = await upgraded.query<{ village_code: string; name_en: string }>(
        `select h.village_code, v.name_en from hazard h join admin_unit v on v.code = h.village_code where h.ref = 'OLD-1'`,
      );
      expect(retired.rows).toEqual([{ village_code: '23010199', name_en: 'Retired village' }]);
      // Opening again changes nothing.
      expect(await upgradeReferenceData(upgraded)).toBeNull();
    } finally {
      await opened.db.close();
    }
  });
});
