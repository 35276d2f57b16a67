// Land release totals by one dimension, summed from the precomputed accounting tables (accounting.ts),
// so a national report is a few aggregates, not overlays at read time.
import type { Queryable } from './engine.ts';
import type { ReportDimension } from '../domain/land-release-figures.ts';
import { UNASSIGNED } from './accounting.ts';

export interface RawReportRow {
  unit_code: string;
  unit_name: string;
  unit_name_km: string | null;
  original_m2: number;
  cancelled_m2: number;
  reduced_m2: number;
  cleared_m2: number;
}

const SUMS = `coalesce(sum(original_m2), 0) as original_m2, coalesce(sum(cancelled_m2), 0) as cancelled_m2,
              coalesce(sum(reduced_m2), 0) as reduced_m2, coalesce(sum(cleared_m2), 0) as cleared_m2`;

// Every unit of the level is listed (a province with no hazard shows zeros); 'unassigned' only when it holds area.
const byUnit = `
  select u.code as unit_code, u.name_en as unit_name, u.name_km as unit_name_km, ${SUMS}
  from admin_unit u left join hazard_unit_share s on s.level = u.level and s.unit_code = u.code
  where u.level = $1
  group by u.code, u.name_en, u.name_km
  union all
  select '${UNASSIGNED}', 'Unassigned', 'មិនបានកំណត់', ${SUMS}
  from hazard_unit_share s where s.level = $1 and s.unit_code = '${UNASSIGNED}'
  having count(*) > 0
  order by 1`;

// Operator, year and method belong to a release, not to a hazard: each row holds the land released by
// that operator (in that year, by that method), and the land not released yet is the row 'unassigned'.
// Every row then balances, and the rows sum to the national total.
function byRelease(releaseKey: string, names: string): string {
  return `
  with released as (
    select ${releaseKey} as k,
           coalesce(sum(c.counted_m2) filter (where r.kind = 'cancelled'), 0) as cancelled_m2,
           coalesce(sum(c.counted_m2) filter (where r.kind = 'reduced'), 0) as reduced_m2,
           coalesce(sum(c.counted_m2) filter (where r.kind = 'cleared'), 0) as cleared_m2
    from release_counted c join land_release r on r.id = c.release_id
    group by 1
  ),
  rows as (
    select k, cancelled_m2 + reduced_m2 + cleared_m2 as original_m2, cancelled_m2, reduced_m2, cleared_m2 from released
    union all
    select '${UNASSIGNED}', coalesce(sum(remaining_m2), 0), 0, 0, 0 from hazard_accounting having sum(remaining_m2) > 0
  )
  select rows.k as unit_code, ${names}, original_m2, cancelled_m2, reduced_m2, cleared_m2
  from rows order by 1`;
}

const QUERIES: Record<ReportDimension, string> = {
  province: byUnit,
  district: byUnit,
  operator: byRelease(
    'r.operator_code',
    `coalesce((select o.name from organisation o where o.code = rows.k), 'Not released yet') as unit_name, null as unit_name_km`,
  ),
  year: byRelease(`extract(year from r.end_date)::int::text`, `case when rows.k = '${UNASSIGNED}' then 'Not released yet' else rows.k end as unit_name, null as unit_name_km`),
  method: byRelease('r.method', `case when rows.k = '${UNASSIGNED}' then 'Not released yet' else rows.k end as unit_name, null as unit_name_km`),
  contamination: `
    select array_to_string(h.contamination, '+') as unit_code, array_to_string(h.contamination, '+') as unit_name,
           null as unit_name_km, ${SUMS}
    from hazard_accounting a join hazard h on h.id = a.hazard_id
    group by 1 order by 1`,
};

/**
 * The hazards that count as of the date (the parameter `date`), as the record knows them now (current
 * versions): those in the record (combined ones have no accounting row) known by then: recorded on or
 * before it, or replacing by a combine a hazard that was (hazard_accounting.known_since, accounting.ts).
 * The record now knows a combined hazard's land as the hazard that replaced it, whose polygon counts from
 * the earliest of their recorded dates.
 */
export const hazardsAsOf = (date: string): string => `
  hazard_as_of as (
    select a.hazard_id, a.original_m2 from hazard_accounting a where a.known_since <= ${date}::date
  )`;

/**
 * The releases that count as of the date (the parameter `date`): ended on or before it, on a hazard that
 * counts then. What each counts is release_counted as it stands: the one that ended first counts, so a
 * release's counted part never depends on a release that ended after it (docs/land-release-accounting.md).
 */
export const releasesAsOf = (date: string): string => `
  release_as_of as (
    select f.release_id, f.hazard_id, f.counted_m2, f.kind, f.method, f.operator_code, f.end_date, f.province_code, f.district_code
    from release_figures f join hazard_as_of k on k.hazard_id = f.hazard_id
    where f.end_date <= ${date}::date
  )`;

const KIND_SUMS = (m2: string) => `coalesce(sum(${m2}) filter (where kind = 'cancelled'), 0) as cancelled_m2,
              coalesce(sum(${m2}) filter (where kind = 'reduced'), 0) as reduced_m2,
              coalesce(sum(${m2}) filter (where kind = 'cleared'), 0) as cleared_m2`;

// Per hazard as of the date: its original, and what the releases that had ended by then counted. The
// counted pieces are a prefix of the hazard's releases in precedence order, so they never pass the original.
const HAZARD_FIGURES_AS_OF = `
  hazard_figures as (
    select k.hazard_id, k.original_m2, coalesce(x.cancelled_m2, 0) as cancelled_m2,
           coalesce(x.reduced_m2, 0) as reduced_m2, coalesce(x.cleared_m2, 0) as cleared_m2,
           greatest(k.original_m2 - coalesce(x.cancelled_m2 + x.reduced_m2 + x.cleared_m2, 0), 0) as remaining_m2
    from hazard_as_of k
    left join (select hazard_id, ${KIND_SUMS('counted_m2')} from release_as_of group by hazard_id) x on x.hazard_id = k.hazard_id
  )`;

// By unit: each hazard's original split by its area in each unit (hazard_unit_share), and each release's
// counted part: wholly in its hazard's unit when the hazard lies in one (release_figures), else split the
// same way as its hazard (release_unit_share).
const byUnitAsOf = `
  with ${hazardsAsOf('$1')}, ${releasesAsOf('$1')},
  pieces as (
    select s.unit_code, s.original_m2, 'original'::text as kind, 0::double precision as counted_m2
    from hazard_unit_share s join hazard_as_of k on k.hazard_id = s.hazard_id where s.level = $2
    union all
    select x.unit_code, 0, r.kind, x.counted_m2
    from release_unit_share x join release_as_of r on r.release_id = x.release_id where x.level = $2
    union all
    select case when $2 = 'province' then r.province_code else r.district_code end, 0, r.kind, r.counted_m2
    from release_as_of r where r.province_code is not null
  ),
  by_unit as (
    select unit_code, sum(original_m2) as original_m2, ${KIND_SUMS('counted_m2')} from pieces group by unit_code
  )
  select u.code as unit_code, u.name_en as unit_name, u.name_km as unit_name_km,
         coalesce(b.original_m2, 0) as original_m2, coalesce(b.cancelled_m2, 0) as cancelled_m2,
         coalesce(b.reduced_m2, 0) as reduced_m2, coalesce(b.cleared_m2, 0) as cleared_m2
  from admin_unit u left join by_unit b on b.unit_code = u.code
  where u.level = $2
  union all
  select '${UNASSIGNED}', 'Unassigned', 'មិនបានកំណត់', original_m2, cancelled_m2, reduced_m2, cleared_m2
  from by_unit where unit_code = '${UNASSIGNED}'
  order by 1`;

function byReleaseAsOf(releaseKey: string, names: string): string {
  return `
  with ${hazardsAsOf('$1')}, ${releasesAsOf('$1')}, ${HAZARD_FIGURES_AS_OF},
  released as (
    select ${releaseKey} as k, ${KIND_SUMS('counted_m2')} from release_as_of r group by 1
  ),
  rows as (
    select k, cancelled_m2 + reduced_m2 + cleared_m2 as original_m2, cancelled_m2, reduced_m2, cleared_m2 from released
    union all
    select '${UNASSIGNED}', coalesce(sum(remaining_m2), 0), 0, 0, 0 from hazard_figures having sum(remaining_m2) > 0
  )
  select rows.k as unit_code, ${names}, original_m2, cancelled_m2, reduced_m2, cleared_m2
  from rows order by 1`;
}

const QUERIES_AS_OF: Record<ReportDimension, string> = {
  province: byUnitAsOf,
  district: byUnitAsOf,
  operator: byReleaseAsOf(
    'r.operator_code',
    `coalesce((select o.name from organisation o where o.code = rows.k), 'Not released yet') as unit_name, null as unit_name_km`,
  ),
  year: byReleaseAsOf(`extract(year from r.end_date)::int::text`, `case when rows.k = '${UNASSIGNED}' then 'Not released yet' else rows.k end as unit_name, null as unit_name_km`),
  method: byReleaseAsOf('r.method', `case when rows.k = '${UNASSIGNED}' then 'Not released yet' else rows.k end as unit_name, null as unit_name_km`),
  contamination: `
    with ${hazardsAsOf('$1')}, ${releasesAsOf('$1')}, ${HAZARD_FIGURES_AS_OF}
    select array_to_string(h.contamination, '+') as unit_code, array_to_string(h.contamination, '+') as unit_name,
           null as unit_name_km, sum(f.original_m2) as original_m2, sum(f.cancelled_m2) as cancelled_m2,
           sum(f.reduced_m2) as reduced_m2, sum(f.cleared_m2) as cleared_m2
    from hazard_figures f join hazard h on h.id = f.hazard_id group by 1 order by 1`,
};

/**
 * The report's rows, today or as of a date (YYYY-MM-DD): the land as it stood on that date as the record
 * knows it now. Without a date, the sums of the precomputed tables as they stand.
 */
export async function landReleaseRows(db: Queryable, by: ReportDimension, asOf?: string): Promise<RawReportRow[]> {
  const byUnit = by === 'province' || by === 'district';
  if (asOf !== undefined) {
    const result = await db.query<RawReportRow>(QUERIES_AS_OF[by], byUnit ? [asOf, by] : [asOf]);
    return result.rows;
  }
  const result = await db.query<RawReportRow>(QUERIES[by], byUnit ? [by] : []);
  return result.rows;
}
