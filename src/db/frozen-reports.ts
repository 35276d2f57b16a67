// Frozen reports: figures kept exactly as they were served, for publication (frozen_report, append-only by
// trigger); and, for the land release and finds reports, the changes to the record made since a freeze that
// explain why today's figures for the same date differ.
import type { Queryable } from './engine.ts';
import type { ReportDimension } from '../domain/land-release-figures.ts';
import { FIND_GROUP_KEYS, type FindReportDimension } from './find-queries.ts';
import { UNASSIGNED } from './accounting.ts';
import { hazardsAsOf } from './land-release-report.ts';

export interface FrozenReportSummary {
  name: string;
  report: string;
  by: string;
  as_of: string;
  row_count: number;
  created_by: string;
  created_at: string;
}

export interface FrozenReportRecord extends Omit<FrozenReportSummary, 'row_count'> {
  rows: Record<string, unknown>[];
  total: Record<string, unknown>;
}

export interface NewFrozenReport {
  name: string;
  report: string;
  by: string;
  asOf: string;
  rows: unknown[];
  total: unknown;
  createdBy: string;
}

/**
 * Stores a frozen report; null when the name is taken (names are unique: people cite them). The caller
 * holds the official record's lock (change-batch.ts) and computed the rows under it, so the last batch
 * now is the last one the figures include.
 */
export async function insertFrozenReport(tx: Queryable, report: NewFrozenReport): Promise<FrozenReportSummary | null> {
  const result = await tx.query<FrozenReportSummary>(
    `insert into frozen_report (name, report, by, as_of, rows, total, created_by, record_batch_id, created_at)
     values ($1, $2, $3, $4::date, $5::jsonb, $6::jsonb, $7, (select max(id) from change_batch), clock_timestamp())
     on conflict (name) do nothing
     returning name, report, by, as_of, jsonb_array_length(rows) as row_count, created_by, created_at`,
    [report.name, report.report, report.by, report.asOf, JSON.stringify(report.rows), JSON.stringify(report.total), report.createdBy],
  );
  return result.rows[0] ?? null;
}

export async function listFrozenReports(db: Queryable): Promise<FrozenReportSummary[]> {
  const result = await db.query<FrozenReportSummary>(
    `select name, report, by, as_of, jsonb_array_length(rows) as row_count, created_by, created_at
     from frozen_report order by created_at desc, id desc`,
  );
  return result.rows;
}

export async function findFrozenReport(db: Queryable, name: string): Promise<FrozenReportRecord | null> {
  const result = await db.query<FrozenReportRecord>(
    `select name, report, by, as_of, rows, total, created_by, created_at from frozen_report where name = $1`,
    [name],
  );
  return result.rows[0] ?? null;
}

/** A change to the official record made after a freeze that can move the figures as of its date. */
export interface ChangeSinceFreeze {
  /** The report row it bears on (a record can bear on several). */
  unit_code: string;
  record: 'release' | 'hazard' | 'find';
  ref: string;
  version: number;
  /** new: not in the record at the freeze; updated: a new version since; combined: retired into another hazard since. */
  change: 'new' | 'updated' | 'combined';
  changed_at: string;
  changed_by: string;
  change_reason: string;
  batch_id: number | null;
  submission_id: number | null;
  /** What a release counts as of the date, today (0 when it no longer counts then). */
  counted_m2: number | null;
}

// Which report rows a changed release bears on, today or as its version at the freeze had it.
const RELEASE_ROWS: Record<ReportDimension, string> = {
  province: `select s.unit_code from hazard_unit_share s where s.hazard_id in (r.hazard_id, before.hazard_id) and s.level = 'province'
             union select x.unit_code from release_unit_share x where x.release_id = r.id and x.level = 'province'`,
  district: `select s.unit_code from hazard_unit_share s where s.hazard_id in (r.hazard_id, before.hazard_id) and s.level = 'district'
             union select x.unit_code from release_unit_share x where x.release_id = r.id and x.level = 'district'`,
  operator: `select unnest(array[r.operator_code, before.operator_code, '${UNASSIGNED}'])`,
  year: `select unnest(array[extract(year from r.end_date)::int::text, extract(year from before.end_date)::int::text, '${UNASSIGNED}'])`,
  method: `select unnest(array[r.method, before.method, '${UNASSIGNED}'])`,
  contamination: `select array_to_string(h.contamination, '+')`,
};

// Which rows a changed hazard bears on: its units (its shares today; for one combined since, the units its
// version at the freeze named), its contamination, or the land not released yet.
const HAZARD_ROWS: Record<ReportDimension, string> = {
  province: `select s.unit_code from hazard_unit_share s where s.hazard_id = h.id and s.level = 'province'
             union select before.province_code where before.province_code is not null and h.status = 'combined'`,
  district: `select s.unit_code from hazard_unit_share s where s.hazard_id = h.id and s.level = 'district'
             union select before.district_code where before.district_code is not null and h.status = 'combined'`,
  operator: `select '${UNASSIGNED}'`,
  year: `select '${UNASSIGNED}'`,
  method: `select '${UNASSIGNED}'`,
  contamination: `select unnest(array[array_to_string(h.contamination, '+'), array_to_string(before.contamination, '+')])`,
};

/** Whether the version `v` was made after the freeze (the CTE `frozen`): by its batch, else by its time. */
const madeAfterFreeze = (v: string): string =>
  `(case when ${v}.batch_id is not null then ${v}.batch_id > coalesce((select record_batch_id from frozen), 0)
         else ${v}.changed_at > (select created_at from frozen) end)`;

/**
 * The releases and hazards whose version that counts today was made after the freeze `frozenName` and that
 * bear on the figures as of `asOf`: releases that end on or before it (now, or in their version at the
 * freeze), hazards new or changed in area, dates or contamination since, or combined into another since.
 * Each with the change batch and submission that made it, per report row it bears on.
 */
export async function changesSinceFreeze(db: Queryable, by: ReportDimension, asOf: string, frozenName: string): Promise<ChangeSinceFreeze[]> {
  const result = await db.query<ChangeSinceFreeze>(
    `with ${hazardsAsOf('$1')},
     frozen as materialized (select record_batch_id, created_at from frozen_report where name = $2),
     changed_release as (
       select 'release'::text as record, r.ref, r.version,
              case when before.id is null then 'new' else 'updated' end as change,
              r.changed_at, r.changed_by, r.change_reason, r.batch_id, b.submission_id,
              case when r.end_date <= $1::date and r.hazard_id in (select hazard_id from hazard_as_of)
                   then coalesce(c.counted_m2, 0) else 0 end as counted_m2,
              array(${RELEASE_ROWS[by]}) as units
       from land_release r
       join hazard h on h.id = r.hazard_id
       left join release_counted c on c.release_id = r.id
       left join change_batch b on b.id = r.batch_id
       left join lateral (
         select v.* from land_release_version v where v.id = r.id and not ${madeAfterFreeze('v')}
         order by v.version desc limit 1
       ) before on true
       where ${madeAfterFreeze('r')} and (r.end_date <= $1::date or before.end_date <= $1::date)
     ),
     changed_hazard as (
       select 'hazard'::text as record, h.ref, first_change.version,
              case when before.id is null then 'new' when first_change.status = 'combined' then 'combined' else 'updated' end as change,
              first_change.changed_at, first_change.changed_by, first_change.change_reason, first_change.batch_id, b.submission_id,
              null::double precision as counted_m2,
              array(${HAZARD_ROWS[by]}) as units
       from hazard h
       left join lateral (
         select v.* from hazard_version v where v.id = h.id and not ${madeAfterFreeze('v')}
         order by v.version desc limit 1
       ) before on true
       -- The first version since the freeze that changed what counts (a status computed from the
       -- accounting changes no figure: the releases behind it are listed themselves).
       join lateral (
         select v.* from hazard_version v
         where v.id = h.id and ${madeAfterFreeze('v')}
           and (before.id is null or v.area_m2 is distinct from before.area_m2 or v.recorded_on is distinct from before.recorded_on
                or v.contamination is distinct from before.contamination or (v.status = 'combined') <> (before.status = 'combined')
                or not st_equals(v.geom, before.geom))
         order by v.version limit 1
       ) first_change on true
       left join change_batch b on b.id = first_change.batch_id
       where ${madeAfterFreeze('h')}
         and (h.id in (select hazard_id from hazard_as_of) or (h.status = 'combined' and before.status <> 'combined' and before.recorded_on <= $1::date))
     )
     select u.unit_code, x.record, x.ref, x.version, x.change, x.changed_at, x.changed_by, x.change_reason, x.batch_id, x.submission_id, x.counted_m2
     from (select * from changed_release union all select * from changed_hazard) x
     cross join lateral (select distinct unnest(x.units) as unit_code) u
     where u.unit_code is not null
     order by u.unit_code, x.changed_at, x.record, x.ref`,
    [asOf, frozenName],
  );
  return result.rows;
}

/**
 * The EO finds whose version that counts today was made after the freeze `frozenName` and that bear on the
 * finds report as of `asOf`: found on or before it now, or in their version at the freeze (a find moved to a
 * later date, to another unit or category, leaves the row it was in). Per report row, as for releases.
 */
export async function findChangesSinceFreeze(db: Queryable, by: FindReportDimension, asOf: string, frozenName: string): Promise<ChangeSinceFreeze[]> {
  const key = (alias: string) => FIND_GROUP_KEYS[by].replaceAll('f.', `${alias}.`);
  const result = await db.query<ChangeSinceFreeze>(
    `with frozen as materialized (select record_batch_id, created_at from frozen_report where name = $2)
     select u.unit_code, 'find' as record, f.ref, f.version,
            case when before.id is null then 'new' else 'updated' end as change,
            f.changed_at, f.changed_by, f.change_reason, f.batch_id, b.submission_id, null::double precision as counted_m2
     from find f
     left join change_batch b on b.id = f.batch_id
     left join lateral (
       select v.* from find_version v where v.id = f.id and not ${madeAfterFreeze('v')}
       order by v.version desc limit 1
     ) before on true
     cross join lateral (
       select distinct coalesce(k.key, 'unassigned') as unit_code
       from (values (f.found_on <= $1::date, ${key('f')}), (before.found_on <= $1::date, ${key('before')})) as k(counts, key)
       where k.counts
     ) u
     where ${madeAfterFreeze('f')} and (f.found_on <= $1::date or before.found_on <= $1::date)
     order by u.unit_code, f.changed_at, f.ref`,
    [asOf, frozenName],
  );
  return result.rows;
}
