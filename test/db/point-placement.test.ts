// Placing point records (EO finds, call-outs, accidents) in provinces, districts and communes, and villages
// named by code in their commune, on the engine under test with the shipped reference data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/engine.ts';
import { assignUnitsToPoints, placeVillages, pointFromLonLat } from '../../src/db/admin-units.ts';
import { createTestDatabase } from '../support/test-database.ts';

let db: Database;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
});
afterAll(async () => db?.close());

// Real places. Wat Phnom is in Voat Phnum sangkat of Doun Penh, the Tonle Sap's open water is in no unit, Koh Tonsay
// (Kep) is an island the source national outline left out, Bangkok is 200 km away.
const BATTAMBANG = { lon: 103.198611, lat: 13.095278 };
const WAT_PHNOM = { lon: 104.923056, lat: 11.576111 };
const TONLE_SAP = { lon: 104.1, lat: 12.8 };
const KOH_TONSAY = { lon: 104.327219, lat: 10.437554 };
const BANGKOK = { lon: 100.5018, lat: 13.7563 };

async function names(codes: (string | null)[]): Promise<(string | null)[]> {
  const result = await db.query<{ code: string; name_en: string }>(`select code, name_en from admin_unit where code = any($1::text[])`, [codes.filter((c) => c !== null)]);
  const byCode = new Map(result.rows.map((r) => [r.code, r.name_en]));
  return codes.map((c) => (c === null ? null : (byCode.get(c) ?? `unknown ${c}`)));
}

describe('a point record is placed in its province, district and commune', () => {
  it('finds the units of real places from their geometry, in the order given', async () => {
    const placed = await assignUnitsToPoints(db, [BATTAMBANG, WAT_PHNOM, KOH_TONSAY]);
    expect(placed.map((p) => [p.province_code, p.district_code, p.commune_code])).toEqual([
      ['02', '0203', '020310'],
      ['12', '1202', '120211'],
      ['23', '2302', '230201'],
    ]);
    expect(await names([placed[0]!.district_code, placed[0]!.commune_code])).toEqual(['Battambang Municipality', 'Svay Por Sangkat']);
    expect(await names([placed[1]!.district_code, placed[1]!.commune_code])).toEqual(['Doun Penh Khan', 'Voat Phnum Sangkat']);
    for (const p of placed) expect(p).toMatchObject({ in_country: true, within_10km: true, distance_km: null });
  });

  it('gives a point in the Tonle Sap no unit, yet keeps it within 10 km of the country', async () => {
    const [lake] = await assignUnitsToPoints(db, [TONLE_SAP]);
    expect(lake).toEqual({ province_code: null, district_code: null, commune_code: null, in_country: false, within_10km: true, distance_km: null });
  });

  it('says how far outside the country a point more than 10 km away lies, as polygons are told', async () => {
    const [bangkok] = await assignUnitsToPoints(db, [BANGKOK]);
    expect(bangkok).toMatchObject({ province_code: null, commune_code: null, in_country: false, within_10km: false });
    expect(bangkok!.distance_km).toBeGreaterThan(150);
    expect(bangkok!.distance_km).toBeLessThan(250);
  });

  it('places a whole file of points in one call', async () => {
    // 2,000 points on a grid over the country: every answer comes back, in order, in one statement.
    const points = Array.from({ length: 2000 }, (_, i) => ({ lon: 102.5 + (i % 50) * 0.1, lat: 10.5 + Math.floor(i / 50) * 0.1 }));
    const started = Date.now();
    const placed = await assignUnitsToPoints(db, points);
    const ms = Date.now() - started;
    expect(placed).toHaveLength(2000);
    const inCommune = placed.filter((p) => p.commune_code !== null);
    expect(inCommune.length).toBeGreaterThan(800);
    // A commune's code starts with its district's wherever both come from the same drawing (geoBoundaries).
    const nested = inCommune.filter((p) => p.district_code !== null && p.commune_code!.startsWith(p.district_code));
    expect(nested.length / inCommune.length).toBeGreaterThan(0.98);
    expect(ms).toBeLessThan(20_000);
  });

  it('answers nothing for no points', async () => {
    expect(await assignUnitsToPoints(db, [])).toEqual([]);
  });

  it('keeps a coordinate exactly as given: nothing is rounded on the way into PostGIS or back', async () => {
    const point = { lon: 104.9230561, lat: 11.5761109 };
    const result = await db.query<{ lon: number; lat: number; wkt: string }>(
      `select st_x(g) as lon, st_y(g) as lat, st_astext(g) as wkt
       from (select ${pointFromLonLat('r.lon', 'r.lat')} as g from jsonb_to_recordset($1::jsonb) as r(lon double precision, lat double precision)) p`,
      [JSON.stringify([point])],
    );
    expect(result.rows[0]).toEqual({ lon: point.lon, lat: point.lat, wkt: 'POINT(104.9230561 11.5761109)' });
  });
});

describe('a village named by code is placed in its commune', () => {
  it('gives its commune, district and province, and a point inside the commune (approximate)', async () => {
    const villages = await placeVillages(db, ['01020101', '12020101']);
    expect(villages.get('01020101')).toMatchObject({ commune_code: '010201', district_code: '0102', province_code: '01' });
    expect(villages.get('12020101')).toMatchObject({ commune_code: '120201', district_code: '1202', province_code: '12' });
    const points = [...villages.values()].map((v) => ({ lon: v.lon!, lat: v.lat! }));
    const placed = await assignUnitsToPoints(db, points);
    expect(placed.map((p) => p.commune_code)).toEqual(['010201', '120201']);
  });

  it('leaves unknown codes, and codes of other levels, out of the map', async () => {
    const villages = await placeVillages(db, ['01020101', '99999999', '0102', '010201', '01020101']);
    expect([...villages.keys()]).toEqual(['01020101']);
    expect((await placeVillages(db, [])).size).toBe(0);
  });

  it('gives no point for a village whose commune has no polygon (created after the 2014 boundaries)', async () => {
    const { rows } = await db.query<{ code: string }>(
      `select v.code from admin_unit v join admin_unit c on c.code = v.parent_code where v.level = 'village' and c.geom is null order by v.code limit 1`,
    );
    const code = rows[0]!.code;
    const village = (await placeVillages(db, [code])).get(code);
    expect(village).toMatchObject({ commune_code: code.slice(0, 6), lon: null, lat: null });
  });
});
