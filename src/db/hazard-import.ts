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
  /** Optional fields the item left out: an update keeps their values (an explicit null clears them). */
  kept: string[];
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
    operator_code text, village_code text, notes text, kept text[],
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

// Outside areas and distances are costly on the national outline: measured only for the few that need them.
const borderCases = (geom: string) => `
  case when m.crosses_border then ${geodesicArea(difference(geom, 'k.geom'))} end,
  case when m.within_10km = false then
    (select max(st_distance((p).geom::geography, k.geom::geography)) from st_dumppoints(${geom}) p) / 1000
  end`;

/** What PostGIS finds in one record's polygon alone: reads committed reference data only. */
export interface HazardMeasures {
  idx: number;
  invalid_reason: string | null;
  repaired: boolean;
  area_before_m2: number | null;
  area_m2: number | null;
  within_10km: boolean | null;
  crosses_border: boolean | null;
  outside_country_m2: number | null;
  distance_km: number | null;
  ok: boolean;
  /** Hex WKB of the repaired polygon; null when the polygon is kept as submitted. */
  repaired_wkb: string | null;
}

export interface UnitShare {
  idx: number;
  level: string;
  unit_code: string;
  m2: number;
}

export interface MeasuredHazards {
  measures: HazardMeasures[];
  shares: UnitShare[];
}

/**
 * One polygon's measures and its split by unit, kept with a submission's item when it is checked so that
 * its approval need not measure the same polygon again (docs/decisions/0018). They depend on the polygon
 * and the reference data only: the caller keeps the reference data version beside them.
 */
export interface KeptHazardMeasures {
  measure: Omit<HazardMeasures, 'idx'>;
  shares: Omit<UnitShare, 'idx'>[];
}

/** Each record's kept measures, by idx: what a fresh measureHazards with the split would give. */
export function keptToMeasured(kept: Map<number, KeptHazardMeasures>, idxs: number[]): MeasuredHazards & { split: boolean } {
  return {
    measures: idxs.map((idx) => ({ ...kept.get(idx)!.measure, idx })),
    shares: idxs.flatMap((idx) => kept.get(idx)!.shares.map((share) => ({ ...share, idx }))),
    split: true,
  };
}

/** The measures of a chunk, by idx, to keep (the shares read from the stage when they were split there). */
export async function measuredToKept(tx: Queryable, measured: MeasuredHazards & { split: boolean }): Promise<Map<number, KeptHazardMeasures>> {
  const shares = measured.split ? measured.shares : (await tx.query<UnitShare>('select idx, level, unit_code, m2 from hazard_stage_share')).rows;
  const kept = new Map<number, KeptHazardMeasures>();
  for (const { idx, ...measure } of measured.measures) kept.set(idx, { measure, shares: [] });
  for (const { idx, ...share } of shares) kept.get(idx)?.shares.push(share);
  return kept;
}

/**
 * The costly per-polygon work of a chunk (validity, repair, geodesic area, the national outline, the split
 * by province and district): it depends on nothing the import writes, so on the server it runs on a
 * read-only connection of its own while the transaction writes the previous chunk (docs/decisions/0011).
 */
export async function measureHazards(
  q: Queryable,
  records: Pick<StagedHazard, 'idx' | 'wkb'>[],
  repair: boolean,
  options: { split: boolean },
): Promise<MeasuredHazards & { split: boolean }> {
  // The CTEs are materialized so that each geometry is parsed once, not once per use. With the split, the
  // valid polygons are split by unit in the same statement (rows of a second shape): they are sent once.
  const split = options.split
    ? `union all
       select 'share', key, null, false, null, null, null, null, null, null, false, null, level, unit_code, m2
       from (${unitSplitSelect('select idx as key, geom, area_m2 as total from measured where ok')}) split`
    : '';
  const result = await q.query<HazardMeasures & { row_kind: 'measure' | 'share'; level: string | null; unit_code: string | null; m2: number | null }>(
    `with parsed as materialized (
       select r.idx, ${fromWkbHex('r.wkb')} as geom from json_to_recordset($1::json) as r(idx integer, wkb text)
     ),
     checked as materialized (
       select p.*, case when st_isvalid(p.geom) then null else st_isvalidreason(p.geom) end as reason from parsed p
     ),
     measured as materialized (
       select c.idx, c.geom, c.reason, m.area_m2, m.within_10km, m.crosses_border, b.outside_country_m2, b.distance_km,
              coalesce(m.area_m2 > 0, false) as ok
       from checked c
       cross join country k
       left join lateral (select ${measured('c.geom')}) as m(area_m2, within_10km, crosses_border) on c.reason is null
       left join lateral (select ${borderCases('c.geom')}) as b(outside_country_m2, distance_km) on c.reason is null
     )
     select 'measure' as row_kind, idx, reason as invalid_reason, false as repaired, null::double precision as area_before_m2,
            area_m2, within_10km, crosses_border, outside_country_m2, distance_km, ok, null::text as repaired_wkb,
            null::text as level, null::text as unit_code, null::double precision as m2
     from measured
     ${split}
     order by row_kind, idx`,
    [JSON.stringify(records.map((r) => ({ idx: r.idx, wkb: r.wkb })))],
  );
  const measures: HazardMeasures[] = [];
  const shares: UnitShare[] = [];
  for (const { row_kind, level, unit_code, m2, ...measure } of result.rows) {
    if (row_kind === 'measure') measures.push(measure);
    else shares.push({ idx: measure.idx, level: level!, unit_code: unit_code!, m2: m2! });
  }
  const invalid = new Set(measures.filter((m) => m.invalid_reason !== null).map((m) => m.idx));
  if (repair && invalid.size > 0) {
    const fixed = await q.query<HazardMeasures>(
      `with parsed as materialized (
         select r.idx, ${fromWkbHex('r.wkb')} as geom from json_to_recordset($1::json) as r(idx integer, wkb text)
       ),
       fixed as materialized (
         select p.idx, ${geodesicArea('st_makevalid(p.geom)')} as area_before_m2,
                ${polygonal(`st_makevalid(p.geom, 'method=structure')`)} as geom
         from parsed p
       )
       select f.idx, f.area_before_m2, m.area_m2, m.within_10km, m.crosses_border, b.outside_country_m2, b.distance_km,
              coalesce(m.area_m2 > 0, false) as ok, encode(st_asbinary(f.geom), 'hex') as repaired_wkb
       from fixed f
       cross join country k
       left join lateral (select ${measured('f.geom')}) as m(area_m2, within_10km, crosses_border) on not st_isempty(f.geom)
       left join lateral (select ${borderCases('f.geom')}) as b(outside_country_m2, distance_km) on not st_isempty(f.geom)`,
      [JSON.stringify(records.filter((r) => invalid.has(r.idx)).map((r) => ({ idx: r.idx, wkb: r.wkb })))],
    );
    const byIdx = new Map(fixed.rows.map((r) => [r.idx, r]));
    for (const m of measures) {
      const f = byIdx.get(m.idx);
      if (f) Object.assign(m, f, { repaired: true, invalid_reason: m.invalid_reason });
    }
  }
  // Without a connection of its own (embedded), the split waits for the stage (assignStagedUnits), which
  // spares sending every polygon to the database a second time.
  if (!options.split) return { measures, shares: [], split: false };
  // A repaired polygon is split as repaired.
  const splittable = measures.filter((m) => m.ok && m.repaired_wkb !== null).map((m) => ({ idx: m.idx, wkb: m.repaired_wkb!, total: m.area_m2 }));
  if (splittable.length === 0) return { measures, shares, split: true };
  const repairedShares = await q.query<UnitShare>(
    `select key as idx, level, unit_code, m2 from (${unitSplitSelect(
      `select r.idx as key, ${fromWkbHex('r.wkb')} as geom, r.total from json_to_recordset($1::json) as r(idx integer, wkb text, total double precision)`,
    )}) split`,
    [JSON.stringify(splittable)],
  );
  return { measures, shares: [...shares, ...repairedShares.rows], split: true };
}

/**
 * Stages one chunk of records with what measureHazards found for them, and returns what was found per
 * record, including what only the transaction can tell (a ref already in the official record).
 */
export async function stageAndCheckHazards(tx: Queryable, records: StagedHazard[], measured: MeasuredHazards): Promise<StagedGeometryCheck[]> {
  await tx.query('truncate hazard_stage');
  await tx.query('truncate hazard_stage_share');
  const byIdx = new Map(measured.measures.map((m) => [m.idx, m]));
  const rows = records.map((r) => {
    const m = byIdx.get(r.idx)!;
    return {
      ...r, wkb: m.repaired_wkb ?? r.wkb, invalid_reason: m.invalid_reason, repaired: m.repaired, area_before_m2: m.area_before_m2,
      area_m2: m.area_m2, within_10km: m.within_10km, crosses_border: m.crosses_border, ok: m.ok,
    };
  });
  await tx.query(
    `insert into hazard_stage (idx, ref, type, contamination, source, recorded_on, operator_code, village_code, notes, kept,
       geom, invalid_reason, repaired, area_before_m2, area_m2, within_10km, crosses_border, ok, target_id)
     select r.idx, r.ref, r.type, r.contamination, r.source, r.recorded_on, r.operator_code, r.village_code, r.notes, r.kept,
            ${fromWkbHex('r.wkb')}, r.invalid_reason, r.repaired, r.area_before_m2, r.area_m2, r.within_10km, r.crosses_border,
            r.ok, t.id
     from json_to_recordset($1::json) as r(idx integer, ref text, type text, contamination text[], source text,
            recorded_on date, operator_code text, village_code text, notes text, kept text[], wkb text, target_ref text,
            invalid_reason text, repaired boolean, area_before_m2 double precision, area_m2 double precision,
            within_10km boolean, crosses_border boolean, ok boolean)
     left join hazard t on t.ref = r.target_ref`,
    [JSON.stringify(rows)],
  );
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
  for (const check of checks) {
    const m = byIdx.get(check.idx);
    if (!m || !check.crosses_border) continue;
    check.outside_country_m2 = m.outside_country_m2;
    check.distance_km = m.distance_km;
  }
  return checks;
}

/** Province and district of each staged hazard (the unit holding most of its area), and the village's. */
export async function assignStagedUnits(tx: Queryable, checks: StagedGeometryCheck[], measured: { shares: UnitShare[]; split: boolean }): Promise<void> {
  const shares = measured.shares;
  if (!measured.split) {
    await tx.query(
      `insert into hazard_stage_share (idx, level, unit_code, m2)
       select key, level, unit_code, m2 from (${unitSplitSelect('select idx as key, geom, area_m2 as total from hazard_stage where ok')}) split`,
    );
  } else if (shares.length > 0) {
    await tx.query(
      `insert into hazard_stage_share (idx, level, unit_code, m2)
       select r.idx, r.level, r.unit_code, r.m2
       from json_to_recordset($1::json) as r(idx integer, level text, unit_code text, m2 double precision)`,
      [JSON.stringify(shares)],
    );
  }
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
  options: { accounting: boolean } = { accounting: true },
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
  // A check that is rolled back needs the hazards (its releases name them), not their figures.
  if (ids.length > 0 && options.accounting) {
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
            -- A field the item left out keeps its value: an update never loses data silently.
            operator_code = case when 'operator' = any(s.kept) then h.operator_code else s.operator_code end,
            province_code = s.province_code, district_code = s.district_code,
            commune_code = case when 'village_code' = any(s.kept) then h.commune_code
                                else (select v.parent_code from admin_unit v where v.code = s.village_code) end,
            village_code = case when 'village_code' = any(s.kept) then h.village_code else s.village_code end,
            notes = case when 'notes' = any(s.kept) then h.notes else s.notes end,
            geom = s.geom, area_m2 = s.area_m2,
            changed_by = $1, change_reason = $2 || case when s.ref <> h.ref then ' (submitted as ' || s.ref || ')' else '' end,
            batch_id = $3
     from hazard_stage s where s.ok and s.target_id = h.id
     returning h.id`,
    [change.changedBy, change.reason, change.batchId],
  );
  const updatedIds = updated.rows.map((r) => r.id);
  if (updatedIds.length > 0 && options.accounting) {
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
