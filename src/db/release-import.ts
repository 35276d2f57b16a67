// Bulk import of new land release activities: staged, checked against their hazards by PostGIS (the
// hazard exists, the released land touches it, how much lies outside), inserted, inside the caller's
// transaction. Accounting is refreshed by the caller once all chunks are in.
import type { Queryable } from './engine.ts';
import { difference, fromWkbHex, geodesicArea, polygonal } from './geometry-sql.ts';
import { KNOWN_INSIDE } from './accounting.ts';
import { hazardsSeen, type PendingRecords } from './pending-records.ts';

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
    area_m2 double precision, hazard_id bigint, hazard_version integer, inside boolean, target_id bigint) on commit drop`);
  await tx.query(`create temp table if not exists ${KNOWN_INSIDE} (
    release_id bigint primary key, hazard_id bigint not null, hazard_version integer not null, inside boolean not null) on commit drop`);
}

/** What PostGIS finds in one release's polygon and its hazard as committed: reads committed data only. */
export interface ReleaseMeasures {
  idx: number;
  invalid_reason: string | null;
  repaired: boolean;
  area_m2: number | null;
  /** The hazard (and its version) `inside` was measured against. */
  hazard_id: number | null;
  hazard_version: number | null;
  inside: boolean | null;
  /** Hex WKB of the repaired polygon; null when the polygon is kept as submitted. */
  repaired_wkb: string | null;
}

/**
 * The costly per-polygon work of a chunk (validity, repair, geodesic area, whether the release lies inside
 * its hazard): on the server it runs on a read-only connection of its own while the transaction writes the
 * previous chunk (docs/decisions/0011). `inside` is used only if the hazard is still at the version seen.
 */
export async function measureReleases(q: Queryable, records: Pick<StagedRelease, 'idx' | 'wkb' | 'hazard_ref'>[], repair: boolean, pending?: PendingRecords): Promise<ReleaseMeasures[]> {
  const result = await q.query<ReleaseMeasures>(
    `with parsed as materialized (
       select r.idx, r.hazard_ref, ${fromWkbHex('r.wkb')} as geom
       from json_to_recordset($1::json) as r(idx integer, hazard_ref text, wkb text)
     ),
     checked as materialized (
       select p.*, case when st_isvalid(p.geom) then null else st_isvalidreason(p.geom) end as reason from parsed p
     )
     select c.idx, c.reason as invalid_reason, false as repaired, case when c.reason is null then ${geodesicArea('c.geom')} end as area_m2,
            h.id as hazard_id, h.version as hazard_version,
            case when c.reason is null and h.id is not null then st_covers(h.geom, c.geom) end as inside, null::text as repaired_wkb
     from checked c left join ${hazardsSeen(pending)} h on h.ref = c.hazard_ref
     order by c.idx`,
    [JSON.stringify(records.map((r) => ({ idx: r.idx, hazard_ref: r.hazard_ref, wkb: r.wkb })))],
  );
  const measures = result.rows;
  const invalid = new Set(measures.filter((m) => m.invalid_reason !== null).map((m) => m.idx));
  // A repaired geometry replaces the submitted one only when asked (--repair).
  if (repair && invalid.size > 0) {
    const fixed = await q.query<ReleaseMeasures>(
      `with parsed as materialized (
         select r.idx, r.hazard_ref, ${polygonal(`st_makevalid(${fromWkbHex('r.wkb')}, 'method=structure')`)} as geom
         from json_to_recordset($1::json) as r(idx integer, hazard_ref text, wkb text)
       )
       select p.idx, h.id as hazard_id, h.version as hazard_version,
              case when h.id is not null and not st_isempty(p.geom) then ${geodesicArea('p.geom')} end as area_m2,
              case when h.id is not null and not st_isempty(p.geom) then st_covers(h.geom, p.geom) end as inside,
              encode(st_asbinary(p.geom), 'hex') as repaired_wkb
       from parsed p left join ${hazardsSeen(pending)} h on h.ref = p.hazard_ref`,
      [JSON.stringify(records.filter((r) => invalid.has(r.idx)).map((r) => ({ idx: r.idx, hazard_ref: r.hazard_ref, wkb: r.wkb })))],
    );
    const byIdx = new Map(fixed.rows.map((r) => [r.idx, r]));
    for (const m of measures) {
      const f = byIdx.get(m.idx);
      if (f) Object.assign(m, f, { repaired: true, invalid_reason: m.invalid_reason });
    }
  }
  return measures;
}

/**
 * A release polygon's own measures (validity, geodesic area), kept with a submission's item when checked;
 * and, when the submission also brings the hazard the release names, whether the release lies inside that
 * hazard's polygon, with a digest of the polygon it was measured against (`inside_of`). It holds for any
 * hazard whose stored polygon has the same digest, the hazard the submission creates included.
 */
export interface KeptReleaseMeasures {
  invalid_reason: string | null;
  area_m2: number | null;
  inside_of?: { hazard_digest: string; inside: boolean };
}

/** A release's polygon, and the ref of the hazard it names when the same submission brings that hazard. */
export interface ReleaseShape {
  idx: number;
  wkb: string;
  hazard_ref?: string;
}

/** The polygon of a hazard the submission brings, by its ref, for the releases that name it. */
export interface HazardShape {
  ref: string;
  wkb: string;
}

/**
 * A release polygon's own measures (validity, geodesic area, inside its sibling hazard), which need no
 * hazard of the record: a submission's check takes them on a connection of its own while its hazards are
 * still being written (docs/decisions/0018, 0021).
 */
export async function measureReleaseShapes(q: Queryable, records: ReleaseShape[], hazards: HazardShape[]): Promise<Map<number, KeptReleaseMeasures>> {
  if (records.length === 0) return new Map();
  // Each hazard's polygon is sent, parsed, tested and digested once, however many releases name it. It is
  // tested only when valid: an invalid one is refused with its item, and GEOS may fail on it. The digest is
  // of the polygon as the hazard import stores it (the same parsing); SHA-256, not MD5: an operator writes
  // the coordinates of both polygons, and MD5 collisions can be made to order.
  const result = await q.query<{ idx: number; invalid_reason: string | null; area_m2: number | null; hazard_digest: string | null; inside: boolean | null }>(
    `with hazards as materialized (
       select h.ref, g.geom, encode(sha256(st_asbinary(g.geom)), 'hex') as digest
       from json_to_recordset($2::json) as h(ref text, wkb text)
       cross join lateral (select ${fromWkbHex('h.wkb')} as geom) g
       where st_isvalid(g.geom)
     ),
     parsed as materialized (
       select r.idx, r.hazard_ref, ${fromWkbHex('r.wkb')} as geom
       from json_to_recordset($1::json) as r(idx integer, wkb text, hazard_ref text)
     ),
     checked as materialized (
       select p.*, case when st_isvalid(p.geom) then null else st_isvalidreason(p.geom) end as reason from parsed p
     )
     select c.idx, c.reason as invalid_reason, case when c.reason is null then ${geodesicArea('c.geom')} end as area_m2,
            case when c.reason is null then h.digest end as hazard_digest,
            case when c.reason is null and h.ref is not null then st_covers(h.geom, c.geom) end as inside
     from checked c left join hazards h on h.ref = c.hazard_ref`,
    [JSON.stringify(records), JSON.stringify(hazards)],
  );
  return new Map(result.rows.map(({ idx, invalid_reason, area_m2, hazard_digest, inside }) => [
    idx, { invalid_reason, area_m2, ...(hazard_digest !== null && inside !== null ? { inside_of: { hazard_digest, inside } } : {}) },
  ]));
}

/**
 * measureReleases for polygons whose validity and area an earlier check kept (no repair): only what
 * depends on the hazard as it is now (which one, its version, whether the release lies inside it) is
 * measured, which spares the costliest part, the geodesic area; and whether it lies inside is not tested
 * again when the hazard's polygon is the one the check tested it against (the same digest). The polygons
 * themselves are sent only for the releases that need the test (most need none: 14 MB for 4,000 releases).
 */
export async function measureKeptReleases(q: Queryable, records: Pick<StagedRelease, 'idx' | 'wkb' | 'hazard_ref'>[], kept: Map<number, KeptReleaseMeasures>, pending?: PendingRecords): Promise<ReleaseMeasures[]> {
  const valid = records.filter((r) => kept.get(r.idx)!.invalid_reason === null);
  const withShape = (r: Pick<StagedRelease, 'idx' | 'wkb' | 'hazard_ref'>, sendShape: boolean) => {
    const insideOf = kept.get(r.idx)!.inside_of;
    return { idx: r.idx, hazard_ref: r.hazard_ref, wkb: sendShape ? r.wkb : null, hazard_digest: insideOf?.hazard_digest ?? null, inside: insideOf?.inside ?? null };
  };
  // First without the polygons of releases measured against a hazard polygon: those whose hazard is still
  // that polygon need none. The others, and those whose hazard has another polygon now, go with theirs.
  const first = await hazardsNow(q, valid.map((r) => withShape(r, kept.get(r.idx)!.inside_of === undefined)), pending);
  const again = new Set(first.filter((f) => f.hazard_id !== null && f.inside === null).map((f) => f.idx));
  const second = again.size === 0 ? [] : await hazardsNow(q, valid.filter((r) => again.has(r.idx)).map((r) => withShape(r, true)), pending);
  const byIdx = new Map([...first, ...second].map((f) => [f.idx, f]));
  return records.map((r) => {
    const f = byIdx.get(r.idx);
    const { invalid_reason, area_m2 } = kept.get(r.idx)!;
    return { idx: r.idx, invalid_reason, area_m2, repaired: false, hazard_id: f?.hazard_id ?? null, hazard_version: f?.hazard_version ?? null, inside: f?.inside ?? null, repaired_wkb: null };
  });
}

/**
 * Each release's hazard as it is now, and whether the release lies inside it: kept when the hazard's polygon
 * has the digest it was measured against, else tested when the release's polygon is sent (null when not).
 */
async function hazardsNow(q: Queryable, rows: { idx: number; hazard_ref: string; wkb: string | null; hazard_digest: string | null; inside: boolean | null }[], pending: PendingRecords | undefined) {
  if (rows.length === 0) return [];
  // Each hazard named is digested once, however many releases name it.
  return (await q.query<{ idx: number; hazard_id: number | null; hazard_version: number | null; inside: boolean | null }>(
    `with r as materialized (
       select * from json_to_recordset($1::json) as r(idx integer, hazard_ref text, wkb text, hazard_digest text, inside boolean)
     ),
     h as materialized (
       select h.id, h.ref, h.version, h.geom, encode(sha256(st_asbinary(h.geom)), 'hex') as digest
       from ${hazardsSeen(pending)} h where h.ref in (select distinct hazard_ref from r)
     )
     select r.idx, h.id as hazard_id, h.version as hazard_version,
            case when h.id is null then null
                 when r.hazard_digest is not null and h.digest = r.hazard_digest then r.inside
                 when r.wkb is not null then st_covers(h.geom, ${fromWkbHex('r.wkb')}) end as inside
     from r left join h on h.ref = r.hazard_ref`,
    [JSON.stringify(rows)],
  )).rows;
}

export async function stageAndCheckReleases(tx: Queryable, records: StagedRelease[], measures: ReleaseMeasures[], pending?: PendingRecords): Promise<StagedReleaseCheck[]> {
  const hazards = hazardsSeen(pending);
  await tx.query('truncate release_stage');
  const byIdx = new Map(measures.map((m) => [m.idx, m]));
  const rows = records.map((r) => {
    const m = byIdx.get(r.idx)!;
    return {
      ...r, wkb: m.repaired_wkb ?? r.wkb, invalid_reason: m.invalid_reason, repaired: m.repaired, area_m2: m.area_m2,
      seen_hazard_id: m.hazard_id, seen_hazard_version: m.hazard_version, inside: m.inside,
    };
  });
  // The measures hold if the hazard is the one they were taken against, at the same version (a version
  // changes with every change of its geometry); otherwise they are taken again here.
  const usable = `(c.invalid_before is null or (c.repaired and not st_isempty(c.geom)))`;
  await tx.query(
    `with c as materialized (
       select r.idx, r.ref, r.hazard_ref, r.kind, r.method, r.operator_code, r.start_date, r.end_date, r.devices,
              ${fromWkbHex('r.wkb')} as geom, r.invalid_reason as invalid_before, r.repaired, r.area_m2,
              r.seen_hazard_id, r.seen_hazard_version, r.inside, r.target_ref
       from json_to_recordset($1::json) as r(idx integer, ref text, hazard_ref text, kind text, method text,
              operator_code text, start_date date, end_date date, devices jsonb, wkb text, target_ref text,
              invalid_reason text, repaired boolean, area_m2 double precision, seen_hazard_id bigint,
              seen_hazard_version integer, inside boolean)
     )
     insert into release_stage (idx, ref, hazard_ref, kind, method, operator_code, start_date, end_date, devices,
       geom, invalid_before, repaired, area_m2, hazard_id, hazard_version, inside, target_id)
     select c.idx, c.ref, c.hazard_ref, c.kind, c.method, c.operator_code, c.start_date, c.end_date, c.devices,
            c.geom, c.invalid_before, c.repaired,
            case when h.id is not distinct from c.seen_hazard_id and h.version is not distinct from c.seen_hazard_version then c.area_m2
                 when c.invalid_before is null then ${geodesicArea('c.geom')}
                 when c.repaired and h.id is not null and not st_isempty(c.geom) then ${geodesicArea('c.geom')} end,
            h.id, h.version,
            case when h.id is not distinct from c.seen_hazard_id and h.version is not distinct from c.seen_hazard_version then c.inside
                 when ${usable} and h.id is not null then st_covers(h.geom, c.geom) end,
            t.id
     from c left join ${hazards} h on h.ref = c.hazard_ref left join land_release t on t.ref = c.target_ref`,
    [JSON.stringify(rows)],
  );
  const staged = `(s.invalid_before is null or (s.repaired and not st_isempty(s.geom)))`;
  const result = await tx.query<StagedReleaseCheck>(
    `select s.idx, s.ref, s.hazard_ref, s.hazard_id, (select c.ref from ${hazards} c where c.id = h.combined_into) as hazard_combined_into,
            ${staged} as valid, s.invalid_before as invalid_reason,
            s.repaired and not st_isempty(s.geom) as repaired, s.area_m2,
            case when s.inside then true
                 when ${staged} and h.id is not null then st_intersects(s.geom, h.geom) and not st_touches(s.geom, h.geom) end as touches_hazard,
            case when s.inside then 0
                 when ${staged} and h.id is not null and st_intersects(s.geom, h.geom) then ${geodesicArea(difference('s.geom', 'h.geom'))}
            end as outside_m2,
            -- An update writes into its target; only a new release must bring a ref the record lacks.
            s.target_id is null and exists (select 1 from land_release r where r.ref = s.ref) as ref_exists
     from release_stage s left join ${hazards} h on h.id = s.hazard_id
     order by s.idx`,
  );
  return result.rows;
}

/** What writing staged releases changed. */
export interface WrittenReleases {
  /** Every hazard whose accounting changed, including the one an updated release moved away from. */
  hazardIds: number[];
  /** The releases inserted or updated. */
  releaseIds: number[];
}

/**
 * Writes the staged releases that passed every check (the caller decides which): new ones are inserted,
 * reconciled ones become a new version of their target.
 */
export async function writeStagedReleases(
  tx: Queryable,
  okIdx: number[],
  change: { changedBy: string; reason: string; batchId: number },
): Promise<WrittenReleases> {
  if (okIdx.length === 0) return { hazardIds: [], releaseIds: [] };
  // Whether each new release lies inside its hazard (and at which version of the hazard) is kept for the
  // accounting refresh, which then need not test it again (accounting.ts, KNOWN_INSIDE).
  const inserted = await tx.query<{ id: number; hazard_id: number }>(
    `with written as (
       insert into land_release (ref, hazard_id, kind, method, operator_code, start_date, end_date, devices, geom, area_m2,
         changed_by, change_reason, batch_id)
       select s.ref, s.hazard_id, s.kind, s.method, s.operator_code, s.start_date, s.end_date, coalesce(s.devices, '[]'::jsonb),
              s.geom, s.area_m2, $2, $3, $4
       from release_stage s where s.idx = any($1::int[]) and s.target_id is null order by s.idx
       returning id, ref, hazard_id
     ),
     known as (
       insert into ${KNOWN_INSIDE} (release_id, hazard_id, hazard_version, inside)
       select w.id, s.hazard_id, s.hazard_version, s.inside
       from written w join release_stage s on s.ref = w.ref
       where s.inside is not null and s.hazard_version is not null and s.hazard_id = w.hazard_id
     )
     select id, hazard_id from written`,
    [okIdx, change.changedBy, change.reason, change.batchId],
  );
  // The counted piece of an updated release is recomputed with its (maybe new) hazard.
  await tx.query(
    `delete from release_counted where release_id in (select target_id from release_stage where idx = any($1::int[]))`,
    [okIdx],
  );
  const updated = await tx.query<{ id: number; hazard_id: number; before_hazard_id: number }>(
    `update land_release r set hazard_id = s.hazard_id, kind = s.kind, method = s.method, operator_code = s.operator_code,
            start_date = s.start_date, end_date = s.end_date, devices = coalesce(s.devices, '[]'::jsonb), geom = s.geom,
            area_m2 = s.area_m2, changed_by = $2,
            change_reason = $3 || case when s.ref <> r.ref then ' (submitted as ' || s.ref || ')' else '' end, batch_id = $4
     from release_stage s, land_release before
     where s.idx = any($1::int[]) and s.target_id = r.id and before.id = r.id
     returning r.id, r.hazard_id, before.hazard_id as before_hazard_id`,
    [okIdx, change.changedBy, change.reason, change.batchId],
  );
  return {
    hazardIds: [...new Set([...inserted.rows.map((r) => r.hazard_id), ...updated.rows.flatMap((r) => [r.hazard_id, r.before_hazard_id])])],
    releaseIds: [...inserted.rows, ...updated.rows].map((r) => Number(r.id)),
  };
}

/**
 * The devices these releases list become EO finds (at the release's point on surface, marked approximate):
 * one SQL function makes them, for the releases of an import as for those migrated in 0005. Called for each
 * chunk as it is written, while its releases are fresh in memory: once for a whole large import, it read them
 * all back at the end.
 */
export async function writeDeviceFinds(tx: Queryable, releaseIds: number[], change: { changedBy: string; reason: string; batchId: number }): Promise<void> {
  if (releaseIds.length === 0) return;
  await tx.query(
    `select finds_from_release_devices(array(select id from land_release where id = any($1::bigint[]) and jsonb_array_length(devices) > 0), $2, $3, $4)`,
    [releaseIds, change.changedBy, change.reason, change.batchId],
  );
}
