// Bulk import of new land release activities: staged, checked against their hazards by PostGIS (the
// hazard exists, the released land touches it, how much lies outside), inserted, inside the caller's
// transaction. Accounting is refreshed by the caller once all chunks are in.
import type { Queryable } from './engine.ts';
import { difference, fromWkbHex, geodesicArea, polygonal } from './geometry-sql.ts';

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
  /** Hex WKB of the polygon (wkb.ts). */
  wkb: string;
  /** The official release this record updates (reconciliation), or null for a new release. */
  target_ref: string | null;
}

export interface StagedReleaseCheck {
  idx: number;
  ref: string;
  hazard_ref: string;
  hazard_id: number | null;
  hazard_combined_into: string | null;
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
    operator_code text, start_date date, end_date date, devices jsonb,
    geom geometry(MultiPolygon, 4326), invalid_before text, repaired boolean not null default false,
    area_m2 double precision, hazard_id bigint, inside boolean, target_id bigint) on commit drop`);
}

export async function stageAndCheckReleases(tx: Queryable, records: StagedRelease[], repair: boolean): Promise<StagedReleaseCheck[]> {
  await tx.query('truncate release_stage');
  // One pass: parse, find the hazard, validity, area, and whether the release lies inside its hazard (the
  // usual case, which needs no overlay).
  await tx.query(
    `with parsed as materialized (
       select r.*, ${fromWkbHex('r.wkb')} as geom
       from json_to_recordset($1::json) as r(idx integer, ref text, hazard_ref text, kind text, method text,
              operator_code text, start_date date, end_date date, devices jsonb, wkb text, target_ref text)
     ),
     checked as materialized (
       select p.*, case when st_isvalid(p.geom) then null else st_isvalidreason(p.geom) end as reason from parsed p
     )
     insert into release_stage (idx, ref, hazard_ref, kind, method, operator_code, start_date, end_date, devices,
       geom, invalid_before, area_m2, hazard_id, inside, target_id)
     select c.idx, c.ref, c.hazard_ref, c.kind, c.method, c.operator_code, c.start_date, c.end_date, c.devices,
            c.geom, c.reason, case when c.reason is null then ${geodesicArea('c.geom')} end, h.id,
            case when c.reason is null and h.id is not null then st_covers(h.geom, c.geom) end, t.id
     from checked c left join hazard h on h.ref = c.hazard_ref left join land_release t on t.ref = c.target_ref`,
    [JSON.stringify(records)],
  );
  // A repaired geometry replaces the submitted one only when asked (--repair).
  if (repair) {
    await tx.query(
      `update release_stage s set repaired = true, geom = ${polygonal(`st_makevalid(s.geom, 'method=structure')`)}
       where s.invalid_before is not null`,
    );
    await tx.query(
      `update release_stage s set area_m2 = ${geodesicArea('s.geom')}, inside = st_covers(h.geom, s.geom)
       from hazard h where h.id = s.hazard_id and s.repaired and not st_isempty(s.geom)`,
    );
  }
  const usable = `(s.invalid_before is null or (s.repaired and not st_isempty(s.geom)))`;
  const result = await tx.query<StagedReleaseCheck>(
    `select s.idx, s.ref, s.hazard_ref, s.hazard_id, (select c.ref from hazard c where c.id = h.combined_into) as hazard_combined_into,
            ${usable} as valid, s.invalid_before as invalid_reason,
            s.repaired and not st_isempty(s.geom) as repaired, s.area_m2,
            case when s.inside then true
                 when ${usable} and h.id is not null then st_intersects(s.geom, h.geom) and not st_touches(s.geom, h.geom) end as touches_hazard,
            case when s.inside then 0
                 when ${usable} and h.id is not null and st_intersects(s.geom, h.geom) then ${geodesicArea(difference('s.geom', 'h.geom'))}
            end as outside_m2,
            -- An update writes into its target; only a new release must bring a ref the record lacks.
            s.target_id is null and exists (select 1 from land_release r where r.ref = s.ref) as ref_exists
     from release_stage s left join hazard h on h.id = s.hazard_id
     order by s.idx`,
  );
  return result.rows;
}

/**
 * Writes the staged releases that passed every check (the caller decides which): new ones are inserted,
 * reconciled ones become a new version of their target. Returns every hazard whose accounting changed,
 * including the one an updated release moved away from.
 */
export async function writeStagedReleases(
  tx: Queryable,
  okIdx: number[],
  change: { changedBy: string; reason: string; batchId: number },
): Promise<number[]> {
  if (okIdx.length === 0) return [];
  const inserted = await tx.query<{ hazard_id: number }>(
    `insert into land_release (ref, hazard_id, kind, method, operator_code, start_date, end_date, devices, geom, area_m2,
       changed_by, change_reason, batch_id)
     select s.ref, s.hazard_id, s.kind, s.method, s.operator_code, s.start_date, s.end_date, coalesce(s.devices, '[]'::jsonb),
            s.geom, s.area_m2, $2, $3, $4
     from release_stage s where s.idx = any($1::int[]) and s.target_id is null order by s.idx
     returning hazard_id`,
    [okIdx, change.changedBy, change.reason, change.batchId],
  );
  // The counted piece of an updated release is recomputed with its (maybe new) hazard.
  await tx.query(
    `delete from release_counted where release_id in (select target_id from release_stage where idx = any($1::int[]))`,
    [okIdx],
  );
  const updated = await tx.query<{ hazard_id: number; before_hazard_id: number }>(
    `update land_release r set hazard_id = s.hazard_id, kind = s.kind, method = s.method, operator_code = s.operator_code,
            start_date = s.start_date, end_date = s.end_date, devices = coalesce(s.devices, '[]'::jsonb), geom = s.geom,
            area_m2 = s.area_m2, changed_by = $2,
            change_reason = $3 || case when s.ref <> r.ref then ' (submitted as ' || s.ref || ')' else '' end, batch_id = $4
     from release_stage s, land_release before
     where s.idx = any($1::int[]) and s.target_id = r.id and before.id = r.id
     returning r.hazard_id, before.hazard_id as before_hazard_id`,
    [okIdx, change.changedBy, change.reason, change.batchId],
  );
  return [...new Set([...inserted.rows.map((r) => r.hazard_id), ...updated.rows.flatMap((r) => [r.hazard_id, r.before_hazard_id])])];
}
