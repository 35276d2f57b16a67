// Loads the reference data shipped in reference/ (administrative units with geometry, the gazetteer, the
// national outline, the sector's organisations) into a new database, in one transaction.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeatureCollection, Geometry } from 'geojson';
import type { Database, Queryable } from './engine.ts';
import { fromGeoJson } from './geometry-sql.ts';

export const referenceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../reference');

interface NamedUnit {
  code: string;
  name_en: string;
  name_km: string;
}
interface Gazetteer {
  provinces: NamedUnit[];
  districts: (NamedUnit & { province_code: string })[];
  communes: (NamedUnit & { district_code: string })[];
  villages: (NamedUnit & { commune_code: string })[];
}
export interface OrganisationEntry {
  code: string;
  name: string;
  kind: string;
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(path.join(referenceDir, file), 'utf8')) as T;

function geometryByCode(file: string): Map<string, Geometry> {
  const collection = readJson<FeatureCollection>(file);
  return new Map(collection.features.map((f) => [String(f.properties?.code), f.geometry]));
}

/** Subdivided outlines make the unit split touch a few dozen vertices per test, not a whole province
 * outline; 48 measured faster than 128 or 512 (fewer vertices per overlay outweigh more straddled pieces). */
const PART_MAX_VERTICES = 48;

async function insertUnits(tx: Queryable, level: string, rows: { code: string; parent_code: string | null; name_en: string; name_km: string; geometry: string | null }[]): Promise<void> {
  const chunk = 5_000;
  for (let i = 0; i < rows.length; i += chunk) {
    await tx.query(
      `insert into admin_unit (code, level, parent_code, name_en, name_km, geom)
       select code, $2, parent_code, name_en, name_km, case when geometry is null then null else ${fromGeoJson('geometry')} end
       from jsonb_to_recordset($1::jsonb) as r(code text, parent_code text, name_en text, name_km text, geometry text)`,
      [JSON.stringify(rows.slice(i, i + chunk)), level],
    );
  }
}

export async function loadOrganisations(tx: Queryable, organisations: OrganisationEntry[]): Promise<void> {
  await tx.query(
    `insert into organisation (code, name, kind)
     select code, name, kind from jsonb_to_recordset($1::jsonb) as r(code text, name text, kind text)
     on conflict (code) do nothing`,
    [JSON.stringify(organisations)],
  );
}

export async function hasReferenceData(db: Queryable): Promise<boolean> {
  const result = await db.query<{ n: number }>(`select count(*)::int as n from admin_unit where level = 'province'`);
  return (result.rows[0]?.n ?? 0) > 0;
}

/** Loads everything in one transaction; a database that already has it is left alone. */
export async function loadReferenceData(db: Database): Promise<boolean> {
  if (await hasReferenceData(db)) return false;
  const gazetteer = readJson<Gazetteer>('gazetteer.json');
  const provinceGeometry = geometryByCode('provinces.geojson');
  const districtGeometry = geometryByCode('districts.geojson');
  const country = readJson<FeatureCollection>('country.geojson').features[0];
  if (!country) throw new Error('reference/country.geojson holds no feature');
  const geometryText = (geometry: Geometry | undefined) => (geometry ? JSON.stringify(geometry) : null);

  await db.transaction(async (tx) => {
    await loadOrganisations(tx, readJson<OrganisationEntry[]>('organisations.json'));
    await insertUnits(tx, 'province', gazetteer.provinces.map((u) => ({ ...u, parent_code: null, geometry: geometryText(provinceGeometry.get(u.code)) })));
    await insertUnits(tx, 'district', gazetteer.districts.map((u) => ({ ...u, parent_code: u.province_code, geometry: geometryText(districtGeometry.get(u.code)) })));
    await insertUnits(tx, 'commune', gazetteer.communes.map((u) => ({ ...u, parent_code: u.district_code, geometry: null })));
    await insertUnits(tx, 'village', gazetteer.villages.map((u) => ({ ...u, parent_code: u.commune_code, geometry: null })));
    await tx.query(
      `insert into admin_unit_part (unit_code, level, part_no, geom)
       select u.code, u.level, row_number() over (partition by u.code order by (d).path), (d).geom
       from (select code, level, st_dump(st_subdivide(geom, ${PART_MAX_VERTICES})) as d
             from admin_unit where geom is not null) u`,
    );
    await tx.query(
      `insert into country (code, name_en, name_km, geom, geom_within_10km)
       select 'KH', $2, $3, g, st_multi(st_buffer(g::geography, 10000)::geometry)
       from (select ${fromGeoJson('$1')} as g) c`,
      [JSON.stringify(country.geometry), String(country.properties?.name_en ?? 'Cambodia'), String(country.properties?.name_km ?? 'កម្ពុជា')],
    );
  });
  return true;
}
