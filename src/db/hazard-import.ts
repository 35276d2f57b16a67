// Bulk import of new hazards: records are staged in a temporary table, checked set-wise by PostGIS
// (validity, distance to the country, border crossing, duplicates), split by administrative unit, and
// inserted, all inside the caller's transaction.
import type { Queryable } from './engine.ts';
import { geodesicArea, difference, fromWkbHex, polygonal } from './geometry-sql.ts';
import { UNASSIGNED, unitSplitSelect, recomputeHazardTotals } from './accounting.ts';

export interface StagedHazard {
  idx: number;
  ref: string;
  type: string;
  contamination: string[];
  source: string;
  recorded_on: string;
  operator_code: string | null;
  village_code: string | null;
  notes: string | null;
  /** Hex WKB of the polygon (wkb.ts). */
  wkb: string;
  /** The official hazard this record updates (reconciliation), or null for a new hazard. */
  target_ref: string | null;
}

export interface StagedGeometryCheck {
  idx: number;
  ref: string;
  valid: boolean;
  invalid_reason: string | null;
  repaired: boolean;
  area_before_m2: number | null;
  area_m2: number | null;
  parts: number | null;
  within_10km: boolean | null;
  distance_km: number | null;
  crosses_border: boolean | null;
  outside_country_m2: number | null;
  ref_exists: boolean;
  village_province: string | null;
  village_district: string | null;
  province_code: string | null;
  district_code: string | null;
}

export async function createHazardStage(tx: Queryable): Promise<void> {
  await tx.query(`create temp table if not exists hazard_stage (
    idx integer primary key, ref text not null, type text, contamination text[], source text, recorded_on date,
    operator_code text, village_code text, notes text,
    geom geometry(MultiPolygon, 4326), invalid_reason text, repaired boolean not null default false,
    area_before_m2 double precision, area_m2 double precision, within_10km boolean, crosses_border boolean,
    province_code text, district_code text, ok boolean not null default false, target_id bigint) on commit drop`);
  await tx.query(`create temp table if not exists hazard_stage_share (
    idx integer not null, level text not null, unit_code text not null, m2 double precision not null) on commit drop`);
  await tx.query('create index if not exists hazard_stage_share_idx on hazard_stage_share (idx)');
}

// Measured on a valid polygon: its geodesic area, whether it stays within 10 km of the country and whether
// it crosses the border. The outline repeats on every row, so PostGIS prepares it once (geometry-sql.ts).
const measured = (geom: string) => `
  ${geodesicArea(geom)},
  st_covers(k.geom_within_10km, ${geom}),
  not st_covers(k.geom, ${geom})`;

/** Stages one chunk of records, checks their geometry and returns what was found per record. */
export async function stageAndCheckHazards(tx: Queryable, records: StagedHazard[], repair: boolean): Promise<StagedGeometryCheck[]> {
  await tx.query('truncate hazard_stage');
  await tx.query('truncate hazard_stage_share');
  // One pass: parse, validity, and for valid polygons the measures; invalid ones (rare) are handled below.
  // The CTEs are materialized so that each geometry is parsed once, not once per use.
  await tx.query(
    `with parsed as materialized (
       select r.*, ${fromWkbHex('r.wkb')} as geom
       from json_to_recordset($1::json) as r(idx integer, ref text, type text, contamination text[], source text,
              recorded_on date, operator_code text, village_code text, notes text, wkb text, target_ref text)
     ),
     checked as materialized (
       select p.*, case when st_isvalid(p.geom) then null else st_isvalidreason(p.geom) end as reason from parsed p
     )
     insert into hazard_stage (idx, ref, type, contamination, source, recorded_on, operator_code, village_code, notes,
       geom, invalid_reason, area_m2, within_10km, crosses_border, ok, target_id)
     select c.idx, c.ref, c.type, c.contamination, c.source, c.recorded_on, c.operator_code, c.village_code, c.notes,
            c.geom, c.reason, m.area_m2, m.within_10km, m.crosses_border, coalesce(m.area_m2 > 0, false), t.id
     from checked c
     cross join country k
     left join hazard t on t.ref = c.target_ref
     left join lateral (select ${measured('c.geom')}) as m(area_m2, within_10km, crosses_border) on c.reason is null`,
    [JSON.stringify(records)],
  );
  if (repair) {
    await tx.query(
      `update hazard_stage s set repaired = true, area_before_m2 = ${geodesicArea('st_makevalid(s.geom)')},
              geom = ${polygonal(`st_makevalid(s.geom, 'method=structure')`)}
       where s.invalid_reason is not null`,
    );
    await tx.query(
      `update hazard_stage s set (area_m2, within_10km, crosses_border) = (select ${measured('s.geom')})
       from country k where s.repaired and not st_isempty(s.geom)`,
    );
    await tx.query(`update hazard_stage set ok = true where repaired and area_m2 > 0`);
  }
  const result = await tx.query<StagedGeometryCheck>(
    `select s.idx, s.ref, s.invalid_reason is null as valid, s.invalid_reason, s.repaired, s.area_before_m2, s.area_m2,
            case when s.ok then st_numgeometries(s.geom) end as parts, s.within_10km, null::double precision as distance_km,
            s.crosses_border, null::double precision as outside_country_m2,
            -- An update writes into its target; only a new hazard must bring a ref the record lacks.
            s.target_id is null and exists (select 1 from hazard h where h.ref = s.ref) as ref_exists,
            null::text as village_province, null::text as village_district, null::text as province_code, null::text as district_code
     from hazard_stage s order by s.idx`,
  );
  const checks = result.rows;
  await measureBorderCases(tx, checks);
  return checks;
}

/** Outside areas and distances are costly on the national outline: measured only for the few that need them. */
async function measureBorderCases(tx: Queryable, checks: StagedGeometryCheck[]): Promise<void> {
  const crossing = checks.filter((c) => c.crosses_border).map((c) => c.idx);
  if (crossing.length === 0) return;
  const far = checks.filter((c) => c.within_10km === false).map((c) => c.idx);
  const result = await tx.query<{ idx: number; outside_m2: number; distance_km: number | null }>(
    `select s.idx, ${geodesicArea(difference('s.geom', 'k.geom'))} as outside_m2,
            case when s.idx = any($2::int[]) then
              (select max(st_distance((p).geom::geography, k.geom::geography)) from st_dumppoints(s.geom) p) / 1000
            end as distance_km
     from hazard_stage s cross join country k where s.idx = any($1::int[])`,
    [crossing, far],
  );
  const byIdx = new Map(result.rows.map((r) => [r.idx, r]));
  for (const check of checks) {
    const measured = byIdx.get(check.idx);
    if (!measured) continue;
    check.outside_country_m2 = measured.outside_m2;
    check.distance_km = measured.distance_km;
  }
}

/** Province and district of each staged hazard (the unit holding most of its area), and the village's. */
export async function assignStagedUnits(tx: Queryable, checks: StagedGeometryCheck[]): Promise<void> {
  await tx.query(
    `insert into hazard_stage_share (idx, level, unit_code, m2)
     select key, level, unit_code, m2 from (${unitSplitSelect('select idx as key, geom, area_m2 as total from hazard_stage where ok')}) split`,
  );
  // The unit holding most of the hazard's area; ties go to the smaller code.
  for (const level of ['province', 'district'] as const) {
    await tx.query(
      `update hazard_stage s set ${level}_code = best.unit_code
       from (select distinct on (idx) idx, unit_code from hazard_stage_share
             where level = $1 and unit_code <> '${UNASSIGNED}' order by idx, m2 desc, unit_code) best
       where best.idx = s.idx`,
      [level],
    );
  }
  const result = await tx.query<{ idx: number; province_code: string | null; district_code: string | null; village_province: string | null; village_district: string | null }>(
    `select s.idx, s.province_code, s.district_code, d.parent_code as village_province, c.parent_code as village_district
     from hazard_stage s
     left join admin_unit v on v.code = s.village_code
     left join admin_unit c on c.code = v.parent_code
     left join admin_unit d on d.code = c.parent_code
     where s.ok`,
  );
  const byIdx = new Map(result.rows.map((r) => [r.idx, r]));
  for (const check of checks) {
    const units = byIdx.get(check.idx);
    if (!units) continue;
    Object.assign(check, units);
  }
}

/**
 * Writes the staged hazards that passed every check: new ones are inserted, reconciled ones become a new
 * version of their target (which keeps its ref). Returns the ids of both; updated hazards already have
 * releases, so the caller refreshes their accounting.
 */
export async function writeStagedHazards(
  tx: Queryable,
  change: { changedBy: string; reason: string; batchId: number },
): Promise<{ inserted: number[]; updated: number[] }> {
  const inserted = await tx.query<{ id: number }>(
    `insert into hazard (ref, type, status, contamination, source, recorded_on, operator_code, province_code,
       district_code, commune_code, village_code, notes, geom, area_m2, changed_by, change_reason, batch_id)
     select s.ref, s.type, 'open', s.contamination, s.source, s.recorded_on, s.operator_code,
            s.province_code, s.district_code, (select v.parent_code from admin_unit v where v.code = s.village_code),
            s.village_code, s.notes, s.geom, s.area_m2, $1, $2, $3
     from hazard_stage s where s.ok and s.target_id is null
     order by s.idx
     returning id`,
    [change.changedBy, change.reason, change.batchId],
  );
  const ids = inserted.rows.map((r) => r.id);
  if (ids.length > 0) {
    await tx.query(
      `insert into hazard_unit_share (hazard_id, level, unit_code, original_m2, cancelled_m2, reduced_m2, cleared_m2)
       select h.id, x.level, x.unit_code, x.m2, 0, 0, 0
       from hazard_stage_share x join hazard_stage s on s.idx = x.idx join hazard h on h.ref = s.ref
       where s.target_id is null`,
    );
    await recomputeHazardTotals(tx, ids);
  }
  const updated = await tx.query<{ id: number }>(
    `update hazard h set type = s.type, contamination = s.contamination, source = s.source, recorded_on = s.recorded_on,
            operator_code = s.operator_code, province_code = s.province_code, district_code = s.district_code,
            commune_code = (select v.parent_code from admin_unit v where v.code = s.village_code),
            village_code = s.village_code, notes = s.notes, geom = s.geom, area_m2 = s.area_m2,
            changed_by = $1, change_reason = $2 || case when s.ref <> h.ref then ' (submitted as ' || s.ref || ')' else '' end,
            batch_id = $3
     from hazard_stage s where s.ok and s.target_id = h.id
     returning h.id`,
    [change.changedBy, change.reason, change.batchId],
  );
  const updatedIds = updated.rows.map((r) => r.id);
  if (updatedIds.length > 0) {
    await tx.query(
      `delete from hazard_unit_share where hazard_id = any($1::bigint[])`,
      [updatedIds],
    );
    await tx.query(
      `insert into hazard_unit_share (hazard_id, level, unit_code, original_m2, cancelled_m2, reduced_m2, cleared_m2)
       select s.target_id, x.level, x.unit_code, x.m2, 0, 0, 0
       from hazard_stage_share x join hazard_stage s on s.idx = x.idx
       where s.target_id is not null`,
    );
  }
  return { inserted: ids, updated: updatedIds };
}
