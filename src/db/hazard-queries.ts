// Reading the official record: hazards with filters, one hazard with its releases, accounting and history.
import type { Queryable } from './engine.ts';
import { hazardKind } from '../kinds/hazard.ts';
import { recordHistory } from './record-history.ts';

export interface HazardFilter {
  province?: string;
  district?: string;
  type?: string;
  status?: string;
  contamination?: string;
  bbox?: [number, number, number, number];
  limit: number;
  offset: number;
}

function whereClause(filter: HazardFilter): { sql: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (condition: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(condition(`$${params.length}`));
  };
  if (filter.province) add((p) => `h.province_code = ${p}`, filter.province);
  if (filter.district) add((p) => `h.district_code = ${p}`, filter.district);
  if (filter.type) add((p) => `h.type = ${p}`, filter.type);
  // A hazard combined into another is history: listed only when asked for by its status.
  if (filter.status) add((p) => `h.status = ${p}`, filter.status);
  else conditions.push(`h.status <> 'combined'`);
  if (filter.contamination) add((p) => `${p} = any(h.contamination)`, filter.contamination);
  if (filter.bbox) add((p) => `h.geom && st_makeenvelope((${p}::float8[])[1], (${p}::float8[])[2], (${p}::float8[])[3], (${p}::float8[])[4], 4326)`, filter.bbox);
  return { sql: conditions.length > 0 ? `where ${conditions.join(' and ')}` : '', params };
}

const SUMMARY_COLUMNS = `h.ref, h.type, h.status, h.contamination, h.province_code, h.district_code, h.area_m2, h.version`;

export interface HazardSummary {
  ref: string;
  type: string;
  status: string;
  contamination: string[];
  province_code: string | null;
  district_code: string | null;
  area_m2: number;
  version: number;
}

export async function countHazards(db: Queryable, filter: HazardFilter): Promise<number> {
  const where = whereClause(filter);
  const result = await db.query<{ n: number }>(`select count(*)::int as n from hazard h ${where.sql}`, where.params);
  return result.rows[0]?.n ?? 0;
}

/** A page of hazards as a GeoJSON FeatureCollection text, built by PostGIS (fast for thousands). */
export async function hazardsGeoJson(db: Queryable, filter: HazardFilter): Promise<string> {
  const where = whereClause(filter);
  const params = [...where.params, filter.limit, filter.offset];
  const result = await db.query<{ features: string | null }>(
    `select json_agg(json_build_object('type', 'Feature', 'id', page.ref,
              'properties', json_build_object('ref', page.ref, 'type', page.type, 'status', page.status,
                'contamination', page.contamination, 'province_code', page.province_code,
                'district_code', page.district_code, 'area_m2', page.area_m2, 'version', page.version),
              'geometry', st_asgeojson(page.geom, 6)::json) order by page.ref)::text as features
     from (select ${SUMMARY_COLUMNS}, h.geom from hazard h ${where.sql}
           order by h.ref limit $${params.length - 1} offset $${params.length}) page`,
    params,
  );
  return result.rows[0]?.features ?? '[]';
}

export async function listHazards(db: Queryable, filter: HazardFilter): Promise<(HazardSummary & { geometry: unknown })[]> {
  const where = whereClause(filter);
  const params = [...where.params, filter.limit, filter.offset];
  const result = await db.query<HazardSummary & { geometry: string }>(
    `select ${SUMMARY_COLUMNS}, st_asgeojson(h.geom, 6) as geometry from hazard h ${where.sql}
     order by h.ref limit $${params.length - 1} offset $${params.length}`,
    params,
  );
  return result.rows.map((row) => ({ ...row, geometry: JSON.parse(row.geometry) as unknown }));
}

export interface HazardDetail {
  hazard: Record<string, unknown>;
  accounting: { original_m2: number; cancelled_m2: number; reduced_m2: number; cleared_m2: number; remaining_m2: number } | null;
  releases: Record<string, unknown>[];
  history: Record<string, unknown>[];
}

export async function hazardDetail(db: Queryable, ref: string): Promise<HazardDetail | null> {
  const hazard = await db.query<Record<string, unknown> & { id: number; geometry: string }>(
    `select h.id, h.ref, h.type, h.status, h.contamination, h.source, h.recorded_on, h.operator_code as operator,
            h.province_code, p.name_en as province_name_en, p.name_km as province_name_km,
            h.district_code, d.name_en as district_name_en, d.name_km as district_name_km,
            h.commune_code, h.village_code, v.name_en as village_name_en, v.name_km as village_name_km,
            h.notes, h.area_m2, h.version, h.changed_at, (select c.ref from hazard c where c.id = h.combined_into) as combined_into,
            st_asgeojson(h.geom, 6) as geometry
     from hazard h
     left join admin_unit p on p.code = h.province_code
     left join admin_unit d on d.code = h.district_code
     left join admin_unit v on v.code = h.village_code
     where h.ref = $1`,
    [ref],
  );
  const row = hazard.rows[0];
  if (!row) return null;
  const { id, geometry, ...fields } = row;
  const [accounting, releases, history] = await Promise.all([
    db.query<HazardDetail['accounting'] & object>(
      `select original_m2, cancelled_m2, reduced_m2, cleared_m2, remaining_m2 from hazard_accounting where hazard_id = $1`,
      [id],
    ),
    db.query(
      `select r.ref, r.kind, r.method, r.operator_code as operator, r.start_date, r.end_date, r.area_m2,
              coalesce(c.counted_m2, 0) as counted_m2, coalesce(c.outside_m2, 0) as outside_m2, r.devices, r.version,
              st_asgeojson(r.geom, 6)::json as geometry
       from land_release r left join release_counted c on c.release_id = r.id
       where r.hazard_id = $1 order by r.end_date, r.ref`,
      [id],
    ),
    recordHistory(db, hazardKind, ref, false),
  ]);
  return {
    hazard: { ...fields, geometry: JSON.parse(geometry) as unknown },
    accounting: accounting.rows[0] ?? null,
    releases: releases.rows,
    history: history ?? [],
  };
}

export interface ReleaseFilter {
  hazard?: string;
  operator?: string;
  kind?: string;
  limit: number;
  offset: number;
}

export async function listReleases(db: Queryable, filter: ReleaseFilter): Promise<{ items: Record<string, unknown>[]; total: number }> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (filter.hazard) { params.push(filter.hazard); conditions.push(`h.ref = $${params.length}`); }
  if (filter.operator) { params.push(filter.operator); conditions.push(`r.operator_code = $${params.length}`); }
  if (filter.kind) { params.push(filter.kind); conditions.push(`r.kind = $${params.length}`); }
  const where = conditions.length > 0 ? `where ${conditions.join(' and ')}` : '';
  const total = await db.query<{ n: number }>(`select count(*)::int as n from land_release r join hazard h on h.id = r.hazard_id ${where}`, params);
  const items = await db.query(
    `select r.ref, h.ref as hazard_ref, r.kind, r.method, r.operator_code as operator, r.start_date, r.end_date, r.area_m2,
            coalesce(c.counted_m2, 0) as counted_m2, coalesce(c.outside_m2, 0) as outside_m2, r.devices, r.version
     from land_release r join hazard h on h.id = r.hazard_id left join release_counted c on c.release_id = r.id
     ${where} order by r.ref limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, filter.limit, filter.offset],
  );
  return { items: items.rows, total: total.rows[0]?.n ?? 0 };
}

/**
 * A page of one level's units as GeoJSON features (a JSON array, built by PostgreSQL), by code, with how many
 * units the level (under `parent`) holds. A unit without geometry (a commune created after the 2014
 * boundaries) is a feature with a null geometry, so pages count units, not polygons.
 */
export async function adminUnitsGeoJson(db: Queryable, level: string, parent: string | undefined, page: { limit: number; offset: number }): Promise<{ features: string; count: number; total: number }> {
  const result = await db.query<{ features: string; count: number; total: number }>(
    `with chosen as (
       select u.code, u.level, u.name_en, u.name_km, u.parent_code, u.geom from admin_unit u
       where u.level = $1 and ($2::text is null or u.parent_code = $2)
       order by u.code limit $3 offset $4
     )
     select coalesce(json_agg(json_build_object(
              'type', 'Feature', 'id', c.code,
              'properties', json_build_object('code', c.code, 'pcode', 'KH' || c.code, 'level', c.level,
                'name_en', c.name_en, 'name_km', c.name_km, 'parent_code', c.parent_code),
              'geometry', st_asgeojson(c.geom, 6)::json) order by c.code), '[]'::json)::text as features,
            count(c.code)::int as count,
            (select count(*)::int from admin_unit u where u.level = $1 and ($2::text is null or u.parent_code = $2)) as total
     from chosen c`,
    [level, parent ?? null, page.limit, page.offset],
  );
  const row = result.rows[0];
  return row ?? { features: '[]', count: 0, total: 0 };
}

/** A page of one level's units (the direct children of `parent`), by code, with how many there are. */
export async function adminUnitsList(db: Queryable, level: string, parent: string | undefined, page: { limit: number; offset: number }): Promise<{ items: Record<string, unknown>[]; total: number }> {
  const where = `level = $1 and ($2::text is null or parent_code = $2)`;
  const items = await db.query(`select code, 'KH' || code as pcode, level, name_en, name_km, parent_code from admin_unit where ${where} order by code limit $3 offset $4`,
    [level, parent ?? null, page.limit, page.offset]);
  const total = await db.query<{ total: number }>(`select count(*)::int as total from admin_unit where ${where}`, [level, parent ?? null]);
  return { items: items.rows, total: total.rows[0]!.total };
}
