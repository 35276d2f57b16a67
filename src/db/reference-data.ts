// Loads the reference data shipped in reference/ (administrative units with geometry, the gazetteer, the
// national outline, the sector's organisations) into a new database, in one transaction; and brings a database
// holding an older version of it up to date when it is opened (docs/decisions/0013).
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

/** The version of the reference data in reference/ (written by scripts/prepare-reference-data.ts). */
export function shippedReferenceVersion(): number {
  const { version } = readJson<{ version: number }>('version.json');
  if (!Number.isInteger(version) || version < 1) throw new Error(`reference/version.json: version ${String(version)} is not a positive integer`);
  return version;
}

function geometryByCode(file: string): Map<string, Geometry> {
  const collection = readJson<FeatureCollection>(file);
  return new Map(collection.features.map((f) => [String(f.properties?.code), f.geometry]));
}

/** Subdivided outlines make the unit split touch a few dozen vertices per test, not a whole province
 * outline; 48 measured faster than 128 or 512 (fewer vertices per overlay outweigh more straddled pieces). */
const PART_MAX_VERTICES = 48;

type UnitRow = { code: string; parent_code: string | null; name_en: string; name_km: string; geometry: string | null };

/**
 * Inserts units, or updates those already there whose names, parent or geometry differ: the same statement
 * loads a new database and upgrades an old one. Levels are written parents first, so parent_code always finds
 * its row. Returns the codes whose geometry was written, whose parts must be (re)built.
 */
async function upsertUnits(tx: Queryable, level: string, rows: UnitRow[]): Promise<string[]> {
  const chunk = 5_000;
  const written: string[] = [];
  for (let i = 0; i < rows.length; i += chunk) {
    const result = await tx.query<{ code: string }>(
      `insert into admin_unit as u (code, level, parent_code, name_en, name_km, geom)
       select code, $2, parent_code, name_en, name_km, case when geometry is null then null else ${fromGeoJson('geometry')} end
       from jsonb_to_recordset($1::jsonb) as r(code text, parent_code text, name_en text, name_km text, geometry text)
       on conflict (code) do update set parent_code = excluded.parent_code, name_en = excluded.name_en,
         name_km = excluded.name_km, geom = excluded.geom
       where (u.parent_code, u.name_en, u.name_km, u.geom) is distinct from
             (excluded.parent_code, excluded.name_en, excluded.name_km, excluded.geom)
       returning code`,
      [JSON.stringify(rows.slice(i, i + chunk)), level],
    );
    written.push(...result.rows.map((r) => r.code));
  }
  return written;
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

/** The version of the reference data a database holds; 0 when it holds none. */
export async function storedReferenceVersion(db: Queryable): Promise<number> {
  const result = await db.query<{ version: number }>(`select version from reference_data`);
  return result.rows[0]?.version ?? 0;
}

/** What an upgrade changed, for the person who opened the database. */
export interface ReferenceUpgrade {
  from: number;
  to: number;
  /** Units in the database that the shipped data no longer lists: kept (records may name them), without geometry. */
  retiredUnits: number;
}

/** Writes the shipped units, their parts, the outline and the version: the whole of one load, in `tx`. */
async function writeShipped(tx: Queryable, version: number): Promise<number> {
  const gazetteer = readJson<Gazetteer>('gazetteer.json');
  const provinceGeometry = geometryByCode('provinces.geojson');
  const districtGeometry = geometryByCode('districts.geojson');
  const communeGeometry = geometryByCode('communes.geojson');
  const country = readJson<FeatureCollection>('country.geojson').features[0];
  if (!country) throw new Error('reference/country.geojson holds no feature');
  const geometryText = (geometry: Geometry | undefined) => (geometry ? JSON.stringify(geometry) : null);

  await loadOrganisations(tx, readJson<OrganisationEntry[]>('organisations.json'));
  const written: string[] = [];
  written.push(...await upsertUnits(tx, 'province', gazetteer.provinces.map((u) => ({ ...u, parent_code: null, geometry: geometryText(provinceGeometry.get(u.code)) }))));
  written.push(...await upsertUnits(tx, 'district', gazetteer.districts.map((u) => ({ ...u, parent_code: u.province_code, geometry: geometryText(districtGeometry.get(u.code)) }))));
  written.push(...await upsertUnits(tx, 'commune', gazetteer.communes.map((u) => ({ ...u, parent_code: u.district_code, geometry: geometryText(communeGeometry.get(u.code)) }))));
  written.push(...await upsertUnits(tx, 'village', gazetteer.villages.map((u) => ({ ...u, parent_code: u.commune_code, geometry: null }))));
  // A unit the shipped data no longer lists keeps its row, because hazards and other records may name it (codes
  // are never reused), but loses its geometry: it must not place points or split land any more.
  const shippedCodes = [gazetteer.provinces, gazetteer.districts, gazetteer.communes, gazetteer.villages].flatMap((level) => level.map((u) => u.code));
  const retired = await tx.query<{ code: string }>(
    `update admin_unit set geom = null where geom is not null and not (code = any($1::text[])) returning code`,
    [shippedCodes],
  );
  written.push(...retired.rows.map((r) => r.code));
  const stale = await tx.query<{ n: number }>(`select count(*)::int as n from admin_unit where not (code = any($1::text[]))`, [shippedCodes]);
  // Parts are rebuilt only for the units whose geometry was written: subdividing every outline takes seconds.
  await tx.query(`delete from admin_unit_part where unit_code = any($1::text[])`, [written]);
  await tx.query(
    `insert into admin_unit_part (unit_code, level, part_no, geom)
     select u.code, u.level, row_number() over (partition by u.code order by (d).path), (d).geom
     from (select code, level, st_dump(st_subdivide(geom, ${PART_MAX_VERTICES})) as d
           from admin_unit where geom is not null and code = any($1::text[])) u`,
    [written],
  );
  // The embedded engine's GEOS can fail without an error and return no rows (decision 0003): a unit left
  // without parts would silently place nothing, so the load stops instead.
  const partless = await tx.query<{ code: string }>(
    `select u.code from admin_unit u where u.geom is not null and u.code = any($1::text[])
       and not exists (select 1 from admin_unit_part p where p.unit_code = u.code) order by u.code limit 5`,
    [written],
  );
  if (partless.rows.length > 0) throw new Error(`reference data: no parts were made for ${partless.rows.map((r) => r.code).join(', ')}`);
  await writeCountry(tx, country);
  await tx.query(
    `insert into reference_data (id, version) values (true, $1)
     on conflict (id) do update set version = excluded.version, loaded_at = now()`,
    [version],
  );
  return stale.rows[0]?.n ?? 0;
}

/**
 * The national outline and its 10 km band, unless the stored outline is already the shipped one. The band is
 * built around the outline simplified to about 55 m (0.0005 degrees), which contains the outline itself and
 * takes a second instead of seven: the 10 km limit is a tolerance for typing mistakes, not a legal line.
 */
async function writeCountry(tx: Queryable, country: FeatureCollection['features'][number]): Promise<void> {
  const names = [String(country.properties?.name_en ?? 'Cambodia'), String(country.properties?.name_km ?? 'កម្ពុជា')];
  const same = await tx.query<{ same: boolean }>(
    `select k.geom = ${fromGeoJson('$1')} as same from country k where k.code = 'KH'`,
    [JSON.stringify(country.geometry)],
  );
  if (same.rows[0]?.same === true) {
    await tx.query(`update country set name_en = $1, name_km = $2 where code = 'KH'`, names);
    return;
  }
  await tx.query(
    `insert into country (code, name_en, name_km, geom, geom_within_10km)
     select 'KH', $2, $3, g, st_multi(st_buffer(st_simplifypreservetopology(g, 0.0005)::geography, 10000)::geometry)
     from (select ${fromGeoJson('$1')} as g) c
     on conflict (code) do update set name_en = excluded.name_en, name_km = excluded.name_km,
       geom = excluded.geom, geom_within_10km = excluded.geom_within_10km`,
    [JSON.stringify(country.geometry), ...names],
  );
}

/** Loads everything in one transaction; a database that already has it is left alone (see upgradeReferenceData). */
export async function loadReferenceData(db: Database): Promise<boolean> {
  if (await hasReferenceData(db)) return false;
  const version = shippedReferenceVersion();
  await db.transaction(async (tx) => {
    await writeShipped(tx, version);
  });
  return true;
}

/**
 * Brings a database holding an older version of the reference data to the shipped one, in one transaction:
 * units' names, parents and geometry, their parts, the national outline and the gazetteer. Every code a
 * record references stays. Returns null when there was nothing to do (same or newer version, or no reference
 * data at all: loadReferenceData's case). Hazards keep the province and district stored with them; the shipped
 * province and district geometry of version 2 is that of version 1, so no accounting figure moves.
 */
export async function upgradeReferenceData(db: Database): Promise<ReferenceUpgrade | null> {
  const shipped = shippedReferenceVersion();
  if (!(await hasReferenceData(db)) || (await storedReferenceVersion(db)) >= shipped) return null;
  return db.transaction(async (tx) => {
    // Two processes opening the same server database at once: the second waits here, then finds it done.
    await tx.query('select pg_advisory_xact_lock(7263102)');
    const from = await storedReferenceVersion(tx);
    if (from >= shipped) return null;
    const retiredUnits = await writeShipped(tx, shipped);
    return { from, to: shipped, retiredUnits };
  });
}
