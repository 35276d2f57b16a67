// Land release accounting, recomputed for the hazards a change touched, inside the change's transaction.
//
// Per hazard: original = cancelled + reduced + cleared + remaining. A release counts only inside its
// hazard; where releases of a hazard overlap, the one that ended first counts (ties by ref), so no m2 is
// counted twice; remaining is never negative. Figures are then split by province and district by area,
// with an 'unassigned' row for area in no unit, so unit rows always sum to the hazard.
import type { Queryable } from './engine.ts';
import { areaInPart, difference, geodesicArea, intersection, unionAggregate } from './geometry-sql.ts';

/** A hazard whose remaining area is below this (m2) is released: slivers from survey precision. */
export const RELEASED_BELOW_M2 = 0.5;

export const UNASSIGNED = 'unassigned';

/**
 * A temporary table (release_id, hazard_id, hazard_version, inside) a release import fills as it writes:
 * whether the release lies inside its hazard, tested once at staging. The refresh uses a row only while
 * the hazard is still at that version, so the answer is the one st_covers would give again.
 */
export const KNOWN_INSIDE = 'release_known_inside';

async function recomputeCountedReleases(tx: Queryable, hazardIds: number[], knownInside: boolean): Promise<void> {
  const inside = knownInside ? 'coalesce(ki.inside, st_covers(h.geom, r.geom))' : 'st_covers(h.geom, r.geom)';
  const known = knownInside
    ? `left join ${KNOWN_INSIDE} ki on ki.release_id = r.id and ki.hazard_id = h.id and ki.hazard_version = h.version`
    : '';
  await tx.query('delete from release_counted where hazard_id = any($1::bigint[])', [hazardIds]);
  await tx.query(
    `with clipped as (
       -- A release inside its hazard is its own piece; one covering the whole hazard is exactly the hazard
       -- (an overlay gives it back with a few cm2 of rounding, and remaining would not reach zero).
       select r.id, r.hazard_id, r.ref, r.end_date, r.area_m2, h.area_m2 as hazard_m2,
              case when c.inside then r.geom when c.covers then h.geom else ${intersection('r.geom', 'h.geom')} end as geom,
              c.inside, c.covers
       from land_release r join hazard h on h.id = r.hazard_id
       ${known}
       cross join lateral (select ${inside} as inside, st_covers(r.geom, h.geom) as covers) c
       where r.hazard_id = any($1::bigint[])
     ),
     ranked as (
       select c.*, row_number() over (partition by c.hazard_id order by c.end_date, c.ref) as rank
       from clipped c
     ),
     counted as (
       -- Earlier releases are subtracted as submitted, not clipped: the piece is already inside the hazard,
       -- so the result is the same, and the hazard index finds them without rescanning this batch.
       select k.*,
              case when k.rank = 1 then k.geom
                   else ${difference('k.geom', `(select ${unionAggregate('e.geom')} from land_release e
                          where e.hazard_id = k.hazard_id and (e.end_date, e.ref) < (k.end_date, k.ref))`)}
              end as counted_geom
       from ranked k
     ),
     measured as (
       select c.*,
              case when c.inside then c.area_m2 when c.covers then c.hazard_m2 else ${geodesicArea('c.geom')} end as inside_m2,
              case when c.rank = 1 and c.inside then c.area_m2 when c.rank = 1 and c.covers then c.hazard_m2 else ${geodesicArea('c.counted_geom')} end as raw_counted_m2
       from counted c
     ),
     capped as (
       -- Pieces are disjoint and inside the hazard, so they cannot sum past its area except by float
       -- rounding; the running cap keeps original = released + remaining exact.
       select m.*, coalesce(sum(m.raw_counted_m2) over (partition by m.hazard_id order by m.rank
                    rows between unbounded preceding and 1 preceding), 0) as before_m2
       from measured m
     )
     insert into release_counted (release_id, hazard_id, counted_geom, inside_m2, outside_m2, counted_m2)
     select id, hazard_id, counted_geom, inside_m2, greatest(area_m2 - inside_m2, 0),
            least(raw_counted_m2, greatest(hazard_m2 - before_m2, 0))
     from capped`,
    [hazardIds],
  );
}

export async function recomputeHazardTotals(tx: Queryable, hazardIds: number[]): Promise<void> {
  // known_since: the hazard counts from its recorded_on, or from the earliest recorded_on of the hazards
  // combined into it (the reports as of a date, land-release-report.ts).
  await tx.query(
    `with recursive merged (root, id, recorded_on) as (
       select h.id, h.id, h.recorded_on from hazard h where h.id = any($1::bigint[])
       union all
       select m.root, x.id, x.recorded_on from merged m join hazard x on x.combined_into = m.id
     ),
     known as (select root, min(recorded_on) as since from merged group by root)
     insert into hazard_accounting (hazard_id, original_m2, cancelled_m2, reduced_m2, cleared_m2, remaining_m2, known_since)
     select h.id, h.area_m2,
            coalesce(sum(c.counted_m2) filter (where r.kind = 'cancelled'), 0),
            coalesce(sum(c.counted_m2) filter (where r.kind = 'reduced'), 0),
            coalesce(sum(c.counted_m2) filter (where r.kind = 'cleared'), 0),
            greatest(h.area_m2 - coalesce(sum(c.counted_m2), 0), 0), k.since
     from hazard h
     join known k on k.root = h.id
     left join release_counted c on c.hazard_id = h.id
     left join land_release r on r.id = c.release_id and r.hazard_id = any($1::bigint[])
     where h.id = any($1::bigint[])
     group by h.id, h.area_m2, k.since
     on conflict (hazard_id) do update set
       original_m2 = excluded.original_m2, cancelled_m2 = excluded.cancelled_m2, reduced_m2 = excluded.reduced_m2,
       cleared_m2 = excluded.cleared_m2, remaining_m2 = excluded.remaining_m2, known_since = excluded.known_since`,
    [hazardIds],
  );
}

/**
 * Each geometry of `source` (columns key, geom, total: its exact area) split by province and district,
 * as rows (key, level, unit_code, m2) that sum to `total` exactly per key and level, with 'unassigned'
 * for area in no unit. Geodesic areas of overlay pieces do not add up to the whole to the last mm2 (a
 * cut edge is a straight line in degrees but a geodesic on the ellipsoid), so pieces are scaled to the
 * whole when they differ from it by rounding only (1e-6 relative), and never exceed it.
 */
export const unitSplitSelect = (source: string): string =>
  `with src as materialized (${source}),
   pairs as materialized (
     -- Ordered by part so that consecutive containment tests share the part, which PostGIS then prepares
     -- once (an index over its edges) instead of once per hazard.
     select g.key, g.total, g.geom, p.level, p.unit_code, p.geom as part
     from src g join admin_unit_part p
       -- Communes have parts too (for placing points), but land is accounted by province and district only.
       on p.level in ('province', 'district') and st_intersects(g.geom, p.geom)
     order by p.unit_code, p.part_no
   ),
   raw as (
     select key, level, unit_code, sum(${areaInPart('geom', 'part', 'total')}) as m2
     from pairs group by key, level, unit_code
   ),
   sums as (select key, level, sum(m2) as s from raw group by key, level),
   scaled as (
     select r.key, r.level, r.unit_code,
            r.m2 * case when s.s > g.total or g.total - s.s <= 1e-6 * g.total then g.total / s.s else 1 end as m2
     from raw r join sums s on s.key = r.key and s.level = r.level join src g on g.key = r.key
     where s.s > 0
   ),
   assigned as (select key, level, sum(m2) as m2 from scaled group by key, level),
   outside as (
     select g.key, l.level, '${UNASSIGNED}'::text as unit_code, g.total - coalesce(a.m2, 0) as m2
     from src g cross join (values ('province'), ('district')) as l(level)
     left join assigned a on a.key = g.key and a.level = l.level
   )
   select key, level, unit_code, m2 from scaled where m2 > 0
   union all
   select key, level, unit_code, m2 from outside where m2 > 0`;

/** Splits each hazard's original area by province and district; 'unassigned' takes what no unit holds. */
export async function recomputeHazardShares(tx: Queryable, hazardIds: number[]): Promise<void> {
  await tx.query('delete from hazard_unit_share where hazard_id = any($1::bigint[])', [hazardIds]);
  await tx.query(
    `insert into hazard_unit_share (hazard_id, level, unit_code, original_m2, cancelled_m2, reduced_m2, cleared_m2)
     select key, level, unit_code, m2, 0, 0, 0
     from (${unitSplitSelect('select id as key, geom, area_m2 as total from hazard where id = any($1::bigint[])')}) split`,
    [hazardIds],
  );
}

/**
 * The hazards (of $1) over several units at a level: their releases are split by overlay into
 * release_unit_share. Every other hazard lies in one province and one district, which its releases'
 * release_figures rows name: one rule decides both, so a release is counted in exactly one of them.
 */
const SPANNING_HAZARDS = `select hazard_id from hazard_unit_share
  where hazard_id = any($1::bigint[]) group by hazard_id, level having count(*) > 1`;

async function recomputeReleasedShares(tx: Queryable, hazardIds: number[]): Promise<void> {
  // A hazard wholly inside one unit (the usual case) gives that unit all it released: no overlay needed. A
  // hazard over several units starts from zero here and takes its figures below. One statement, and only
  // the rows whose figures change are written (a new hazard's shares already hold zeros).
  await tx.query(
    `update hazard_unit_share s
     set cancelled_m2 = n.cancelled_m2, reduced_m2 = n.reduced_m2, cleared_m2 = n.cleared_m2
     from (
       select x.hazard_id, x.level, x.unit_code,
              case when x.units = 1 then coalesce(a.cancelled_m2, 0) else 0 end as cancelled_m2,
              case when x.units = 1 then coalesce(a.reduced_m2, 0) else 0 end as reduced_m2,
              case when x.units = 1 then coalesce(a.cleared_m2, 0) else 0 end as cleared_m2
       from (select hazard_id, level, unit_code, count(*) over (partition by hazard_id, level) as units
             from hazard_unit_share where hazard_id = any($1::bigint[])) x
       left join hazard_accounting a on a.hazard_id = x.hazard_id
     ) n
     where s.hazard_id = n.hazard_id and s.level = n.level and s.unit_code = n.unit_code
       and (s.cancelled_m2, s.reduced_m2, s.cleared_m2) is distinct from (n.cancelled_m2, n.reduced_m2, n.cleared_m2)`,
    [hazardIds],
  );
  // Per release as well, for the figures as of a date (release_figures, release_unit_share: their old rows
  // went with their release_counted rows). A release of a hazard wholly in one province and one district
  // counts wholly there: its row names them (migration 0019). Joined tables are restricted by these hazards
  // on both sides (a release's counted row has its hazard): else the planner, its statistics taken before
  // the import, may read every release of the record for each chunk of hazards.
  await tx.query(
    `insert into release_figures (release_id, hazard_id, kind, method, operator_code, end_date, counted_m2, province_code, district_code)
     with single as (
       select hazard_id, min(unit_code) filter (where level = 'province') as province_code,
              min(unit_code) filter (where level = 'district') as district_code
       from hazard_unit_share where hazard_id = any($1::bigint[]) and hazard_id not in (${SPANNING_HAZARDS})
       group by hazard_id
     )
     select c.release_id, c.hazard_id, r.kind, r.method, r.operator_code, r.end_date, c.counted_m2, s.province_code, s.district_code
     from release_counted c join land_release r on r.id = c.release_id and r.hazard_id = any($1::bigint[])
     left join single s on s.hazard_id = c.hazard_id
     where c.hazard_id = any($1::bigint[]) and c.counted_m2 > 0`,
    [hazardIds],
  );
  // A hazard over several units: each counted release split by the units' parts, kept per release, and
  // summed per hazard and unit.
  await tx.query(
    `insert into release_unit_share (release_id, hazard_id, level, unit_code, counted_m2)
     with spanning as (select distinct hazard_id from (${SPANNING_HAZARDS}) h)
     select x.key, c.hazard_id, x.level, x.unit_code, x.m2
     from (${unitSplitSelect(`select c.release_id as key, c.counted_geom as geom, c.counted_m2 as total
                          from release_counted c join spanning sp on sp.hazard_id = c.hazard_id where c.counted_m2 > 0`)}) x
     join release_counted c on c.release_id = x.key`,
    [hazardIds],
  );
  await tx.query(
    `with spanning as (select distinct hazard_id from (${SPANNING_HAZARDS}) h),
     by_unit as (
       select x.hazard_id, x.level, x.unit_code,
              coalesce(sum(x.counted_m2) filter (where r.kind = 'cancelled'), 0) as cancelled_m2,
              coalesce(sum(x.counted_m2) filter (where r.kind = 'reduced'), 0) as reduced_m2,
              coalesce(sum(x.counted_m2) filter (where r.kind = 'cleared'), 0) as cleared_m2
       from release_unit_share x join spanning sp on sp.hazard_id = x.hazard_id
       join land_release r on r.id = x.release_id and r.hazard_id = any($1::bigint[])
       group by x.hazard_id, x.level, x.unit_code
     )
     insert into hazard_unit_share (hazard_id, level, unit_code, original_m2, cancelled_m2, reduced_m2, cleared_m2)
     select hazard_id, level, unit_code, 0, cancelled_m2, reduced_m2, cleared_m2 from by_unit
     on conflict (hazard_id, level, unit_code) do update set
       cancelled_m2 = excluded.cancelled_m2, reduced_m2 = excluded.reduced_m2, cleared_m2 = excluded.cleared_m2`,
    [hazardIds],
  );
}

/** The status a hazard's accounting row `a` gives it. */
export const computedStatus = (a: string): string =>
  `case when ${a}.remaining_m2 < ${RELEASED_BELOW_M2} then 'released'
        when ${a}.cancelled_m2 + ${a}.reduced_m2 + ${a}.cleared_m2 > 0 then 'in_progress'
        else 'open' end`;

/**
 * Sets each hazard's status from its accounting; a change of status is a new version of the hazard. A
 * status the authority set (status_source 'authority', e.g. reopened) is its judgement and is kept.
 */
async function updateStatuses(tx: Queryable, hazardIds: number[], changedBy: string, reason: string, batchId: number | null): Promise<number> {
  const result = await tx.query(
    `update hazard h set status = n.status, changed_by = $2, change_reason = $3, batch_id = $4
     from (
       select a.hazard_id, ${computedStatus('a')} as status
       from hazard_accounting a where a.hazard_id = any($1::bigint[])
     ) n
     where n.hazard_id = h.id and n.status <> h.status and h.status_source = 'computed'`,
    [hazardIds, changedBy, reason, batchId],
  );
  return result.rowCount;
}

export interface AccountingChange {
  changedBy: string;
  reason: string;
  batchId: number | null;
  /** The transaction holds KNOWN_INSIDE (a release import): containment already tested is not tested again. */
  knownInside?: boolean;
}

/** Recomputes everything derived for these hazards after their releases changed. */
export async function refreshAccounting(tx: Queryable, hazardIds: number[], change: AccountingChange): Promise<{ statusChanges: number }> {
  if (hazardIds.length === 0) return { statusChanges: 0 };
  await recomputeCountedReleases(tx, hazardIds, change.knownInside ?? false);
  await recomputeHazardTotals(tx, hazardIds);
  await recomputeReleasedShares(tx, hazardIds);
  const statusChanges = await updateStatuses(tx, hazardIds, change.changedBy, change.reason, change.batchId);
  return { statusChanges };
}

/** For new hazards (no releases yet): totals and unit shares of their original area. */
export async function initialiseAccounting(tx: Queryable, hazardIds: number[]): Promise<void> {
  if (hazardIds.length === 0) return;
  await recomputeHazardTotals(tx, hazardIds);
  await recomputeHazardShares(tx, hazardIds);
}
