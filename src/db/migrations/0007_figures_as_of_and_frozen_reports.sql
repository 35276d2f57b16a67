-- Figures for any date, reports frozen for publication, and a status the authority sets (issue 8, point 6).

-- 1. Each counted release split by province and district. The counted part of a release depends only on
-- releases that ended before it, so the figures as of a date are sums over these rows for the releases
-- that had ended by then (docs/land-release-accounting.md). Derived like hazard_unit_share: recomputed by
-- src/db/accounting.ts in the transaction of every change; its rows go with their release_counted row.
create table release_unit_share (
  release_id bigint not null references release_counted (release_id) on delete cascade,
  hazard_id bigint not null references hazard (id),
  level text not null,
  unit_code text not null,
  counted_m2 double precision not null,
  primary key (release_id, level, unit_code),
  constraint release_unit_share_level_known check (level in ('province', 'district')),
  constraint release_unit_share_not_negative check (counted_m2 >= 0)
);
create index release_unit_share_hazard_idx on release_unit_share (hazard_id);
create index release_unit_share_level_unit_idx on release_unit_share (level, unit_code);

-- What the reports group each counted release by, in a narrow row (release_counted and land_release carry
-- polygons: reading them for 100,000 releases is what made a report as of a date slow).
create table release_figures (
  release_id bigint primary key references release_counted (release_id) on delete cascade,
  hazard_id bigint not null references hazard (id),
  kind text not null,
  method text not null,
  operator_code text not null,
  end_date date not null,
  counted_m2 double precision not null
);
create index release_figures_hazard_idx on release_figures (hazard_id);
insert into release_figures (release_id, hazard_id, kind, method, operator_code, end_date, counted_m2)
select c.release_id, c.hazard_id, r.kind, r.method, r.operator_code, r.end_date, c.counted_m2
from release_counted c join land_release r on r.id = c.release_id
where c.counted_m2 > 0;

-- The date from which a hazard counts: its recorded_on, or for a hazard that replaced others by a combine
-- the earliest recorded_on among them (docs/land-release-accounting.md, "As of a date").
create index hazard_combined_into_idx on hazard (combined_into) where combined_into is not null;
alter table hazard_accounting add column known_since date;
with recursive merged (root, id, recorded_on) as (
  select h.id, h.id, h.recorded_on from hazard h join hazard_accounting a on a.hazard_id = h.id
  union all
  select m.root, x.id, x.recorded_on from merged m join hazard x on x.combined_into = m.id
)
update hazard_accounting a set known_since = k.first
from (select root, min(recorded_on) as first from merged group by root) k
where k.root = a.hazard_id;
alter table hazard_accounting alter column known_since set not null;

-- Existing data. A hazard wholly inside one unit at both levels (the usual case) gives that unit each of
-- its releases' counted m2.
insert into release_unit_share (release_id, hazard_id, level, unit_code, counted_m2)
select c.release_id, c.hazard_id, s.level, s.unit_code, c.counted_m2
from release_counted c
join hazard_unit_share s on s.hazard_id = c.hazard_id
where c.counted_m2 > 0
  and not exists (
    select 1 from hazard_unit_share o where o.hazard_id = c.hazard_id group by o.level having count(*) > 1);

-- A hazard over several units: each counted piece split by the units' parts, exactly as accounting.ts
-- (unitSplitSelect, as of this migration) splits it: pieces scaled to the whole when they differ from it by
-- rounding only, 'unassigned' for area in no unit.
insert into release_unit_share (release_id, hazard_id, level, unit_code, counted_m2)
with src as materialized (
  select c.release_id as key, c.counted_geom as geom, c.counted_m2 as total
  from release_counted c
  where c.counted_m2 > 0
    and exists (select 1 from hazard_unit_share o where o.hazard_id = c.hazard_id group by o.level having count(*) > 1)
),
pairs as materialized (
  select g.key, g.total, g.geom, p.level, p.unit_code, p.geom as part
  from src g join admin_unit_part p on p.level in ('province', 'district') and st_intersects(g.geom, p.geom)
  order by p.unit_code, p.part_no
),
raw as (
  select key, level, unit_code,
         sum(case when st_covers(part, geom) then total
                  else st_area(st_multi(st_collectionextract(st_intersection(geom, part, 1e-9), 3))::geography) end) as m2
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
  select g.key, l.level, 'unassigned'::text as unit_code, g.total - coalesce(a.m2, 0) as m2
  from src g cross join (values ('province'), ('district')) as l(level)
  left join assigned a on a.key = g.key and a.level = l.level
),
split as (
  select key, level, unit_code, m2 from scaled where m2 > 0
  union all
  select key, level, unit_code, m2 from outside where m2 > 0
)
select x.key, c.hazard_id, x.level, x.unit_code, x.m2
from split x join release_counted c on c.release_id = x.key;

-- 2. Reports frozen for publication (an Article 7 report, a donor report): the rows exactly as they were
-- served, whatever is approved later. Append-only like the history: a published figure is never changed
-- or removed; a correction is a new frozen report with another name.
create table frozen_report (
  id bigint generated always as identity primary key,
  name text not null,
  -- Which report (src/app/frozen-reports.ts keeps the registry of reports that can be frozen).
  report text not null,
  by text not null,
  as_of date not null,
  rows jsonb not null,
  total jsonb not null,
  -- The last change batch the figures include. Batches are made under the official record's lock, one
  -- change after another, and the freeze reads under it too: a version made after the freeze is one whose
  -- batch is later than this (versions without a batch, by their time).
  record_batch_id bigint,
  created_by text not null,
  created_at timestamptz not null default now(),
  -- People cite a frozen report by its name: one name, one set of figures.
  constraint frozen_report_name_unique unique (name),
  constraint frozen_report_name_not_blank check (length(btrim(name)) between 1 and 200),
  constraint frozen_report_rows_array check (jsonb_typeof(rows) = 'array')
);
create trigger frozen_report_append_only before update or delete on frozen_report
  for each row execute function history_is_append_only();

-- 3. A status the authority sets (e.g. reopened after a failed post-clearance inspection, with a reason)
-- that the computed one (open / in_progress / released, from the accounting) never overwrites. 'computed'
-- rows follow the accounting; 'authority' rows keep their status until the authority hands it back.
alter table hazard drop constraint hazard_status_known;
alter table hazard add constraint hazard_status_known
  check (status in ('open', 'in_progress', 'released', 'combined', 'reopened'));
alter table hazard add column status_source text not null default 'computed';
alter table hazard add column status_reason text;
alter table hazard add column status_set_by text;
alter table hazard add column status_set_at timestamptz;
alter table hazard add constraint hazard_status_source_known check (status_source in ('computed', 'authority'));
-- The authority's status always says who set it, when and why.
alter table hazard add constraint hazard_authority_status_explained check (
  status_source = 'computed'
  or (status_reason is not null and length(btrim(status_reason)) > 0 and status_set_by is not null and status_set_at is not null));
-- Reopened is a judgement (a failed inspection, new evidence), never a computation.
alter table hazard add constraint hazard_reopened_by_authority check (status <> 'reopened' or status_source = 'authority');

alter table hazard_version add column status_source text not null default 'computed';
alter table hazard_version add column status_reason text;
alter table hazard_version add column status_set_by text;
alter table hazard_version add column status_set_at timestamptz;

-- The history copy takes every column hazard_version shares with hazard (hazard.id as hazard_id), read
-- from the catalogue once per statement: a column added to both tables later is kept in the history
-- without replacing this function again (two migrations replacing it in turn would drop each other's).
create or replace function hazard_after_change() returns trigger language plpgsql as $$
declare
  columns text;
begin
  select string_agg(quote_ident(v.attname), ', ' order by v.attnum) into columns
  from pg_attribute v
  join pg_attribute h on h.attrelid = 'hazard'::regclass and h.attname = v.attname and h.attnum > 0 and not h.attisdropped
  where v.attrelid = 'hazard_version'::regclass and v.attnum > 0 and not v.attisdropped and v.attname <> 'hazard_id';
  execute format('insert into hazard_version (hazard_id, %s) select id, %s from changed_hazards', columns, columns);
  return null;
end $$;
