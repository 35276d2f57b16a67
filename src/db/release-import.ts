// Bulk import of new land release activities: staged, checked against their hazards by PostGIS (the
// hazard exists, the released land touches it, how much lies outside), inserted, inside the caller's
// transaction. Accounting is refreshed by the caller once all chunks are in.
import type { Queryable } from './engine.ts';
import { difference, fromGeoJson, geodesicArea } from './geometry-sql.ts';

export interface StagedRelease {
  idx: number;
  ref: string;
  hazard_ref: string;
  kind: string;
  method: string;
  operator_code: string;
  start_date: string;
  end_date: string;
  devices: unknown[];
  geometry: string;
}

export interface StagedReleaseCheck {
  idx: number;
  ref: string;
  hazard_ref: string;
  hazard_id: number | null;
  valid: boolean;
  invalid_reason: string | null;
  repaired: boolean;
  area_m2: number | null;
  touches_hazard: boolean | null;
  outside_m2: number | null;
  ref_exists: boolean;
}

export async function createReleaseStage(tx: Queryable): Promise<void> {
  await tx.query(`create temp table if not exists release_stage (
    idx integer primary key, ref text not null, hazard_ref text not null, kind text, method text,
    operator_code text, start_date date, end_date date, devices jsonb, geometry text,
    geom geometry(MultiPolygon, 4326), invalid_before text, area_m2 double precision, hazard_id bigint,
    ok boolean not null default false) on commit drop`);
}

export async function stageAndCheckReleases(tx: Queryable, records: StagedRelease[], repair: boolean): Promise<StagedReleaseCheck[]> {
  await tx.query('truncate release_stage');
  await tx.query(
    `insert into release_stage (idx, ref, hazard_ref, kind, method, operator_code, start_date, end_date, devices, geometry)
     select idx, ref, hazard_ref, kind, method, operator_code, start_date, end_date, devices, geometry
     from jsonb_to_recordset($1::jsonb) as r(idx integer, ref text, hazard_ref text, kind text, method text,
       operator_code text, start_date date, end_date date, devices jsonb, geometry text)`,
    [JSON.stringify(records)],
  );
  await tx.query(`update release_stage set geom = ${fromGeoJson('geometry')}, geometry = null`);
  await tx.query(
    `update release_stage s set hazard_id = h.id from hazard h where h.ref = s.hazard_ref`,
  );
  await tx.query(`update release_stage set invalid_before = st_isvalidreason(geom) where not st_isvalid(geom)`);
  // A repaired geometry replaces the submitted one only when asked (--repair).
  await tx.query(
    `update release_stage s set geom = st_multi(st_collectionextract(st_makevalid(s.geom, 'method=structure'), 3))
     where $1::boolean and not st_isvalid(s.geom)`,
    [repair],
  );
  const result = await tx.query<StagedReleaseCheck>(
    `select s.idx, s.ref, s.hazard_ref, s.hazard_id,
            st_isvalid(s.geom) as valid,
            coalesce(s.invalid_before, case when st_isvalid(s.geom) then null else st_isvalidreason(s.geom) end) as invalid_reason,
            (s.invalid_before is not null and st_isvalid(s.geom) and not st_isempty(s.geom)) as repaired,
            case when st_isvalid(s.geom) and not st_isempty(s.geom) then ${geodesicArea('s.geom')} end as area_m2,
            case when st_isvalid(s.geom) and h.id is not null
                 then st_intersects(s.geom, h.geom) and not st_touches(s.geom, h.geom) end as touches_hazard,
            case when st_isvalid(s.geom) and h.id is not null and st_intersects(s.geom, h.geom)
                 then case when st_covers(h.geom, s.geom) then 0 else ${geodesicArea(difference('s.geom', 'h.geom'))} end
            end as outside_m2,
            exists (select 1 from land_release r where r.ref = s.ref) as ref_exists
     from release_stage s left join hazard h on h.id = s.hazard_id`,
  );
  return result.rows;
}

/** Marks which staged releases passed every check (the caller decides), then inserts them. */
export async function insertStagedReleases(
  tx: Queryable,
  okIdx: number[],
  change: { changedBy: string; reason: string; batchId: number },
): Promise<number[]> {
  if (okIdx.length === 0) return [];
  await tx.query(`update release_stage s set ok = true, area_m2 = ${geodesicArea('s.geom')} where s.idx = any($1::int[])`, [okIdx]);
  const inserted = await tx.query<{ hazard_id: number }>(
    `insert into land_release (ref, hazard_id, kind, method, operator_code, start_date, end_date, devices, geom, area_m2,
       changed_by, change_reason, batch_id)
     select s.ref, s.hazard_id, s.kind, s.method, s.operator_code, s.start_date, s.end_date, coalesce(s.devices, '[]'::jsonb),
            s.geom, s.area_m2, $1, $2, $3
     from release_stage s where s.ok order by s.idx
     returning hazard_id`,
    [change.changedBy, change.reason, change.batchId],
  );
  return [...new Set(inserted.rows.map((r) => r.hazard_id))];
}
