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

export async function landReleaseRows(db: Queryable, by: ReportDimension): Promise<RawReportRow[]> {
  const params = by === 'province' || by === 'district' ? [by] : [];
  const result = await db.query<RawReportRow>(QUERIES[by], params);
  return result.rows;
}
