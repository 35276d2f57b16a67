/**
 * prepare-reference-data.ts
 *
 * Builds the reference data Clearway ships in `reference/` (administrative units of Cambodia,
 * the NCDD gazetteer, the mine action organisations) and the report `docs/reference-data.md`,
 * from the public source files kept outside the repository (the "shared data" folder).
 *
 * Usage (from the repository root):
 *   npx tsx scripts/prepare-reference-data.ts [shared-data-folder]
 * The folder defaults to `../shared/data` relative to the repository root.
 *
 * Design notes:
 * - Deterministic and idempotent: every list is sorted by code, every number is computed from the inputs only,
 *   and each output file is rewritten whole. Running it twice gives byte-identical files.
 * - Geometry work runs in an embedded PostGIS (PGlite). That engine can silently return NO ROW when GEOS fails
 *   inside an overlay (see the shared data's regressions/README.md), so (a) every overlay uses the
 *   fixed-precision form (gridSize argument) and (b) every query that must return rows goes through
 *   `queryOne`/`queryExactly`, which throw when the row count is not the expected one.
 * - Output coordinates are rounded to 6 decimals. To keep the shipped geometries valid and free of overlaps
 *   AFTER that rounding, all geometry processing is done on the same 1e-6 degree grid (ST_ReducePrecision and
 *   overlays with gridSize 1e-6): the coordinates are then already exactly representable with 6 decimals and
 *   writing them does not move anything. The shipped files are read back and re-checked at the end.
 */
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { MultiPolygon } from 'geojson';

// ---------------------------------------------------------------------------------------------------------------
// Paths and constants
// ---------------------------------------------------------------------------------------------------------------

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REFERENCE_DIR = join(REPO_ROOT, 'reference');
const REPORT_PATH = join(REPO_ROOT, 'docs', 'reference-data.md');

/** Source files, relative to the shared data folder. */
const SOURCES = {
  provinces: 'cambodia/wfp_prism_khm_bnd_admin1_gov_ed2022.json',
  country: 'cambodia/wfp_prism_khm_admin0_unified_polygon.json',
  districts: 'cambodia/geoboundaries_KHM_ADM2_simplified.geojson',
  gazetteer: 'cambodia/ncdd_cambodia_gazetteer.json',
  communes: 'cambodia/geoboundaries_KHM_ADM3_simplified.geojson',
  communeCrosswalk: 'cambodia/geoboundaries_KHM_ADM3_to_ncdd_commune_code.csv',
  pumiCommunes: 'cambodia/pumi/communes.csv',
  pumiVillages: 'cambodia/pumi/villages.csv',
} as const;

/**
 * Version of the shipped reference data, stored in each database that loads it: a database holding an older
 * version is upgraded when it is opened (src/db/reference-data.ts). Raise it whenever the output changes.
 * 1: provinces, districts, gazetteer (2026-11). 2: commune geometry, a national outline holding every unit.
 */
const REFERENCE_VERSION = 2;

/** Licence texts of the MIT sources, copied next to the data (MIT requires the notice to travel with copies). */
const LICENCE_COPIES = [
  { from: 'cambodia/wfp_prism.LICENSE', to: 'licences/wfp-prism-app.MIT.txt' },
  { from: 'cambodia/ncdd_cambodia_gazetteer.LICENSE', to: 'licences/cambodia-gazetteer.MIT.txt' },
] as const;

/** Grid (degrees) of all geometry processing: equal to the 6-decimal output precision, see the header. */
const GRID = 1e-6;
/** Finer grid used only to MEASURE overlaps (intersections), so that measuring does not hide slivers. */
const MEASURE_GRID = 1e-9;
/** Margin (degrees, about 0.2 m) added around the union that makes the national outline: see widenCountry. */
const OUTLINE_MARGIN = 2e-6;

const EXPECTED = { provinces: 25, districts: 197, communes: 1646, villages: 14372 } as const;

type Level = 'province' | 'district' | 'commune' | 'country';
/** Geometry columns of the working table: as read, repaired and gridded, partitioned, and re-read from disk. */
type Stage = 'raw' | 'clean' | 'final' | 'shipped';
type MatchKind = 'exact' | 'normalised' | 'spatial' | 'manual';

/**
 * Hand-written crosswalk entries: geoBoundaries shapeID -> NCDD district code (4 digits), each with the reason.
 * Applied BEFORE the automatic passes, so an entry pins a geometry to a code and also overrides a wrong automatic
 * match. It is empty on purpose: with the 2020 gazetteer and this geoBoundaries file every geometry is resolved by
 * name plus geometry (see docs/reference-data.md). Add an entry only when the report lists an unmatched geometry.
 */
const MANUAL: ReadonlyArray<{ shapeId: string; code: string; why: string }> = [];

// ---------------------------------------------------------------------------------------------------------------
// Source schemas (zod): fail loudly if a source file is not what we expect
// ---------------------------------------------------------------------------------------------------------------

const polygonalGeometry = z.object({
  type: z.enum(['Polygon', 'MultiPolygon']),
  coordinates: z.array(z.unknown()),
});

const provinceSource = z.object({
  features: z.array(
    z.object({
      properties: z.object({
        Adm1_Name: z.string(),
        Adm1_Name_: z.string(),
        Adm1_NCDD: z.number().int(),
        Adm1_text: z.string(),
        ADM1_CODE: z.string(),
        Krong: z.number().int(),
        Srok: z.number().int(),
        Khan: z.number().int(),
        Khum: z.number().int(),
        Sangkat: z.number().int(),
        Phum: z.number().int(),
      }),
      geometry: polygonalGeometry,
    }),
  ),
});
type ProvinceSource = z.infer<typeof provinceSource>;

const countrySource = z.object({ type: z.literal('Feature'), geometry: polygonalGeometry });

const districtSource = z.object({
  features: z.array(
    z.object({
      properties: z.object({ shapeName: z.string(), shapeID: z.string() }),
      geometry: polygonalGeometry,
    }),
  ),
});
type DistrictSource = z.infer<typeof districtSource>;

const gazetteerEntry = { code: z.string(), khmer: z.string(), latin: z.string() };
const gazetteerSource = z.array(
  z.object({
    ...gazetteerEntry,
    districts: z.array(
      z.object({
        ...gazetteerEntry,
        communes: z.array(z.object({ ...gazetteerEntry, villages: z.array(z.object(gazetteerEntry)) })),
      }),
    ),
  }),
);
type GazetteerSource = z.infer<typeof gazetteerSource>;

function readJson<T>(dataDir: string, relPath: string, schema: z.ZodType<T>): T {
  const text = readFileSync(join(dataDir, relPath), 'utf8');
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${relPath} does not have the expected shape: ${parsed.error.message}`);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------------------------
// Gazetteer: normalise codes and names, check nesting, record anomalies
// ---------------------------------------------------------------------------------------------------------------

interface GzProvince { code: string; name_en: string; name_km: string }
interface GzDistrict { code: string; province_code: string; name_en: string; name_km: string }
interface GzCommune { code: string; district_code: string; name_en: string; name_km: string }
interface GzVillage { code: string; commune_code: string; name_en: string; name_km: string }
interface Gazetteer {
  provinces: GzProvince[];
  districts: GzDistrict[];
  communes: GzCommune[];
  villages: GzVillage[];
}
interface GazetteerReport {
  anomalies: string[];
  /** Names changed by `cleanText` (zero-width spaces, doubled or trailing spaces), as "code: before -> after". */
  cleanedNames: string[];
  /** Informational: gaps in code sequences (codes retired when units moved, e.g. to Tboung Khmum in 2013). */
  codeGaps: string[];
}

/**
 * Removes zero-width spaces (U+200B, U+FEFF: invisible artefacts of the scrape, they break exact search),
 * collapses runs of whitespace and trims. Khmer text keeps its characters otherwise.
 */
function cleanText(s: string): string {
  return s.replace(/[\u200B\uFEFF]/g, '').replace(/\s+/g, ' ').trim();
}

/** Left-pads/trims a numeric code to `width` digits: the gazetteer pads districts to 6 and drops communes' leading 0. */
function normaliseCode(raw: string, width: number): string | null {
  const digits = raw.trim();
  if (!/^\d+$/.test(digits)) return null;
  const value = digits.replace(/^0+/, '');
  if (value.length > width) return null;
  return value.padStart(width, '0');
}

function buildGazetteer(src: GazetteerSource): { gazetteer: Gazetteer; report: GazetteerReport } {
  const gz: Gazetteer = { provinces: [], districts: [], communes: [], villages: [] };
  const report: GazetteerReport = { anomalies: [], cleanedNames: [], codeGaps: [] };

  const names = (code: string, latin: string, khmer: string): { name_en: string; name_km: string } => {
    const name_en = cleanText(latin);
    const name_km = cleanText(khmer);
    if (name_en !== latin) report.cleanedNames.push(`${code} (latin): ${JSON.stringify(latin)} -> ${JSON.stringify(name_en)}`);
    if (name_km !== khmer) report.cleanedNames.push(`${code} (khmer): ${JSON.stringify(khmer)} -> ${JSON.stringify(name_km)}`);
    if (name_en === '' || name_km === '') report.anomalies.push(`${code}: empty name (latin ${JSON.stringify(latin)}, khmer ${JSON.stringify(khmer)})`);
    return { name_en, name_km };
  };
  const code = (raw: string, width: number, level: string): string => {
    const c = normaliseCode(raw, width);
    if (c === null) throw new Error(`gazetteer ${level} code ${JSON.stringify(raw)} cannot be normalised to ${width} digits`);
    return c;
  };

  for (const p of src) {
    const pc = code(p.code, 2, 'province');
    gz.provinces.push({ code: pc, ...names(pc, p.latin, p.khmer) });
    for (const d of p.districts) {
      const dc = code(d.code, 4, 'district');
      gz.districts.push({ code: dc, province_code: pc, ...names(dc, d.latin, d.khmer) });
      for (const c of d.communes) {
        const cc = code(c.code, 6, 'commune');
        gz.communes.push({ code: cc, district_code: dc, ...names(cc, c.latin, c.khmer) });
        for (const v of c.villages) {
          const vc = code(v.code, 8, 'village');
          gz.villages.push({ code: vc, commune_code: cc, ...names(vc, v.latin, v.khmer) });
        }
      }
    }
  }
  reconcileParents(gz, report);
  checkGazetteerCounts(gz, report);
  checkDuplicates(gz, report);
  report.codeGaps.push(...findCodeGaps(gz.districts.map((d) => d.code), 2, 'district'));
  sortGazetteer(gz);
  return { gazetteer: gz, report };
}

/**
 * NCDD codes are hierarchical: a unit's code starts with its parent's code. Where the tree of the source puts a unit
 * under a parent whose code is not its prefix, the code is trusted (it is the identifier other systems use, and
 * importers may rely on the prefix rule) and the unit is moved to the parent its code names, if that parent exists.
 * Each case is reported; a unit whose code names no existing parent is left where the tree put it.
 */
function reconcileParents(gz: Gazetteer, report: GazetteerReport): void {
  const reconcile = <T extends { code: string }>(entries: T[], level: string, parentCodes: Set<string>, width: number, parentOf: (e: T) => string, setParent: (e: T, p: string) => void): void => {
    for (const e of entries) {
      const tree = parentOf(e);
      const byCode = e.code.slice(0, width);
      if (byCode === tree) continue;
      if (parentCodes.has(byCode)) {
        setParent(e, byCode);
        report.anomalies.push(`${level} ${e.code} is listed under ${tree} in the source tree, but its code names ${byCode}: moved to ${byCode} (the code is trusted)`);
      } else {
        report.anomalies.push(`${level} ${e.code} is listed under ${tree}, but its code names ${byCode}, which does not exist: left under ${tree}`);
      }
    }
  };
  reconcile(gz.districts, 'district', new Set(gz.provinces.map((p) => p.code)), 2, (d) => d.province_code, (d, p) => { d.province_code = p; });
  reconcile(gz.communes, 'commune', new Set(gz.districts.map((d) => d.code)), 4, (c) => c.district_code, (c, p) => { c.district_code = p; });
  reconcile(gz.villages, 'village', new Set(gz.communes.map((c) => c.code)), 6, (v) => v.commune_code, (v, p) => { v.commune_code = p; });
}

function checkGazetteerCounts(gz: Gazetteer, report: GazetteerReport): void {
  for (const level of ['provinces', 'districts', 'communes', 'villages'] as const) {
    if (gz[level].length !== EXPECTED[level]) {
      report.anomalies.push(`${level}: ${gz[level].length} entries, ${EXPECTED[level]} expected`);
    }
  }
}

function checkDuplicates(gz: Gazetteer, report: GazetteerReport): void {
  for (const level of ['provinces', 'districts', 'communes', 'villages'] as const) {
    const seen = new Set<string>();
    for (const entry of gz[level]) {
      if (seen.has(entry.code)) report.anomalies.push(`${level}: duplicate code ${entry.code}`);
      seen.add(entry.code);
    }
  }
}

/** Lists codes missing from each parent's numbering (1..max). Not an error: codes are never reused. */
function findCodeGaps(codes: string[], parentWidth: number, level: string): string[] {
  const byParent = new Map<string, number[]>();
  for (const c of codes) {
    const list = byParent.get(c.slice(0, parentWidth)) ?? [];
    list.push(Number(c.slice(parentWidth)));
    byParent.set(c.slice(0, parentWidth), list);
  }
  const gaps: string[] = [];
  for (const [parent, numbers] of [...byParent.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const present = new Set(numbers);
    const width = codes[0]!.length - parentWidth;
    for (let n = 1; n <= Math.max(...numbers); n++) {
      if (!present.has(n)) gaps.push(`${level} ${parent}${String(n).padStart(width, '0')}`);
    }
  }
  return gaps;
}

function sortGazetteer(gz: Gazetteer): void {
  const byCode = (a: { code: string }, b: { code: string }): number => a.code.localeCompare(b.code);
  gz.provinces.sort(byCode);
  gz.districts.sort(byCode);
  gz.communes.sort(byCode);
  gz.villages.sort(byCode);
}

// ---------------------------------------------------------------------------------------------------------------
// Database helpers: guard against the embedded engine's silently swallowed GEOS errors
// ---------------------------------------------------------------------------------------------------------------

type Params = ReadonlyArray<string | number | string[] | null>;

async function openDb(): Promise<PGlite> {
  const db = new PGlite({ extensions: { postgis } });
  await db.exec('create extension postgis');
  await db.exec(`
    create table layer (
      level text not null,
      key text not null,          -- province code, geoBoundaries shapeID, or 'KH'
      raw geometry(Geometry, 4326),
      clean geometry(MultiPolygon, 4326),
      final geometry(MultiPolygon, 4326),
      shipped geometry(MultiPolygon, 4326),
      ord int,                    -- position in code order, for the partition
      primary key (level, key)
    );
    create table noded (level text primary key, geom geometry);
    create table face (
      id serial primary key,
      level text not null,
      geom geometry(Polygon, 4326) not null,
      pt geometry(Point, 4326) generated always as (st_pointonsurface(geom)) stored,
      inside int,                 -- how many units contain the face
      owner text                  -- the unit it is given to: the lowest code among them
    );`);
  return db;
}

/** Runs a query that must return exactly `count` rows; anything else is treated as a (possibly silent) failure. */
async function queryExactly<T>(db: PGlite, count: number, sql: string, params: Params = []): Promise<T[]> {
  const res = await db.query<T>(sql, [...params]);
  if (res.rows.length !== count) {
    throw new Error(`expected ${count} row(s), got ${res.rows.length} (a GEOS error swallowed by the engine?): ${sql}`);
  }
  return res.rows;
}

async function queryOne<T>(db: PGlite, sql: string, params: Params = []): Promise<T> {
  return (await queryExactly<T>(db, 1, sql, params))[0]!;
}

async function queryAll<T>(db: PGlite, sql: string, params: Params = []): Promise<T[]> {
  return (await db.query<T>(sql, [...params])).rows;
}

/** Column name for a stage: a closed set, so interpolating it into SQL is safe. */
function col(stage: Stage): string {
  return { raw: 'raw', clean: 'clean', final: 'final', shipped: 'shipped' }[stage];
}

/** Overlap checks on an invalid geometry are undefined; measure the raw stage on ST_MakeValid of invalid units. */
function measurable(stage: Stage, alias: string): string {
  const c = `${alias}.${col(stage)}`;
  return stage === 'raw' ? `(case when st_isvalid(${c}) then ${c} else st_makevalid(${c}) end)` : c;
}

async function insertRaw(db: PGlite, level: Level, key: string, geometry: unknown): Promise<void> {
  await queryOne(db, `insert into layer (level, key, raw) values ($1, $2, st_setsrid(st_geomfromgeojson($3), 4326)) returning key`, [
    level,
    key,
    JSON.stringify(geometry),
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Geometry: measure, repair, partition
// ---------------------------------------------------------------------------------------------------------------

interface LayerMeasure {
  units: number;
  invalid: number;
  invalidReasons: string[];
  overlapPairs: number;
  overlapAreaM2: number;
  /** Overlapping pairs with their geodesic area, largest first. */
  pairs: Array<{ a: string; b: string; areaM2: number }>;
  areaM2: number;
  vertices: number;
  /** Rings (exteriors and holes): shows holes that collapse on the grid. */
  rings: number;
}

/** Counts invalid geometries and overlapping pairs (interiors sharing area > 0 m2) of one level at one stage. */
async function measureLayer(db: PGlite, level: Level, stage: Stage, label: (key: string) => string): Promise<LayerMeasure> {
  const c = col(stage);
  const invalid = await queryAll<{ key: string; reason: string }>(
    db,
    `select key, st_isvalidreason(${c}) as reason from layer where level = $1 and not st_isvalid(${c}) order by key`,
    [level],
  );
  const totals = await queryOne<{ units: number; area: number; vertices: number; rings: number }>(
    db,
    `select count(*)::int as units, coalesce(sum(st_area(${measurable(stage, 'l')}::geography)), 0)::float8 as area,
            coalesce(sum(st_npoints(l.${c})), 0)::int as vertices, coalesce(sum(st_nrings(l.${c})), 0)::int as rings
       from layer l where level = $1 and ${c} is not null`,
    [level],
  );
  // Candidate pairs come from predicates only (no overlay, so nothing can be swallowed); the area of each is then
  // computed one query per pair, each checked to return its row.
  const candidates = await queryAll<{ a: string; b: string }>(
    db,
    `select a.key as a, b.key as b from layer a join layer b
        on b.level = a.level and a.key < b.key and a.${c} && b.${c}
       and st_intersects(${measurable(stage, 'a')}, ${measurable(stage, 'b')})
     where a.level = $1 order by a.key, b.key`,
    [level],
  );
  const pairs: LayerMeasure['pairs'] = [];
  for (const { a, b } of candidates) {
    const { area } = await queryOne<{ area: number }>(
      db,
      `select st_area(st_intersection(${measurable(stage, 'a')}, ${measurable(stage, 'b')}, ${MEASURE_GRID})::geography)::float8 as area
         from layer a, layer b where a.level = $1 and b.level = $1 and a.key = $2 and b.key = $3`,
      [level, a, b],
    );
    if (area > 0) pairs.push({ a: label(a), b: label(b), areaM2: area });
  }
  pairs.sort((x, y) => y.areaM2 - x.areaM2 || x.a.localeCompare(y.a) || x.b.localeCompare(y.b));
  return {
    units: totals.units,
    invalid: invalid.length,
    invalidReasons: invalid.map((r) => `${label(r.key)}: ${r.reason}`),
    overlapPairs: pairs.length,
    overlapAreaM2: pairs.reduce((s, p) => s + p.areaM2, 0),
    pairs,
    areaM2: totals.area,
    vertices: totals.vertices,
    rings: totals.rings,
  };
}

/**
 * Repairs (ST_MakeValid) and snaps every unit of a level to the 1e-6 grid, keeping only polygonal parts.
 * ST_ReducePrecision returns a valid geometry on the grid, so later overlays and the 6-decimal output agree.
 */
async function cleanLayer(db: PGlite, level: Level): Promise<void> {
  const { n } = await queryOne<{ n: number }>(db, `select count(*)::int as n from layer where level = $1`, [level]);
  const updated = await queryAll<{ key: string }>(
    db,
    `update layer set clean = st_multi(st_collectionextract(st_reduceprecision(st_makevalid(raw), ${GRID}), 3))
      where level = $1 returning key`,
    [level],
  );
  if (updated.length !== n) throw new Error(`cleaning ${level}: ${updated.length} of ${n} rows updated`);
  const empty = await queryAll<{ key: string }>(db, `select key from layer where level = $1 and (clean is null or st_isempty(clean))`, [level]);
  if (empty.length > 0) throw new Error(`cleaning ${level}: empty result for ${empty.map((e) => e.key).join(', ')}`);
}

interface PartitionStats {
  /** Faces of the common arrangement, and those lying in 2+ units (overlaps) or in none (gaps, lakes). */
  faces: number;
  overlapFaces: number;
  overlapFacesM2: number;
  gapFaces: number;
  gapFacesM2: number;
  /** Largest gap faces (e.g. the Tonle Sap lake, left out of every source layer), with a point inside each. */
  largestGaps: Array<{ areaM2: number; lon: number; lat: number }>;
  /** Per unit: area of the repaired unit minus area of the partitioned unit (positive: given to a lower code or
   * a sub-grid sliver collapsed; negative: a sub-grid gap closed). Only units whose area changed. */
  changed: Array<{ key: string; deltaM2: number }>;
}

/**
 * Removes overlaps deterministically, so that each point belongs to at most one unit of the level.
 * Semantics: in code order, each unit becomes itself minus the union of the units before it (each overlap goes to
 * the lowest code). Implementation: a plain ST_Difference per unit is NOT enough once coordinates live on a grid:
 * snap-rounding bends the trimmed unit's new edge through nearby grid points while its neighbour keeps its straight
 * edge, leaving sub-decimetre slivers that still overlap (measured: 5 province pairs, 180 m2). So the level is cut
 * as a whole: all unit boundaries are noded together on the 1e-6 grid (ST_UnaryUnion with gridSize), polygonised
 * into faces, each face is given to the lowest-code unit containing its interior point (faces in no unit are
 * dropped), and each unit is rebuilt from its faces with ST_CoverageUnion (which only removes shared edges and adds
 * no vertex). Neighbours then share exactly the same edges, on the grid. `order` lists the keys in code order;
 * units not in it (unmatched district polygons) are left out.
 */
async function partitionLayer(db: PGlite, level: Level, order: string[]): Promise<PartitionStats> {
  for (let i = 0; i < order.length; i++) {
    await queryOne(db, `update layer set ord = $3 where level = $1 and key = $2 returning key`, [level, order[i]!, i]);
  }
  await db.query(`delete from face where level = $1`, [level]);
  // Node all boundaries together and polygonise. One row each, checked: these are the overlays that could fail silently.
  const { lines } = await queryOne<{ lines: number }>(
    db,
    `insert into noded (level, geom)
     select $1, st_unaryunion(st_collect(st_boundary(clean) order by ord), ${GRID}) from layer where level = $1 and ord is not null
     on conflict (level) do update set geom = excluded.geom
     returning st_npoints(geom) as lines`,
    [level],
  );
  if (!(lines > 0)) throw new Error(`partition of ${level}: noding returned no linework`);
  const faces = await queryAll<{ id: number }>(
    db,
    `insert into face (level, geom)
     select $1, (st_dump(st_polygonize(geom))).geom from noded where level = $1
     returning id`,
    [level],
  );
  if (faces.length === 0) throw new Error(`partition of ${level}: polygonize returned no face`);
  await db.query(
    `update face f set inside = c.n, owner = c.owner
       from (select f2.id, count(l.key)::int as n, (array_agg(l.key order by l.ord))[1] as owner
               from face f2 left join layer l
                 on l.level = f2.level and l.ord is not null and l.clean && f2.pt and st_intersects(l.clean, f2.pt)
              where f2.level = $1 group by f2.id) c
      where f.id = c.id`,
    [level],
  );
  const updated = await queryAll<{ key: string }>(
    db,
    `update layer l set final = (select st_forcepolygonccw(st_multi(st_coverageunion(f.geom))) from face f where f.level = l.level and f.owner = l.key)
      where l.level = $1 and l.ord is not null returning key`,
    [level],
  );
  if (updated.length !== order.length) throw new Error(`partition of ${level}: ${updated.length} of ${order.length} units rebuilt`);
  const empty = await queryAll<{ key: string }>(
    db,
    `select key from layer where level = $1 and ord is not null and (final is null or st_isempty(final) or geometrytype(final) <> 'MULTIPOLYGON')`,
    [level],
  );
  if (empty.length > 0) throw new Error(`partition of ${level}: nothing (or no polygon) left of ${empty.map((e) => e.key).join(', ')}`);
  // Guard against a silently incomplete arrangement: every face must have been classified, and no unit may change by
  // more than 0.1% of its area (overlaps and grid slivers are orders of magnitude smaller).
  const { unclassified } = await queryOne<{ unclassified: number }>(db, `select count(*)::int as unclassified from face where level = $1 and inside is null`, [level]);
  if (unclassified > 0) throw new Error(`partition of ${level}: ${unclassified} faces not classified`);
  const drifted = await queryAll<{ key: string }>(
    db,
    `select key from layer where level = $1 and ord is not null
        and abs(st_area(clean::geography) - st_area(final::geography)) > 1e-3 * st_area(clean::geography)`,
    [level],
  );
  if (drifted.length > 0) throw new Error(`partition of ${level}: area changed by more than 0.1% for ${drifted.map((d) => d.key).join(', ')}`);
  return partitionStats(db, level, faces.length);
}

async function partitionStats(db: PGlite, level: Level, faces: number): Promise<PartitionStats> {
  const f = await queryOne<{ of: number; oa: number; gf: number; ga: number }>(
    db,
    `select count(*) filter (where inside > 1)::int as of, coalesce(sum(st_area(geom::geography)) filter (where inside > 1), 0)::float8 as oa,
            count(*) filter (where inside = 0)::int as gf, coalesce(sum(st_area(geom::geography)) filter (where inside = 0), 0)::float8 as ga
       from face where level = $1`,
    [level],
  );
  const largestGaps = await queryAll<{ areaM2: number; lon: number; lat: number }>(
    db,
    `select st_area(geom::geography)::float8 as "areaM2", round(st_x(pt)::numeric, 3)::float8 as lon, round(st_y(pt)::numeric, 3)::float8 as lat
       from face where level = $1 and inside = 0 order by st_area(geom::geography) desc, id limit 3`,
    [level],
  );
  const changed = await queryAll<{ key: string; deltaM2: number }>(
    db,
    `select key, (st_area(clean::geography) - st_area(final::geography))::float8 as "deltaM2"
       from layer where level = $1 and ord is not null and st_asbinary(st_normalize(clean)) <> st_asbinary(st_normalize(final)) order by ord`,
    [level],
  );
  return { faces, overlapFaces: f.of, overlapFacesM2: f.oa, gapFaces: f.gf, gapFacesM2: f.ga, largestGaps, changed };
}

/** For each district geometry, the WFP province holding most of its area, and that share (0..1). */
async function dominantProvinces(db: PGlite, districtKeys: string[]): Promise<Map<string, { province: string; share: number }>> {
  const result = new Map<string, { province: string; share: number }>();
  for (const key of districtKeys) {
    const candidates = await queryAll<{ province: string }>(
      db,
      `select p.key as province from layer p, layer d
        where p.level = 'province' and d.level = 'district' and d.key = $1 and p.clean && d.clean and st_intersects(p.clean, d.clean)
        order by p.key`,
      [key],
    );
    let best = { province: '', share: -1 };
    for (const { province } of candidates) {
      const { share } = await queryOne<{ share: number }>(
        db,
        `select (st_area(st_intersection(p.clean, d.clean, ${GRID})::geography) / st_area(d.clean::geography))::float8 as share
           from layer p, layer d where p.level = 'province' and p.key = $1 and d.level = 'district' and d.key = $2`,
        [province, key],
      );
      if (share > best.share) best = { province, share };
    }
    if (best.share <= 0) throw new Error(`district geometry ${key} lies in no province`);
    result.set(key, best);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// District crosswalk: geoBoundaries names -> NCDD codes
// ---------------------------------------------------------------------------------------------------------------

interface SourceDistrict { shapeId: string; shapeName: string; province: string; share: number }
interface CrosswalkRow {
  source_name: string;
  source_id: string;
  code: string; // '' when unmatched
  name_en: string;
  province_code: string;
  match: MatchKind | 'unmatched';
  note: string;
}

/** Administrative words that one source writes and the other omits ("Serei Saophoan" vs "Serei Saophoan Municipality"). */
const ADMIN_WORDS = /\b(municipality|khan|krong|srok|city|district|capital|province|khett)\b/g;

/** Case, accents, punctuation, spaces and administrative words removed: "Rolea B'ier" -> "roleabier". */
function normaliseName(s: string): string {
  return cleanText(s)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(ADMIN_WORDS, ' ')
    .replace(/[^a-z]/g, '');
}

/**
 * A looser key that folds common variants of Khmer romanisation (UNGEGN, French-era and ad hoc spellings):
 * ey/ei, ou/o, kh/k, ph/p, th/t, ch/c, ae/e, ea/e, oe/e, ue/u, ie/i, and doubled letters ("Ballangk"/"Balangk").
 */
function romanisationKey(s: string): string {
  let k = normaliseName(s);
  const folds: Array<[RegExp, string]> = [
    [/ey/g, 'ei'], [/ou/g, 'o'], [/kh/g, 'k'], [/ph/g, 'p'], [/th/g, 't'], [/ch/g, 'c'],
    [/ae/g, 'e'], [/ea/g, 'e'], [/oe/g, 'e'], [/ue/g, 'u'], [/ie/g, 'i'], [/(.)\1+/g, '$1'],
  ];
  for (const [pattern, replacement] of folds) k = k.replace(pattern, replacement);
  return k;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Best fuzzy candidate among a province's unclaimed districts: equal romanisation keys first, else the smallest
 * edit distance between keys if it is small (<= 20% of the longer key, at least 1) and strictly better than the runner-up.
 */
function fuzzyCandidate<T extends { code: string; name_en: string }>(name: string, candidates: T[]): { district: T; how: string } | null {
  const key = romanisationKey(name);
  const sameKey = candidates.filter((c) => romanisationKey(c.name_en) === key);
  if (sameKey.length === 1) return { district: sameKey[0]!, how: `same romanisation key "${key}"` };
  if (sameKey.length > 1) return null;
  const scored = candidates
    .map((c) => ({ c, d: levenshtein(key, romanisationKey(c.name_en)), len: Math.max(key.length, romanisationKey(c.name_en).length) }))
    .sort((x, y) => x.d - y.d || x.c.code.localeCompare(y.c.code));
  const [best, second] = scored;
  if (best === undefined) return null;
  const limit = Math.max(1, Math.floor(best.len * 0.2));
  if (best.d > limit || (second !== undefined && second.d === best.d)) return null;
  return { district: best.c, how: `romanisation keys "${key}" / "${romanisationKey(best.c.name_en)}" at edit distance ${best.d}` };
}

/**
 * Matches geometries to gazetteer districts in passes of decreasing strictness. In every pass a name match is
 * accepted only if the gazetteer district's province is the WFP province holding most of the geometry, and a code
 * claimed by two geometries in the same pass is given to neither (so the conflict surfaces in the report).
 */
function matchDistricts(sources: SourceDistrict[], districts: GzDistrict[]): CrosswalkRow[] {
  const rows = new Map<string, CrosswalkRow>();
  const taken = new Set<string>();
  const byCode = new Map(districts.map((d) => [d.code, d]));
  const pct = (s: SourceDistrict): string => `${(s.share * 100).toFixed(1)}% of its area in WFP province ${s.province}`;
  const record = (s: SourceDistrict, d: GzDistrict, match: MatchKind, note: string): void => {
    rows.set(s.shapeId, { source_name: s.shapeName, source_id: s.shapeId, code: d.code, name_en: d.name_en, province_code: d.province_code, match, note });
    taken.add(d.code);
  };

  // Pass 0: hand-written entries.
  for (const m of MANUAL) {
    const s = sources.find((x) => x.shapeId === m.shapeId);
    const d = byCode.get(m.code);
    if (s === undefined || d === undefined) throw new Error(`MANUAL entry ${m.shapeId} -> ${m.code} refers to nothing`);
    record(s, d, 'manual', `${m.why}; ${pct(s)}`);
  }

  type Proposer = (s: SourceDistrict, free: GzDistrict[]) => { district: GzDistrict; note: string } | null;
  const runPass = (match: MatchKind, propose: Proposer): void => {
    const proposals = new Map<string, Array<{ s: SourceDistrict; note: string }>>();
    const free = districts.filter((d) => !taken.has(d.code));
    for (const s of sources) {
      if (rows.has(s.shapeId)) continue;
      const p = propose(s, free);
      if (p === null) continue;
      const list = proposals.get(p.district.code) ?? [];
      list.push({ s, note: p.note });
      proposals.set(p.district.code, list);
    }
    for (const [code, list] of [...proposals.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (list.length === 1) record(list[0]!.s, byCode.get(code)!, match, list[0]!.note);
    }
  };
  const inProvince = (s: SourceDistrict, ds: GzDistrict[]): GzDistrict[] => ds.filter((d) => d.province_code === s.province);
  const unique = (ds: GzDistrict[]): GzDistrict | null => (ds.length === 1 ? ds[0]! : null);

  // Pass 1: identical name, unique in the country, in the province the geometry lies in.
  // Uniqueness is judged on the whole gazetteer, not on the codes still free: a name shared by two districts
  // (e.g. "Samraong", Takeo, and "Samraong Municipality", Oddar Meanchey) must be settled by the geometry (pass 3).
  runPass('exact', (s, free) => {
    const d = unique(districts.filter((x) => x.name_en === s.shapeName));
    return d !== null && d.province_code === s.province && free.includes(d) ? { district: d, note: `identical name; ${pct(s)}` } : null;
  });
  // Pass 2: same normalised name, unique in the country, in the right province.
  runPass('normalised', (s, free) => {
    const d = unique(districts.filter((x) => normaliseName(x.name_en) === normaliseName(s.shapeName)));
    return d !== null && d.province_code === s.province && free.includes(d)
      ? { district: d, note: `same name once case, punctuation and administrative words are ignored ("${normaliseName(s.shapeName)}"); ${pct(s)}` }
      : null;
  });
  // Pass 3: the geometry's province narrows the candidates; then normalised name, then romanisation folding.
  runPass('spatial', (s, free) => {
    const local = inProvince(s, free);
    const nationwide = districts.filter((x) => normaliseName(x.name_en) === normaliseName(s.shapeName)).map((x) => x.code);
    const d = unique(local.filter((x) => normaliseName(x.name_en) === normaliseName(s.shapeName)));
    if (d !== null) {
      return {
        district: d,
        note: `normalised name "${normaliseName(s.shapeName)}" is shared by ${nationwide.join(' and ')}; the polygon's province (${pct(s)}) leaves one`,
      };
    }
    const f = fuzzyCandidate(s.shapeName, local);
    return f === null ? null : { district: f.district, note: `${f.how}, among the districts of province ${s.province} (${pct(s)})` };
  });

  for (const s of sources) {
    if (!rows.has(s.shapeId)) {
      rows.set(s.shapeId, {
        source_name: s.shapeName, source_id: s.shapeId, code: '', name_en: '', province_code: s.province, match: 'unmatched',
        note: `no unambiguous candidate; ${pct(s)}`,
      });
    }
  }
  return [...rows.values()].sort((a, b) => (a.code || '~').localeCompare(b.code || '~') || a.source_id.localeCompare(b.source_id));
}

// ---------------------------------------------------------------------------------------------------------------
// Commune crosswalk: geoBoundaries ADM3 polygons -> NCDD commune codes
// ---------------------------------------------------------------------------------------------------------------

/** A small CSV reader (RFC 4180 quotes): the shared sources quote a field only when it holds a comma or a quote. */
function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  const [header, ...body] = rows;
  if (header === undefined) return [];
  return body.map((r, n) => {
    if (r.length !== header.length) throw new Error(`CSV line ${n + 2}: ${r.length} fields, ${header.length} expected`);
    return Object.fromEntries(header.map((h, i) => [h, r[i]!]));
  });
}

function readCsv(dataDir: string, relPath: string, columns: string[]): Array<Record<string, string>> {
  const rows = parseCsv(readFileSync(join(dataDir, relPath), 'utf8'));
  for (const c of columns) if (rows.length > 0 && !(c in rows[0]!)) throw new Error(`${relPath} has no column ${c}`);
  return rows;
}

/** Words one source writes around a commune's name and the other omits ("Sangkat Boeng Reang"). */
const COMMUNE_WORDS = /\b(sangkat|khum|commune|quarter)\b/gi;
const communeKey = (s: string): string => normaliseName(s.replace(COMMUNE_WORDS, ' '));

interface SourceCommune {
  shapeId: string;
  shapeName: string;
  /** District (NCDD code, from the district partition) holding the polygon's point on surface; '' if none. */
  district: string;
  /** The shipped candidate crosswalk's code, normalised to 6 digits ('' when it gives none), and its verdict. */
  hint: string;
  hintMatch: string;
}

/**
 * Pairs commune polygons with the gazetteer's communes, as for districts: passes of decreasing strictness, each
 * accepting only a commune of the district the polygon lies in (its point on surface, in the shipped district
 * partition), a code claimed by two polygons in one pass going to neither. The shipped candidate crosswalk (HDX
 * P-code centroids) is used only as a hint in the spatial pass, never trusted alone: its code must belong to the
 * polygon's district and exist in the gazetteer we ship.
 */
function matchCommunes(sources: SourceCommune[], communes: GzCommune[]): CrosswalkRow[] {
  const rows = new Map<string, CrosswalkRow>();
  const taken = new Set<string>();
  const byCode = new Map(communes.map((c) => [c.code, c]));
  const inDistrict = new Map<string, GzCommune[]>();
  for (const c of communes) inDistrict.set(c.district_code, [...(inDistrict.get(c.district_code) ?? []), c]);
  const where = (s: SourceCommune): string => (s.district === '' ? 'point on surface in no district' : `point on surface in district ${s.district}`);
  const record = (s: SourceCommune, c: GzCommune, match: MatchKind, note: string): void => {
    rows.set(s.shapeId, { source_name: s.shapeName, source_id: s.shapeId, code: c.code, name_en: c.name_en, province_code: c.code.slice(0, 2), match, note });
    taken.add(c.code);
  };
  type Proposer = (s: SourceCommune, free: GzCommune[]) => { commune: GzCommune; note: string } | null;
  const runPass = (match: MatchKind, propose: Proposer): void => {
    const proposals = new Map<string, Array<{ s: SourceCommune; note: string }>>();
    for (const s of sources) {
      if (rows.has(s.shapeId)) continue;
      const free = (inDistrict.get(s.district) ?? []).filter((c) => !taken.has(c.code));
      const p = propose(s, free);
      if (p === null) continue;
      proposals.set(p.commune.code, [...(proposals.get(p.commune.code) ?? []), { s, note: p.note }]);
    }
    for (const [code, list] of [...proposals.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (list.length === 1) record(list[0]!.s, byCode.get(code)!, match, list[0]!.note);
    }
  };
  const unique = (cs: GzCommune[]): GzCommune | null => (cs.length === 1 ? cs[0]! : null);
  const allOf = (s: SourceCommune): GzCommune[] => inDistrict.get(s.district) ?? [];

  // Uniqueness is judged among all the district's communes, not only the free ones (as for districts).
  runPass('exact', (s, free) => {
    const c = unique(allOf(s).filter((x) => x.name_en === s.shapeName));
    return c !== null && free.includes(c) ? { commune: c, note: `identical name in the polygon's district; ${where(s)}` } : null;
  });
  runPass('normalised', (s, free) => {
    const c = unique(allOf(s).filter((x) => communeKey(x.name_en) === communeKey(s.shapeName)));
    return c !== null && free.includes(c) ? { commune: c, note: `same name once case, punctuation and Sangkat/Khum are ignored ("${communeKey(s.shapeName)}"); ${where(s)}` } : null;
  });
  runPass('spatial', (s, free) => {
    const hinted = free.find((c) => c.code === s.hint);
    if (hinted !== undefined) {
      return { commune: hinted, note: `names differ ("${s.shapeName}" / "${hinted.name_en}"); the shipped crosswalk (HDX centroid, ${s.hintMatch}) gives ${s.hint}, a commune of the polygon's district; ${where(s)}` };
    }
    const f = fuzzyCandidate(s.shapeName.replace(COMMUNE_WORDS, ' '), free);
    return f === null ? null : { commune: f.district, note: `${f.how}, among the communes of district ${s.district}; ${where(s)}` };
  });

  for (const s of sources) {
    if (rows.has(s.shapeId)) continue;
    const hint = byCode.get(s.hint);
    const why = s.hint === ''
      ? `the shipped crosswalk gives no code (${s.hintMatch})`
      : hint === undefined
        ? `the shipped crosswalk's ${s.hint} (${s.hintMatch}) is not in the gazetteer we ship`
        : taken.has(hint.code)
          ? `the shipped crosswalk's ${s.hint} (${s.hintMatch}) is already paired with another polygon`
          : `the shipped crosswalk's ${s.hint} (${s.hintMatch}) belongs to district ${hint.district_code}, not the polygon's`;
    rows.set(s.shapeId, { source_name: s.shapeName, source_id: s.shapeId, code: '', name_en: '', province_code: s.district.slice(0, 2), match: 'unmatched', note: `no unambiguous candidate in its district; ${why}; ${where(s)}` });
  }
  return [...rows.values()].sort((a, b) => (a.code || '~').localeCompare(b.code || '~') || a.source_id.localeCompare(b.source_id));
}

/** District (NCDD code) of each commune polygon: the shipped district holding its point on surface. No overlay. */
async function communeDistricts(db: PGlite, districtCodeByKey: Map<string, string>): Promise<Map<string, string>> {
  const rows = await queryAll<{ key: string; district: string | null }>(
    db,
    `select c.key, (select d.key from layer d where d.level = 'district' and d.final is not null
                      and d.final && st_pointonsurface(c.clean) and st_covers(d.final, st_pointonsurface(c.clean))
                    order by d.ord limit 1) as district
       from layer c where c.level = 'commune' order by c.key`,
  );
  return new Map(rows.map((r) => [r.key, r.district === null ? '' : (districtCodeByKey.get(r.district) ?? '')]));
}

// ---------------------------------------------------------------------------------------------------------------
// The national outline: made to hold every unit of every level
// ---------------------------------------------------------------------------------------------------------------

interface OutlineFigures {
  /** Per province, area outside the source outline (before) and outside the shipped outline (after), m2. */
  provinces: Array<{ code: string; beforeM2: number; afterM2: number }>;
  /** Per level, total area of its shipped units outside the shipped outline, m2 (must be 0). */
  afterByLevel: Array<{ level: string; m2: number; units: number }>;
  sourceAreaM2: number;
  shippedAreaM2: number;
}

async function provincesOutsideCountry(db: PGlite, stage: Stage): Promise<Map<string, number>> {
  const c = col(stage);
  const rows = await queryExactly<{ key: string; m2: number }>(
    db,
    EXPECTED.provinces,
    `select p.key, st_area(st_difference(p.${c}, k.${c}, ${MEASURE_GRID})::geography)::float8 as m2
       from layer p, layer k where p.level = 'province' and k.level = 'country' order by p.key`,
  );
  return new Map(rows.map((r) => [r.key, r.m2]));
}

/**
 * The source outline (WFP) leaves out islands and coastline that the province polygons hold (Kep's islands,
 * Koh Rong...), so a hazard there would be refused as "more than 10 km outside Cambodia". The shipped outline is
 * the union, on the 1e-6 grid, of the source outline and every partitioned unit of every level, widened by
 * OUTLINE_MARGIN: snap-rounding the union moves its edges by up to a grid cell where edges of different levels
 * cross, which left about 1,800 m2 of the provinces (strips a few centimetres wide) outside a plain union.
 */
async function widenCountry(db: PGlite): Promise<void> {
  const { empty } = await queryOne<{ empty: boolean }>(
    db,
    `update layer set clean = (
       select st_multi(st_collectionextract(st_reduceprecision(
                st_buffer(st_union(g, ${GRID}), ${OUTLINE_MARGIN}, 'join=mitre mitre_limit=2 quad_segs=1'), ${GRID}), 3))
         from (select final as g from layer where level in ('country', 'province', 'district', 'commune') and final is not null) u)
      where level = 'country' returning coalesce(st_isempty(clean), true) as empty`,
  );
  if (empty) throw new Error('widening the national outline returned nothing');
}

// ---------------------------------------------------------------------------------------------------------------
// The current gazetteer (Pumi, 2025) against the one shipped (2020)
// ---------------------------------------------------------------------------------------------------------------

interface PumiComparison {
  districts: { shipped: number; pumi: number; added: string[]; removed: string[] };
  communes: { shipped: number; pumi: number; added: string[]; removed: string[] };
  villages: { shipped: number; pumi: number; added: number; removed: number; addedInNewDistricts: number };
}

function comparePumi(dataDir: string, gz: Gazetteer): PumiComparison {
  const communes = readCsv(dataDir, SOURCES.pumiCommunes, ['commune_code', 'district_code']);
  const villages = readCsv(dataDir, SOURCES.pumiVillages, ['village_code', 'commune_code', 'district_code']);
  const diff = (a: Set<string>, b: Set<string>): string[] => [...a].filter((x) => !b.has(x)).sort();
  const pDistricts = new Set([...communes.map((c) => c.district_code!), ...villages.map((v) => v.district_code!)]);
  const sDistricts = new Set(gz.districts.map((d) => d.code));
  const pCommunes = new Set(communes.map((c) => c.commune_code!));
  const sCommunes = new Set(gz.communes.map((c) => c.code));
  const pVillages = new Set(villages.map((v) => v.village_code!));
  const sVillages = new Set(gz.villages.map((v) => v.code));
  const newDistricts = new Set(diff(pDistricts, sDistricts));
  return {
    districts: { shipped: sDistricts.size, pumi: pDistricts.size, added: [...newDistricts], removed: diff(sDistricts, pDistricts) },
    communes: { shipped: sCommunes.size, pumi: pCommunes.size, added: diff(pCommunes, sCommunes), removed: diff(sCommunes, pCommunes) },
    villages: {
      shipped: sVillages.size, pumi: pVillages.size, added: diff(pVillages, sVillages).length, removed: diff(sVillages, pVillages).length,
      addedInNewDistricts: villages.filter((v) => newDistricts.has(v.district_code!) && !sVillages.has(v.village_code!)).length,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------------------------------------------

/** GeoJSON FeatureCollection, one feature per line: compact, yet readable in a git diff. */
function featureCollectionText(features: Array<{ properties: Record<string, string>; geometry: MultiPolygon }>): string {
  const lines = features.map((f) => JSON.stringify({ type: 'Feature', properties: f.properties, geometry: f.geometry }));
  return `{"type":"FeatureCollection","features":[\n${lines.join(',\n')}\n]}\n`;
}

/** Reads the final geometries of a level (in the given key order) as GeoJSON with 6 decimals. */
async function finalGeometries(db: PGlite, level: Level, keys: string[]): Promise<Map<string, MultiPolygon>> {
  const rows = await queryExactly<{ key: string; gj: string }>(
    db,
    keys.length,
    `select key, st_asgeojson(final, 6) as gj from layer where level = $1 and key = any($2::text[]) order by key`,
    [level, keys],
  );
  const out = new Map<string, MultiPolygon>();
  for (const r of rows) {
    const g = JSON.parse(r.gj) as MultiPolygon;
    if (g.type !== 'MultiPolygon') throw new Error(`${level} ${r.key}: ${g.type}, MultiPolygon expected`);
    out.set(r.key, { type: 'MultiPolygon', coordinates: g.coordinates });
  }
  return out;
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function crosswalkCsv(rows: CrosswalkRow[]): string {
  const header = ['source_name', 'source_id', 'code', 'name_en', 'province_code', 'match', 'note'] as const;
  const lines = rows.map((r) => header.map((h) => csvField(r[h])).join(','));
  return `${header.join(',')}\n${lines.join('\n')}\n`;
}

/** Compact JSON (no indentation), one entry per line so that diffs stay readable. */
function gazetteerText(gz: Gazetteer): string {
  const section = (name: string, entries: object[]): string => `"${name}":[\n${entries.map((e) => JSON.stringify(e)).join(',\n')}\n]`;
  return `{${[
    section('provinces', gz.provinces),
    section('districts', gz.districts),
    section('communes', gz.communes),
    section('villages', gz.villages),
  ].join(',\n')}}\n`;
}

/** The mine action sector in Cambodia. Short codes are the ones the sector uses in reports. */
const ORGANISATIONS: ReadonlyArray<{ code: string; name: string; kind: 'authority' | 'operator' | 'donor' | 'other' }> = [
  { code: 'CMAA', name: 'Cambodian Mine Action and Victim Assistance Authority', kind: 'authority' },
  { code: 'CMAC', name: 'Cambodian Mine Action Centre', kind: 'operator' },
  { code: 'HALO', name: 'The HALO Trust', kind: 'operator' },
  { code: 'MAG', name: 'Mines Advisory Group', kind: 'operator' },
  { code: 'NPA', name: "Norwegian People's Aid", kind: 'operator' },
  { code: 'APOPO', name: 'APOPO', kind: 'operator' },
  { code: 'RCAF', name: 'Royal Cambodian Armed Forces', kind: 'operator' },
  { code: 'NPMEC', name: 'National Centre for Peacekeeping Forces, Mines and ERW Clearance', kind: 'operator' },
  { code: 'CSHD', name: 'Cambodian Self Help Demining', kind: 'operator' },
  { code: 'UNDP', name: 'United Nations Development Programme', kind: 'donor' },
  { code: 'NORAD', name: 'Norwegian Agency for Development Cooperation', kind: 'donor' },
  { code: 'JICA', name: 'Japan International Cooperation Agency', kind: 'donor' },
  { code: 'DFAT', name: 'Australian Government Department of Foreign Affairs and Trade', kind: 'donor' },
  { code: 'PM-WRA', name: 'U.S. Department of State, Office of Weapons Removal and Abatement', kind: 'donor' },
];

function organisationsText(): string {
  const kindOrder = ['authority', 'operator', 'donor', 'other'];
  const sorted = [...ORGANISATIONS].sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || a.code.localeCompare(b.code));
  return `[\n${sorted.map((o) => JSON.stringify(o)).join(',\n')}\n]\n`;
}

function writeText(relPath: string, text: string): void {
  const path = join(REFERENCE_DIR, relPath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

// ---------------------------------------------------------------------------------------------------------------
// Verification of the shipped files
// ---------------------------------------------------------------------------------------------------------------

/** Loads a written GeoJSON file back into the `shipped` column, keyed the same way as the working rows. */
async function loadShipped(db: PGlite, level: Level, relPath: string, keyOf: (code: string) => string): Promise<number> {
  const fc = z
    .object({ features: z.array(z.object({ properties: z.object({ code: z.string() }), geometry: z.object({ type: z.literal('MultiPolygon') }).passthrough() })) })
    .parse(JSON.parse(readFileSync(join(REFERENCE_DIR, relPath), 'utf8')));
  for (const f of fc.features) {
    await queryOne(db, `update layer set shipped = st_setsrid(st_geomfromgeojson($3), 4326) where level = $1 and key = $2 returning key`, [
      level,
      keyOf(f.properties.code),
      JSON.stringify(f.geometry),
    ]);
  }
  // The written coordinates must be exactly the computed ones (the 1e-6 grid survives the 6-decimal text).
  const { differ } = await queryOne<{ differ: number }>(
    db,
    `select count(*)::int as differ from layer where level = $1 and shipped is not null and st_asbinary(shipped) <> st_asbinary(final)`,
    [level],
  );
  if (differ > 0) throw new Error(`${relPath}: ${differ} geometries changed when written with 6 decimals`);
  return fc.features.length;
}

interface NestingFigures {
  districtOutsideOwnProvinceM2: number;
  worst: Array<{ code: string; outsideM2: number; share: number }>;
  countryAreaM2: number;
  provincesUnionAreaM2: number;
  districtsUnionAreaM2: number;
  countryNotInProvincesM2: number;
  provincesNotInCountryM2: number;
  provincesNotInDistrictsM2: number;
  districtsNotInProvincesM2: number;
}

/** How well the independent layers fit together (they come from different sources and years). */
async function nestingFigures(db: PGlite, districtCodeByKey: Map<string, string>): Promise<NestingFigures> {
  const worst: NestingFigures['worst'] = [];
  let total = 0;
  for (const [key, code] of [...districtCodeByKey.entries()].sort(([, a], [, b]) => a.localeCompare(b))) {
    const r = await queryOne<{ outside: number; area: number }>(
      db,
      `select st_area(st_difference(d.shipped, p.shipped, ${MEASURE_GRID})::geography)::float8 as outside, st_area(d.shipped::geography)::float8 as area
         from layer d, layer p where d.level = 'district' and d.key = $1 and p.level = 'province' and p.key = $2`,
      [key, code.slice(0, 2)],
    );
    total += r.outside;
    worst.push({ code, outsideM2: r.outside, share: r.outside / r.area });
  }
  worst.sort((a, b) => b.share - a.share || a.code.localeCompare(b.code));
  const u = await queryOne<Record<'c' | 'p' | 'd' | 'cp' | 'pc' | 'pd' | 'dp', number>>(
    db,
    `with c as (select shipped g from layer where level = 'country'),
          p as (select st_union(shipped, ${GRID}) g from layer where level = 'province'),
          d as (select st_union(shipped, ${GRID}) g from layer where level = 'district' and shipped is not null)
     select st_area(c.g::geography)::float8 c, st_area(p.g::geography)::float8 p, st_area(d.g::geography)::float8 d,
            st_area(st_difference(c.g, p.g, ${MEASURE_GRID})::geography)::float8 cp,
            st_area(st_difference(p.g, c.g, ${MEASURE_GRID})::geography)::float8 pc,
            st_area(st_difference(p.g, d.g, ${MEASURE_GRID})::geography)::float8 pd,
            st_area(st_difference(d.g, p.g, ${MEASURE_GRID})::geography)::float8 dp
       from c, p, d`,
  );
  for (const [k, v] of Object.entries(u)) if (v === null || Number.isNaN(v)) throw new Error(`coverage figure ${k} could not be computed`);
  return {
    districtOutsideOwnProvinceM2: total,
    worst: worst.slice(0, 10),
    countryAreaM2: u.c,
    provincesUnionAreaM2: u.p,
    districtsUnionAreaM2: u.d,
    countryNotInProvincesM2: u.cp,
    provincesNotInCountryM2: u.pc,
    provincesNotInDistrictsM2: u.pd,
    districtsNotInProvincesM2: u.dp,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Province checks against the gazetteer
// ---------------------------------------------------------------------------------------------------------------

/** Province codes in the WFP file come in three forms; they must agree. Returns the 2-digit code. */
function provinceCode(p: ProvinceSource['features'][number]['properties']): string {
  const code = String(p.Adm1_NCDD).padStart(2, '0');
  if (p.Adm1_text !== code || p.ADM1_CODE !== `KH${code}`) {
    throw new Error(`WFP province ${p.Adm1_Name}: codes disagree (${p.Adm1_NCDD}, ${p.Adm1_text}, ${p.ADM1_CODE})`);
  }
  return code;
}

/** Differences between the WFP (2022) province attributes and the gazetteer (2020): names and unit counts. */
function compareProvinces(src: ProvinceSource, gz: Gazetteer): string[] {
  const notes: string[] = [];
  for (const f of [...src.features].sort((a, b) => a.properties.Adm1_NCDD - b.properties.Adm1_NCDD)) {
    const p = f.properties;
    const code = provinceCode(p);
    const g = gz.provinces.find((x) => x.code === code);
    if (g === undefined) {
      notes.push(`${code} ${p.Adm1_Name}: not in the gazetteer`);
      continue;
    }
    if (cleanText(p.Adm1_Name) !== g.name_en) notes.push(`${code}: English name "${cleanText(p.Adm1_Name)}" (WFP) / "${g.name_en}" (gazetteer)`);
    if (cleanText(p.Adm1_Name_) !== g.name_km) notes.push(`${code}: Khmer name "${cleanText(p.Adm1_Name_)}" (WFP) / "${g.name_km}" (gazetteer)`);
    const districts = gz.districts.filter((d) => d.province_code === code);
    const communes = gz.communes.filter((c) => c.code.startsWith(code));
    const villages = gz.villages.filter((v) => v.code.startsWith(code));
    const counts: Array<[string, number, number]> = [
      ['districts (Krong+Srok+Khan)', p.Krong + p.Srok + p.Khan, districts.length],
      ['communes (Khum+Sangkat)', p.Khum + p.Sangkat, communes.length],
      ['villages (Phum)', p.Phum, villages.length],
    ];
    for (const [what, wfp, gzCount] of counts) {
      if (wfp !== gzCount) notes.push(`${code} ${g.name_en}: ${what} ${wfp} in WFP 2022 attributes, ${gzCount} in the gazetteer`);
    }
  }
  return notes;
}

// ---------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------

interface ReportInput {
  gzReport: GazetteerReport;
  gz: Gazetteer;
  provinceNotes: string[];
  crosswalk: CrosswalkRow[];
  communeCrosswalk: CrosswalkRow[];
  outline: OutlineFigures;
  pumi: PumiComparison;
  measures: Array<{ level: string; stage: string; m: LayerMeasure }>;
  partitions: Array<{ level: string; stats: PartitionStats }>;
  nesting: NestingFigures;
  shares: { min: number; below90: Array<{ code: string; share: number }> };
  sizes: Array<{ file: string; bytes: number }>;
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtM2 = (n: number): string => (n === 0 ? '0' : n < 1 ? n.toPrecision(2) : fmtInt(n));
const fmtKm2 = (n: number): string => (n / 1e6).toLocaleString('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });
/** Area with a unit that keeps it readable: km2 from 1 km2 up, m2 below. */
const fmtArea = (n: number): string => (Math.abs(n) >= 1e6 ? `${fmtKm2(n)} km2` : `${fmtM2(n)} m2`);
/** Signed area change, "-" meaning the unit lost area. */
const fmtDelta = (lostM2: number): string => (Math.abs(lostM2) < 1e-6 ? '0' : `${lostM2 > 0 ? '-' : '+'}${fmtM2(Math.abs(lostM2))}`);

function reportText(r: ReportInput): string {
  const out: string[] = [];
  const p = (...lines: string[]): void => {
    out.push(...lines);
  };
  const count = (k: string): number => r.crosswalk.filter((c) => c.match === k).length;
  const matchedCodes = new Set(r.crosswalk.filter((c) => c.code !== '').map((c) => c.code));
  const noGeometry = r.gz.districts.filter((d) => !matchedCodes.has(d.code));

  p('# Reference data: preparation report', '');
  p('Generated by `scripts/prepare-reference-data.ts` (do not edit by hand; rerun the script instead:', '`npx tsx scripts/prepare-reference-data.ts [shared-data-folder]`, default `../shared/data`).');
  p('What each file holds, its source and licence: `reference/README.md` and `NOTICE`. Natural Earth (world-atlas) is not used.', '');

  p('## District crosswalk (geoBoundaries ADM2 -> NCDD district codes)', '');
  p('The 197 district polygons (geoBoundaries KHM ADM2, Open Development Cambodia) carry only a name (`shapeName`).');
  p('Each is paired with an NCDD district code of the gazetteer (2020) in passes of decreasing strictness. In every pass');
  p('the candidate must lie in the WFP province that holds most of the polygon\'s area (so a name shared by two provinces');
  p('cannot pair the wrong one), and a code claimed by two polygons in the same pass goes to neither.', '');
  p('| match | meaning | districts |', '|---|---|---:|');
  p(`| exact | identical name, unique in the country | ${count('exact')} |`);
  p(`| normalised | same name ignoring case, punctuation and administrative words (Municipality, Khan, Krong, Srok, City...) | ${count('normalised')} |`);
  p(`| spatial | name ambiguous or different: the polygon's province narrows the candidates, then normalised name or romanisation folding (ey/ei, ou/o, kh/k, doubled letters...) | ${count('spatial')} |`);
  p(`| manual | hand-written table \`MANUAL\` in the script | ${count('manual')} |`);
  p(`| unmatched | polygon left without a code (not shipped) | ${count('unmatched')} |`);
  p(`| **total** | | **${r.crosswalk.length}** |`, '');
  p(`Gazetteer districts with no polygon: ${noGeometry.length === 0 ? 'none' : noGeometry.map((d) => `${d.code} ${d.name_en}`).join(', ')}.`);
  p(`Polygons with no gazetteer district: ${count('unmatched') === 0 ? 'none' : r.crosswalk.filter((c) => c.match === 'unmatched').map((c) => `${c.source_name} (${c.source_id})`).join(', ')}.`);
  p('Each gazetteer district is paired with at most one polygon (checked).');
  if (noGeometry.length === 0 && count('unmatched') === 0) {
    p('No district of the gazetteer appears to have been split or created after the polygons were drawn: both lists hold the same');
    p(`${r.crosswalk.length} districts, one to one. Districts created after the gazetteer (the WFP 2022 attributes count more in some`);
    p('provinces, see "Provinces" below) are in neither list.');
  }
  p('');
  p(`Province check: the smallest share of a district's area inside the province of its code is ${(r.shares.min * 100).toFixed(1)}%;`);
  p(
    r.shares.below90.length === 0
      ? 'every district has at least 90% of its area in its own province.'
      : `districts with less than 90% inside: ${r.shares.below90.map((s) => `${s.code} (${(s.share * 100).toFixed(1)}%)`).join(', ')}.`,
    '',
  );
  p('### Districts not matched by identical name, and how each was resolved', '');
  p('| source name | code | gazetteer name | match | resolution |', '|---|---|---|---|---|');
  for (const c of r.crosswalk.filter((x) => x.match !== 'exact')) {
    p(`| ${c.source_name} | ${c.code || '-'} | ${c.name_en || '-'} | ${c.match} | ${c.note.replace(/\|/g, '/')} |`);
  }
  p('', 'The full table, with the note for every row, is `reference/district-crosswalk.csv`.', '');

  p('## Commune crosswalk (geoBoundaries ADM3 -> NCDD commune codes)', '');
  const cc = (k: string): number => r.communeCrosswalk.filter((c) => c.match === k).length;
  const communeCodes = new Set(r.communeCrosswalk.filter((c) => c.code !== '').map((c) => c.code));
  const communesWithout = r.gz.communes.filter((c) => !communeCodes.has(c.code));
  p(`The ${fmtInt(r.communeCrosswalk.length)} commune polygons (geoBoundaries KHM ADM3, Open Development Cambodia, 2014, simplified) carry only a`);
  p('name, and 124 names repeat. Each polygon\'s district is the shipped district holding its point on surface (no overlay); a');
  p('polygon is then paired only with a commune of that district, in passes of decreasing strictness, a code claimed by two');
  p('polygons in one pass going to neither. The candidate crosswalk shipped with the data');
  p('(`geoboundaries_KHM_ADM3_to_ncdd_commune_code.csv`, HDX P-code centroids placed in the polygons) is used as a hint only');
  p('in the spatial pass, and only when its code is a commune of the polygon\'s district in the gazetteer shipped here.', '');
  p('| match | meaning | communes |', '|---|---|---:|');
  p(`| exact | identical name, unique among the communes of the polygon's district | ${cc('exact')} |`);
  p(`| normalised | same name ignoring case, punctuation, Sangkat/Khum/Commune/Quarter | ${cc('normalised')} |`);
  p(`| spatial | names differ: the shipped crosswalk's code in the polygon's district, or romanisation folding among its communes | ${cc('spatial')} |`);
  p(`| manual | hand-written | ${cc('manual')} |`);
  p(`| unmatched | polygon left without a code (not shipped) | ${cc('unmatched')} |`);
  p(`| **total** | | **${fmtInt(r.communeCrosswalk.length)}** |`, '');
  const agree = r.communeCrosswalk.filter((c) => c.code !== '' && c.note.includes('shipped crosswalk')).length;
  p(`Spatial matches taken from the shipped crosswalk's hint: ${agree}. Gazetteer communes (2020) with no polygon: ${communesWithout.length}`);
  p('(communes created or renumbered after 2014, or whose polygon was left unmatched); a point there gets the commune of the polygon');
  p('it falls in, or none. They are listed in the details below.', '');
  p('### Commune polygons not matched by identical name', '');
  p('| source name | code | gazetteer name | match | resolution |', '|---|---|---|---|---|');
  for (const c of r.communeCrosswalk.filter((x) => x.match !== 'exact')) {
    p(`| ${c.source_name} | ${c.code || '-'} | ${c.name_en || '-'} | ${c.match} | ${c.note.replace(/\|/g, '/')} |`);
  }
  p('', 'The unmatched polygons are of two kinds: names cut at 20 characters and ending in "*" where two communes of the district');
  p('share the cut prefix (e.g. "Ruessei Srok Khang *", East or West), and communes split since 2014 (Phnom Penh\'s "Chaom Chau" became');
  p('"Chaom Chau 1/2/3 Sangkat"), whose one old polygon cannot be given to any single new code. They are left out rather than guessed.');
  p('', '<details><summary>gazetteer communes with no polygon</summary>', '');
  p(communesWithout.map((c) => `${c.code} ${c.name_en}`).join(', ') || 'none');
  p('', '</details>', '', 'The full table is `reference/commune-crosswalk.csv`.', '');

  p('## National outline', '');
  p('The source outline (WFP admin0) does not hold the provinces drawn by the same source: islands and coastline lie outside it,');
  p('so a hazard on Kep\'s islands was refused as "more than 10 km outside Cambodia" and island hazards got a false border note.');
  p('The shipped outline is the union (on the 1e-6 grid) of the source outline and every shipped province, district and commune;');
  p('the 10 km band used by the checks is built from it when loaded.', '');
  p(`Outline area: ${fmtKm2(r.outline.sourceAreaM2)} km2 as received (repaired), ${fmtKm2(r.outline.shippedAreaM2)} km2 shipped.`, '');
  p('| province | outside the source outline (km2) | outside the shipped outline (m2) |', '|---|---:|---:|');
  for (const x of r.outline.provinces) p(`| ${x.code} | ${fmtKm2(x.beforeM2)} | ${fmtM2(x.afterM2)} |`);
  p(`| **total** | **${fmtKm2(r.outline.provinces.reduce((t, x) => t + x.beforeM2, 0))}** | **${fmtM2(r.outline.provinces.reduce((t, x) => t + x.afterM2, 0))}** |`, '');
  p('Area of each level\'s shipped units outside the shipped outline (measured on the files read back):', '');
  p('| level | units | outside (m2) |', '|---|---:|---:|');
  for (const x of r.outline.afterByLevel) p(`| ${x.level} | ${x.units} | ${fmtM2(x.m2)} |`);
  p('');
  p('## Geometry validity and overlaps', '');
  p('Overlap = two units of the same level whose interiors share area (intersection computed with fixed precision 1e-9 degrees,');
  p('area geodesic: `ST_Area(geom::geography)`). Stages: **source** as read (overlaps measured on `ST_MakeValid` of invalid units);');
  p('**repaired** after `ST_MakeValid` and snapping to the 1e-6 degree grid of the output (`ST_ReducePrecision`); **shipped** the files');
  p('in `reference/` read back from disk, after the overlaps were removed in code order (each unit minus the union of the units');
  p('with a lower code, so each overlap belongs to the lower code). A per-unit `ST_Difference(a, b, 1e-6)` leaves sub-decimetre');
  p('slivers on a grid (snap-rounding bends the new edge while the neighbour keeps its own); the script therefore nodes all');
  p('boundaries of a level together on the grid, polygonises them into faces, gives each face to the lowest-code unit containing');
  p('it and rebuilds each unit with `ST_CoverageUnion`: neighbours share identical edges.', '');
  p('| level | stage | units | invalid | overlapping pairs | overlap area (m2) | total area (km2) | vertices | rings |', '|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const { level, stage, m } of r.measures) {
    p(`| ${level} | ${stage} | ${m.units} | ${m.invalid} | ${m.overlapPairs} | ${fmtM2(m.overlapAreaM2)} | ${fmtKm2(m.areaM2)} | ${fmtInt(m.vertices)} | ${fmtInt(m.rings)} |`);
  }
  p('');
  for (const { level, stage, m } of r.measures) {
    if (m.invalidReasons.length > 0) p(`Invalid ${level} geometries (${stage}): ${m.invalidReasons.join('; ')}.`, '');
  }
  for (const { level, stage, m } of r.measures.filter((x) => x.stage === 'source' && x.m.pairs.length > 0)) {
    p(`Largest overlaps between ${level} units (${stage}): ${m.pairs.slice(0, 10).map((x) => `${x.a}/${x.b} ${fmtM2(x.areaM2)} m2`).join(', ')}.`, '');
  }
  p('What the partition did, per level (faces of the common arrangement of all unit boundaries on the 1e-6 grid):', '');
  p('| level | faces | faces in 2+ units (overlaps, given to the lowest code) | their area (m2) | faces in no unit (dropped) | their area | units whose geometry changed | net area change (m2) |');
  p('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const { level, stats: s } of r.partitions) {
    const net = s.changed.reduce((t, c) => t + c.deltaM2, 0);
    p(`| ${level} | ${s.faces} | ${s.overlapFaces} | ${fmtM2(s.overlapFacesM2)} | ${s.gapFaces} | ${fmtArea(s.gapFacesM2)} | ${s.changed.length} | ${fmtDelta(net)} |`);
  }
  p('');
  for (const { level, stats: s } of r.partitions) {
    if (s.largestGaps.length > 0) {
      p(`Largest areas inside no ${level} unit: ${s.largestGaps.map((g) => `${fmtArea(g.areaM2)} around (${g.lon}, ${g.lat})`).join('; ')}.`);
    }
  }
  // The Great Lake is the only large hole; say so when the figures show it (centre of the lake about 104.1, 12.8).
  const lake = r.partitions.every((x) => x.stats.largestGaps.some((g) => g.areaM2 > 1e9 && Math.abs(g.lon - 104.1) < 0.5 && Math.abs(g.lat - 12.8) < 0.5));
  if (lake) p('The hole of about 2,550 km2 around (104.07, 12.84) is the Tonle Sap lake: every source layer leaves it out, so no unit covers it.');
  p('The other holes of the source country outline are mostly dissolve artefacts under 1 m2 that collapse on the grid (see the rings column).');
  p('Area changes of single units come from overlaps given to a lower code and from sub-decimetre slivers and gaps that the 1e-6');
  p('grid closes (snapping alone also reshapes the source slivers, hence the "repaired" rows); the largest changes:');
  p(`${r.partitions.flatMap((x) => x.stats.changed.map((c) => ({ ...c, level: x.level }))).sort((a, b) => Math.abs(b.deltaM2) - Math.abs(a.deltaM2) || a.key.localeCompare(b.key)).slice(0, 6).map((c) => `${c.level} ${c.key} ${fmtDelta(c.deltaM2)} m2`).join(', ') || 'none'}.`, '');

  p('### How the levels fit together', '');
  p('Provinces (WFP, government edition 2022), districts (Open Development Cambodia via geoBoundaries, simplified) and the country outline');
  p('(WFP) are independent drawings: each level is a partition on its own, but districts do not nest exactly in provinces.', '');
  const n = r.nesting;
  p('| figure | km2 |', '|---|---:|');
  p(`| country outline | ${fmtKm2(n.countryAreaM2)} |`);
  p(`| union of provinces | ${fmtKm2(n.provincesUnionAreaM2)} |`);
  p(`| union of districts | ${fmtKm2(n.districtsUnionAreaM2)} |`);
  p(`| country not covered by provinces | ${fmtKm2(n.countryNotInProvincesM2)} |`);
  p(`| provinces outside the country outline | ${fmtKm2(n.provincesNotInCountryM2)} |`);
  p(`| provinces not covered by districts | ${fmtKm2(n.provincesNotInDistrictsM2)} |`);
  p(`| districts outside all provinces | ${fmtKm2(n.districtsNotInProvincesM2)} |`);
  p(`| districts outside their own province (sum) | ${fmtKm2(n.districtOutsideOwnProvinceM2)} |`, '');
  p(`Districts with the largest share outside their own province: ${n.worst.slice(0, 5).map((w) => `${w.code} ${(w.share * 100).toFixed(2)}% (${fmtKm2(w.outsideM2)} km2)`).join(', ')}.`);
  p('Consequence: aggregate by district code (province = first two digits), or by province polygons, but do not expect a point in');
  p('district 0102 to fall inside province polygon 01 near the province borders.', '');

  p('## Gazetteer', '');
  p(`Entries: ${r.gz.provinces.length} provinces, ${r.gz.districts.length} districts, ${fmtInt(r.gz.communes.length)} communes, ${fmtInt(r.gz.villages.length)} villages`);
  p(`(expected ${EXPECTED.provinces} / ${EXPECTED.districts} / ${fmtInt(EXPECTED.communes)} / ${fmtInt(EXPECTED.villages)}).`, '');
  p('Codes normalised: province 2 digits, district 4 (source "000102" -> "0102"), commune 6 (source "10201" -> "010201"),');
  p('village 8. Every code was checked to start with its parent\'s code and to be unique in its level.', '');
  p(r.gzReport.anomalies.length === 0 ? 'Anomalies: none in counts, code nesting, duplicates or empty names.' : 'Anomalies (counts, code nesting, duplicates, empty names), and how each was handled:');
  for (const a of r.gzReport.anomalies) p(`- ${a}`);
  p('');
  p(`Names cleaned (${r.gzReport.cleanedNames.length}): zero-width spaces (U+200B) removed, runs of spaces collapsed, ends trimmed.`);
  p('The source text is otherwise kept as is (e.g. romanisations and Khmer spellings are not corrected).', '');
  p('<details><summary>cleaned names</summary>', '');
  for (const c of r.gzReport.cleanedNames) p(`- ${c}`);
  p('', '</details>', '');
  p(`Gaps in district numbering (informational: units that moved keep no code in their old parent, e.g. the Kampong Cham districts that formed Tboung Khmum in 2013): ${r.gzReport.codeGaps.join(', ') || 'none'}.`, '');
  p('### The current gazetteer (Pumi, 2025) against the one shipped (2020)', '');
  const pu = r.pumi;
  p('`pumi/communes.csv` and `pumi/villages.csv` (NCDD gazetteer scraped 2025-10-25) are newer, but they are **not** shipped yet:');
  p('they hold no district names, and their districts no longer match the district polygons (a district split or created since');
  p('has no polygon here). Shipping them needs district names and polygons for the new districts; the differences:', '');
  p('| level | shipped (2020) | Pumi (2025) | added | removed |', '|---|---:|---:|---:|---:|');
  p(`| districts | ${pu.districts.shipped} | ${pu.districts.pumi} | ${pu.districts.added.length} | ${pu.districts.removed.length} |`);
  p(`| communes | ${fmtInt(pu.communes.shipped)} | ${fmtInt(pu.communes.pumi)} | ${pu.communes.added.length} | ${pu.communes.removed.length} |`);
  p(`| villages | ${fmtInt(pu.villages.shipped)} | ${fmtInt(pu.villages.pumi)} | ${fmtInt(pu.villages.added)} | ${fmtInt(pu.villages.removed)} |`, '');
  p(`Districts added: ${pu.districts.added.join(', ') || 'none'}; removed: ${pu.districts.removed.join(', ') || 'none'}.`);
  p(`Villages added in the new districts: ${fmtInt(pu.villages.addedInNewDistricts)} (most additions are renumbering into new districts).`, '');
  p('<details><summary>commune codes added and removed</summary>', '');
  p(`Added: ${pu.communes.added.join(', ') || 'none'}.`, '');
  p(`Removed: ${pu.communes.removed.join(', ') || 'none'}.`);
  p('', '</details>', '');
  p('### Provinces: WFP 2022 attributes against the gazetteer (2020)', '');
  p('`reference/provinces.geojson` keeps the WFP names; `reference/gazetteer.json` keeps the gazetteer names. Differences:', '');
  for (const note of r.provinceNotes) p(`- ${note}`);
  if (r.provinceNotes.length === 0) p('- none');
  p('');

  p('## Files', '');
  p('| file | bytes |', '|---|---:|');
  for (const s of r.sizes) p(`| ${s.file} | ${fmtInt(s.bytes)} |`);
  p(`| **total** | **${fmtInt(r.sizes.reduce((t, s) => t + s.bytes, 0))}** |`, '');
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------------

function fileSizes(relPaths: string[]): Array<{ file: string; bytes: number }> {
  return relPaths.map((f) => ({ file: `reference/${f}`, bytes: statSync(join(REFERENCE_DIR, f)).size }));
}

async function loadGeometries(db: PGlite, provinces: ProvinceSource, districts: DistrictSource, communes: DistrictSource, country: unknown): Promise<void> {
  for (const f of provinces.features) await insertRaw(db, 'province', provinceCode(f.properties), f.geometry);
  for (const f of districts.features) await insertRaw(db, 'district', f.properties.shapeID, f.geometry);
  for (const f of communes.features) await insertRaw(db, 'commune', f.properties.shapeID, f.geometry);
  await insertRaw(db, 'country', 'KH', country);
}

async function main(): Promise<void> {
  const dataDir = resolve(process.argv[2] ?? join(REPO_ROOT, '..', 'shared', 'data'));
  const log = (msg: string): void => console.log(`[reference] ${msg}`);

  const provinceSrc = readJson(dataDir, SOURCES.provinces, provinceSource);
  const districtSrc = readJson(dataDir, SOURCES.districts, districtSource);
  const countrySrc = readJson(dataDir, SOURCES.country, countrySource);
  const communeSrc = readJson(dataDir, SOURCES.communes, districtSource);
  const communeHints = new Map(
    readCsv(dataDir, SOURCES.communeCrosswalk, ['shapeID', 'ncdd_commune_code', 'match']).map((r) => [r.shapeID!, { code: r.ncdd_commune_code === '' ? '' : (normaliseCode(r.ncdd_commune_code!, 6) ?? ''), match: r.match! }]),
  );
  const { gazetteer: gz, report: gzReport } = buildGazetteer(readJson(dataDir, SOURCES.gazetteer, gazetteerSource));
  log(`gazetteer: ${gz.provinces.length}/${gz.districts.length}/${gz.communes.length}/${gz.villages.length}, ${gzReport.anomalies.length} anomalies`);
  if (new Set(districtSrc.features.map((f) => f.properties.shapeID)).size !== districtSrc.features.length) {
    throw new Error('geoBoundaries shapeIDs are not unique');
  }
  if (new Set(communeSrc.features.map((f) => f.properties.shapeID)).size !== communeSrc.features.length) {
    throw new Error('geoBoundaries commune shapeIDs are not unique');
  }

  const db = await openDb();
  await loadGeometries(db, provinceSrc, districtSrc, communeSrc, countrySrc.geometry);
  const provinceLabel = (k: string): string => k;
  const districtNames = new Map(districtSrc.features.map((f) => [f.properties.shapeID, f.properties.shapeName]));
  const measures: ReportInput['measures'] = [];
  measures.push({ level: 'province', stage: 'source', m: await measureLayer(db, 'province', 'raw', provinceLabel) });
  measures.push({ level: 'district', stage: 'source', m: await measureLayer(db, 'district', 'raw', (k) => districtNames.get(k) ?? k) });
  const communeNames = new Map(communeSrc.features.map((f) => [f.properties.shapeID, f.properties.shapeName]));
  measures.push({ level: 'commune', stage: 'source', m: await measureLayer(db, 'commune', 'raw', (k) => communeNames.get(k) ?? k) });
  measures.push({ level: 'country', stage: 'source', m: await measureLayer(db, 'country', 'raw', provinceLabel) });
  log('measured sources');

  for (const level of ['province', 'district', 'commune', 'country'] as const) await cleanLayer(db, level);
  measures.push({ level: 'province', stage: 'repaired', m: await measureLayer(db, 'province', 'clean', provinceLabel) });
  measures.push({ level: 'district', stage: 'repaired', m: await measureLayer(db, 'district', 'clean', (k) => districtNames.get(k) ?? k) });
  measures.push({ level: 'commune', stage: 'repaired', m: await measureLayer(db, 'commune', 'clean', (k) => communeNames.get(k) ?? k) });
  measures.push({ level: 'country', stage: 'repaired', m: await measureLayer(db, 'country', 'clean', provinceLabel) });
  log('repaired and snapped to the grid');

  // Crosswalk: the WFP province holding most of each district polygon guards and narrows the name matching.
  const shapeIds = [...districtNames.keys()].sort();
  const dominant = await dominantProvinces(db, shapeIds);
  const sources: SourceDistrict[] = shapeIds.map((id) => ({ shapeId: id, shapeName: districtNames.get(id)!, ...dominant.get(id)! }));
  const crosswalk = matchDistricts(sources, gz.districts);
  const matched = crosswalk.filter((c) => c.code !== '');
  if (new Set(matched.map((c) => c.code)).size !== matched.length) throw new Error('a district code is paired with two polygons');
  log(`crosswalk: ${matched.length} of ${crosswalk.length} polygons matched`);

  // Partition each level in code order (district rows are keyed by shapeID, ordered by their matched code).
  const provinceCodes = provinceSrc.features.map((f) => provinceCode(f.properties)).sort();
  const districtKeys = matched.map((c) => c.source_id); // crosswalk is sorted by code
  const codeByKey = new Map(matched.map((c) => [c.source_id, c.code]));
  const districtStats = await partitionLayer(db, 'district', districtKeys);
  const partitions: ReportInput['partitions'] = [
    { level: 'province', stats: await partitionLayer(db, 'province', provinceCodes) },
    { level: 'district', stats: { ...districtStats, changed: districtStats.changed.map((c) => ({ ...c, key: codeByKey.get(c.key)! })) } },
  ];
  // Communes: each polygon's district is the partitioned district holding its point on surface.
  const districtOfCommune = await communeDistricts(db, codeByKey);
  const communeSources: SourceCommune[] = [...communeNames.keys()].sort().map((id) => ({
    shapeId: id, shapeName: communeNames.get(id)!, district: districtOfCommune.get(id) ?? '',
    hint: communeHints.get(id)?.code ?? '', hintMatch: communeHints.get(id)?.match ?? 'not in the shipped crosswalk',
  }));
  const communeCrosswalk = matchCommunes(communeSources, gz.communes);
  const communeMatched = communeCrosswalk.filter((c) => c.code !== '');
  if (new Set(communeMatched.map((c) => c.code)).size !== communeMatched.length) throw new Error('a commune code is paired with two polygons');
  log(`commune crosswalk: ${communeMatched.length} of ${communeCrosswalk.length} polygons matched`);
  const communeKeys = communeMatched.map((c) => c.source_id);
  const communeCodeByKey = new Map(communeMatched.map((c) => [c.source_id, c.code]));
  const communeStats = await partitionLayer(db, 'commune', communeKeys);
  partitions.push({ level: 'commune', stats: { ...communeStats, changed: communeStats.changed.map((c) => ({ ...c, key: communeCodeByKey.get(c.key)! })) } });
  // The national outline: partitioned as received, measured against the provinces, then widened to hold them all.
  await partitionLayer(db, 'country', ['KH']);
  const outsideBefore = await provincesOutsideCountry(db, 'final');
  const { sourceArea } = await queryOne<{ sourceArea: number }>(db, `select st_area(final::geography)::float8 as "sourceArea" from layer where level = 'country'`);
  await widenCountry(db);
  partitions.push({ level: 'country', stats: await partitionLayer(db, 'country', ['KH']) });
  log('partitioned');

  // Write the data files.
  const provinceGeoms = await finalGeometries(db, 'province', provinceCodes);
  const provinceProps = new Map(provinceSrc.features.map((f) => [provinceCode(f.properties), f.properties]));
  writeText(
    'provinces.geojson',
    featureCollectionText(
      provinceCodes.map((code) => ({
        properties: { code, name_en: cleanText(provinceProps.get(code)!.Adm1_Name), name_km: cleanText(provinceProps.get(code)!.Adm1_Name_) },
        geometry: provinceGeoms.get(code)!,
      })),
    ),
  );
  const districtGeoms = await finalGeometries(db, 'district', districtKeys);
  const gzDistrict = new Map(gz.districts.map((d) => [d.code, d]));
  writeText(
    'districts.geojson',
    featureCollectionText(
      matched.map((c) => ({
        properties: {
          code: c.code,
          province_code: c.province_code,
          name_en: gzDistrict.get(c.code)!.name_en,
          name_km: gzDistrict.get(c.code)!.name_km,
          source_name: c.source_name,
          match: c.match,
        },
        geometry: districtGeoms.get(c.source_id)!,
      })),
    ),
  );
  const countryGeom = (await finalGeometries(db, 'country', ['KH'])).get('KH')!;
  writeText('country.geojson', featureCollectionText([{ properties: { code: 'KH', name_en: 'Cambodia', name_km: 'កម្ពុជា' }, geometry: countryGeom }]));
  writeText('district-crosswalk.csv', crosswalkCsv(crosswalk));
  const communeGeoms = await finalGeometries(db, 'commune', communeKeys);
  const gzCommune = new Map(gz.communes.map((c) => [c.code, c]));
  writeText(
    'communes.geojson',
    featureCollectionText(
      communeMatched.map((c) => ({
        properties: {
          code: c.code,
          district_code: gzCommune.get(c.code)!.district_code,
          name_en: gzCommune.get(c.code)!.name_en,
          name_km: gzCommune.get(c.code)!.name_km,
          source_name: c.source_name,
          match: c.match,
        },
        geometry: communeGeoms.get(c.source_id)!,
      })),
    ),
  );
  writeText('commune-crosswalk.csv', crosswalkCsv(communeCrosswalk));
  writeText('version.json', `${JSON.stringify({ version: REFERENCE_VERSION })}\n`);
  writeText('gazetteer.json', gazetteerText(gz));
  writeText('organisations.json', organisationsText());
  // Copy the text, not the file: the sources are read-only and their mode must not travel with the copy.
  for (const l of LICENCE_COPIES) writeText(l.to, readFileSync(join(dataDir, l.from), 'utf8'));
  log('written');

  // Read the shipped files back and measure them: these are the "after" figures of the report.
  const keyByCode = new Map(matched.map((c) => [c.code, c.source_id]));
  await loadShipped(db, 'province', 'provinces.geojson', (code) => code);
  await loadShipped(db, 'district', 'districts.geojson', (code) => keyByCode.get(code) ?? `unknown ${code}`);
  const communeKeyByCode = new Map(communeMatched.map((c) => [c.code, c.source_id]));
  await loadShipped(db, 'commune', 'communes.geojson', (code) => communeKeyByCode.get(code) ?? `unknown ${code}`);
  await loadShipped(db, 'country', 'country.geojson', () => 'KH');
  const shippedProvinces = await measureLayer(db, 'province', 'shipped', provinceLabel);
  const shippedDistricts = await measureLayer(db, 'district', 'shipped', (k) => codeByKey.get(k) ?? k);
  const shippedCommunes = await measureLayer(db, 'commune', 'shipped', (k) => communeCodeByKey.get(k) ?? k);
  const shippedCountry = await measureLayer(db, 'country', 'shipped', provinceLabel);
  measures.push({ level: 'commune', stage: 'shipped', m: shippedCommunes });
  measures.push({ level: 'province', stage: 'shipped', m: shippedProvinces });
  measures.push({ level: 'district', stage: 'shipped', m: shippedDistricts });
  measures.push({ level: 'country', stage: 'shipped', m: shippedCountry });
  const levelOrder = ['province', 'district', 'commune', 'country'];
  measures.sort((a, b) => levelOrder.indexOf(a.level) - levelOrder.indexOf(b.level));
  for (const m of [shippedProvinces, shippedDistricts, shippedCommunes, shippedCountry]) {
    if (m.invalid > 0 || m.overlapPairs > 0) log(`WARNING: shipped geometries still have ${m.invalid} invalid units and ${m.overlapPairs} overlapping pairs`);
  }
  const nesting = await nestingFigures(db, codeByKey);
  const outsideAfter = await provincesOutsideCountry(db, 'shipped');
  const afterByLevel = await queryAll<{ level: string; m2: number; units: number }>(
    db,
    `select u.level, coalesce(sum(st_area(st_difference(u.shipped, k.shipped, ${MEASURE_GRID})::geography)), 0)::float8 as m2, count(*)::int as units
       from layer u, layer k where k.level = 'country' and u.level in ('province', 'district', 'commune') and u.shipped is not null
      group by u.level order by array_position(array['province', 'district', 'commune'], u.level)`,
  );
  if (afterByLevel.length !== 3) throw new Error(`outline check: ${afterByLevel.length} of 3 levels measured`);
  const outline: OutlineFigures = {
    provinces: provinceCodes.map((code) => ({ code, beforeM2: outsideBefore.get(code)!, afterM2: outsideAfter.get(code)! })),
    afterByLevel,
    sourceAreaM2: sourceArea,
    shippedAreaM2: shippedCountry.areaM2,
  };
  const pumi = comparePumi(dataDir, gz);
  const shareList = sources.filter((s) => codeByKey.has(s.shapeId)).map((s) => ({ code: codeByKey.get(s.shapeId)!, share: s.share }));
  const shares = {
    min: Math.min(...shareList.map((s) => s.share)),
    below90: shareList.filter((s) => s.share < 0.9).sort((a, b) => a.code.localeCompare(b.code)),
  };
  await db.close();

  const sizes = fileSizes([
    'provinces.geojson', 'districts.geojson', 'communes.geojson', 'country.geojson', 'district-crosswalk.csv', 'commune-crosswalk.csv',
    'gazetteer.json', 'organisations.json', 'version.json',
    ...LICENCE_COPIES.map((l) => l.to),
  ]);
  const provinceNotes = compareProvinces(provinceSrc, gz);
  mkdirSync(dirname(REPORT_PATH), { recursive: true });
  writeFileSync(REPORT_PATH, reportText({ gzReport, gz, provinceNotes, crosswalk, communeCrosswalk, outline, pumi, measures, partitions, nesting, shares, sizes }));
  log(`communes: ${['exact', 'normalised', 'spatial', 'manual', 'unmatched'].map((k) => `${k} ${communeCrosswalk.filter((c) => c.match === k).length}`).join(', ')}`);
  log(`report: docs/reference-data.md; matches ${['exact', 'normalised', 'spatial', 'manual', 'unmatched'].map((k) => `${k} ${crosswalk.filter((c) => c.match === k).length}`).join(', ')}`);
}

await main();
