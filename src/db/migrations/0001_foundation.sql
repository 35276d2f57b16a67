-- Clearway foundation: reference data, organisations, the versioned official record of hazards and land
-- release, and the derived land release accounting. Frozen once shipped: change the schema in a new file.

create extension if not exists postgis;

-- Organisations of the sector. Imports name an operator by its short code.
create table organisation (
  code text primary key,
  name text not null,
  kind text not null,
  created_at timestamptz not null default now(),
  -- Short codes are what people type in spreadsheets: upper-case letters, digits and hyphens (PM-WRA).
  constraint organisation_code_format check (code ~ '^[A-Z][A-Z0-9-]{1,15}$'),
  constraint organisation_kind_known check (kind in ('authority', 'operator', 'donor', 'other'))
);

-- Administrative units with NCDD codes: province 2 digits, district 4, commune 6, village 8.
create table admin_unit (
  code text primary key,
  level text not null,
  parent_code text references admin_unit (code),
  name_en text not null,
  name_km text not null,
  geom geometry(MultiPolygon, 4326),
  constraint admin_unit_level_known check (level in ('province', 'district', 'commune', 'village')),
  -- The code length encodes the level, so a code alone says what it is.
  constraint admin_unit_code_matches_level check (
    code ~ '^[0-9]+$' and length(code) = case level
      when 'province' then 2 when 'district' then 4 when 'commune' then 6 else 8 end)
  -- No rule that a child's code starts with its parent's: the NCDD gazetteer has villages filed under a
  -- commune whose code differs (docs/reference-data.md); parent_code is the truth.
);
create index admin_unit_level_idx on admin_unit (level);
create index admin_unit_parent_idx on admin_unit (parent_code);

-- Unit outlines cut into small pieces (ST_Subdivide) so that splitting a hazard by unit touches only a
-- few hundred vertices instead of a whole province outline.
create table admin_unit_part (
  unit_code text not null references admin_unit (code),
  level text not null,
  part_no integer not null,
  geom geometry(Polygon, 4326) not null,
  primary key (unit_code, part_no)
);
create index admin_unit_part_geom_idx on admin_unit_part using gist (geom);
create index admin_unit_part_level_idx on admin_unit_part (level);

-- The national outline, and the same widened by 10 km: a geometry reaching beyond the wider one is an
-- error (a typing mistake or a wrong coordinate system), one crossing the outline only a note.
create table country (
  code text primary key,
  name_en text not null,
  name_km text not null,
  geom geometry(MultiPolygon, 4326) not null,
  geom_within_10km geometry(MultiPolygon, 4326) not null
);

-- One row per import or other batch of changes: the "why" and "from where" of every version.
create table change_batch (
  id bigint generated always as identity primary key,
  kind text not null,
  source_name text,
  made_by text not null,
  made_at timestamptz not null default now(),
  record_count integer not null default 0,
  report jsonb not null default '{}'::jsonb,
  constraint change_batch_kind_known check (kind in ('import-hazards', 'import-releases', 'demo', 'accounting'))
);

-- The audit log: who did what, when, to which record.
create table audit_event (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor text not null,
  action text not null,
  entity text not null,
  entity_ref text,
  batch_id bigint references change_batch (id),
  details jsonb not null default '{}'::jsonb
);
create index audit_event_entity_idx on audit_event (entity, entity_ref);

-- Hazard areas: the current version. Every insert and update is copied to hazard_version by trigger, so no
-- path can change the official record without leaving its history.
create table hazard (
  id bigint generated always as identity primary key,
  ref text not null unique,
  version integer not null default 1,
  type text not null,
  status text not null default 'open',
  contamination text[] not null,
  source text not null,
  recorded_on date not null,
  operator_code text references organisation (code),
  province_code text references admin_unit (code),
  district_code text references admin_unit (code),
  commune_code text references admin_unit (code),
  village_code text references admin_unit (code),
  notes text,
  geom geometry(MultiPolygon, 4326) not null,
  -- Geodesic area on the WGS84 ellipsoid (ST_Area on geography), in m2.
  area_m2 double precision not null,
  changed_at timestamptz not null default now(),
  changed_by text not null,
  change_reason text not null,
  batch_id bigint references change_batch (id),
  constraint hazard_type_known check (type in ('SHA', 'CHA')),
  constraint hazard_status_known check (status in ('open', 'in_progress', 'released')),
  constraint hazard_contamination_known check (
    cardinality(contamination) > 0 and contamination <@ array['AP', 'AT', 'CMR', 'ERW', 'IED']),
  constraint hazard_geometry_valid check (st_isvalid(geom)),
  constraint hazard_area_positive check (area_m2 > 0)
);
create index hazard_geom_idx on hazard using gist (geom);
create index hazard_province_idx on hazard (province_code);
create index hazard_district_idx on hazard (district_code);

create table hazard_version (
  hazard_id bigint not null references hazard (id),
  version integer not null,
  ref text not null,
  type text not null,
  status text not null,
  contamination text[] not null,
  source text not null,
  recorded_on date not null,
  operator_code text,
  province_code text,
  district_code text,
  commune_code text,
  village_code text,
  notes text,
  geom geometry(MultiPolygon, 4326) not null,
  area_m2 double precision not null,
  changed_at timestamptz not null,
  changed_by text not null,
  change_reason text not null,
  batch_id bigint,
  primary key (hazard_id, version)
);

-- Land release activities: how land leaves the hazard list.
create table land_release (
  id bigint generated always as identity primary key,
  ref text not null unique,
  hazard_id bigint not null references hazard (id),
  version integer not null default 1,
  kind text not null,
  method text not null,
  operator_code text not null references organisation (code),
  start_date date not null,
  end_date date not null,
  devices jsonb not null default '[]'::jsonb,
  geom geometry(MultiPolygon, 4326) not null,
  -- Geodesic area of the polygon as submitted; what counts is in release_counted.
  area_m2 double precision not null,
  changed_at timestamptz not null default now(),
  changed_by text not null,
  change_reason text not null,
  batch_id bigint references change_batch (id),
  constraint land_release_kind_known check (kind in ('cancelled', 'reduced', 'cleared')),
  -- IMAS 07.11: land is cancelled by non-technical survey, reduced by technical survey, cleared by clearance.
  constraint land_release_method_fits_kind check (
    (kind = 'cancelled' and method = 'nts') or (kind = 'reduced' and method = 'ts')
    or (kind = 'cleared' and method in ('manual', 'mechanical', 'mdd', 'combined'))),
  constraint land_release_dates_ordered check (end_date >= start_date),
  constraint land_release_geometry_valid check (st_isvalid(geom)),
  constraint land_release_devices_array check (jsonb_typeof(devices) = 'array')
);
create index land_release_hazard_idx on land_release (hazard_id);
create index land_release_geom_idx on land_release using gist (geom);

create table land_release_version (
  release_id bigint not null references land_release (id),
  version integer not null,
  ref text not null,
  hazard_id bigint not null,
  kind text not null,
  method text not null,
  operator_code text not null,
  start_date date not null,
  end_date date not null,
  devices jsonb not null,
  geom geometry(MultiPolygon, 4326) not null,
  area_m2 double precision not null,
  changed_at timestamptz not null,
  changed_by text not null,
  change_reason text not null,
  batch_id bigint,
  primary key (release_id, version)
);

-- Versioning: an update must carry who and why; the version number and time are set here, and the new
-- state is appended to the history. History rows can never be changed or removed.
create function hazard_before_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'hazard % cannot be deleted: the official record keeps every hazard and its history', old.ref;
  end if;
  if tg_op = 'UPDATE' then
    new.version := old.version + 1;
    new.changed_at := now();
  else
    new.version := 1;
  end if;
  return new;
end $$;

-- Statement-level, with the changed rows as a transition table: one insert per statement, so a bulk
-- import of 100,000 hazards appends its history in one pass instead of 100,000 trigger calls.
create function hazard_after_change() returns trigger language plpgsql as $$
begin
  insert into hazard_version (hazard_id, version, ref, type, status, contamination, source, recorded_on,
    operator_code, province_code, district_code, commune_code, village_code, notes, geom, area_m2,
    changed_at, changed_by, change_reason, batch_id)
  select id, version, ref, type, status, contamination, source, recorded_on, operator_code, province_code,
    district_code, commune_code, village_code, notes, geom, area_m2, changed_at, changed_by, change_reason, batch_id
  from changed_hazards;
  return null;
end $$;

create trigger hazard_before_change before insert or update or delete on hazard
  for each row execute function hazard_before_change();
create trigger hazard_after_insert after insert on hazard
  referencing new table as changed_hazards for each statement execute function hazard_after_change();
create trigger hazard_after_update after update on hazard
  referencing new table as changed_hazards for each statement execute function hazard_after_change();

create function land_release_before_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'land release % cannot be deleted: the official record keeps its history', old.ref;
  end if;
  if tg_op = 'UPDATE' then
    new.version := old.version + 1;
    new.changed_at := now();
  else
    new.version := 1;
  end if;
  return new;
end $$;

create function land_release_after_change() returns trigger language plpgsql as $$
begin
  insert into land_release_version (release_id, version, ref, hazard_id, kind, method, operator_code,
    start_date, end_date, devices, geom, area_m2, changed_at, changed_by, change_reason, batch_id)
  select id, version, ref, hazard_id, kind, method, operator_code, start_date, end_date, devices, geom, area_m2,
    changed_at, changed_by, change_reason, batch_id
  from changed_releases;
  return null;
end $$;

create trigger land_release_before_change before insert or update or delete on land_release
  for each row execute function land_release_before_change();
create trigger land_release_after_insert after insert on land_release
  referencing new table as changed_releases for each statement execute function land_release_after_change();
create trigger land_release_after_update after update on land_release
  referencing new table as changed_releases for each statement execute function land_release_after_change();

create function history_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only: history is never changed or removed', tg_table_name;
end $$;

create trigger hazard_version_append_only before update or delete on hazard_version
  for each row execute function history_is_append_only();
create trigger land_release_version_append_only before update or delete on land_release_version
  for each row execute function history_is_append_only();

-- Land release accounting, derived from the versioned record and recomputed in the same transaction as
-- any change to a hazard or its releases (src/db/accounting.ts). Kept as tables so that national reports
-- are sums over precomputed rows, not overlays at read time.

-- The part of each release that counts: clipped to its hazard, minus what releases of the same hazard
-- that ended earlier (ties by ref) already counted.
create table release_counted (
  release_id bigint primary key references land_release (id),
  hazard_id bigint not null references hazard (id),
  counted_geom geometry(MultiPolygon, 4326),
  inside_m2 double precision not null,
  outside_m2 double precision not null,
  counted_m2 double precision not null,
  constraint release_counted_not_negative check (inside_m2 >= 0 and outside_m2 >= 0 and counted_m2 >= 0)
);
create index release_counted_hazard_idx on release_counted (hazard_id);

-- Per hazard: original = cancelled + reduced + cleared + remaining, remaining never negative.
create table hazard_accounting (
  hazard_id bigint primary key references hazard (id),
  original_m2 double precision not null,
  cancelled_m2 double precision not null,
  reduced_m2 double precision not null,
  cleared_m2 double precision not null,
  remaining_m2 double precision not null,
  constraint hazard_accounting_remaining_not_negative check (remaining_m2 >= 0)
);

-- Per hazard and administrative unit (province and district levels): the hazard's figures split by its
-- area in each unit. unit_code 'unassigned' holds area in no unit, so units always sum to the hazard.
create table hazard_unit_share (
  hazard_id bigint not null references hazard (id),
  level text not null,
  unit_code text not null,
  original_m2 double precision not null,
  cancelled_m2 double precision not null,
  reduced_m2 double precision not null,
  cleared_m2 double precision not null,
  primary key (hazard_id, level, unit_code),
  constraint hazard_unit_share_level_known check (level in ('province', 'district'))
);
create index hazard_unit_share_level_unit_idx on hazard_unit_share (level, unit_code);
