-- Record kinds: one way to version any kind of record, and explosive ordnance finds, the first new kind.
-- Frozen once shipped: change the schema in a new file.

-- Versioning for every kind from here on (docs/adding-a-kind.md). A kind's table has `id` (identity),
-- `ref`, `version`, `changed_at`, `changed_by`, `change_reason` and `batch_id`; keep_history(table) makes
-- <table>_version with the same columns, appends every inserted or updated row to it in one statement,
-- refuses deletes, and makes the history append-only. The trigger functions read the columns by name, so
-- one function serves every table. A column added to a kind later is added to its _version table in the
-- same migration (the history insert copies the row as it is, column for column).
create function record_before_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception '% % cannot be deleted: the official record keeps every record and its history', tg_table_name, old.ref;
  end if;
  if tg_op = 'UPDATE' then
    new.version := old.version + 1;
    new.changed_at := now();
  else
    new.version := 1;
  end if;
  return new;
end $$;

-- Statement-level: one insert per statement from the transition table, whatever the number of rows.
-- tg_argv[0] is the history table.
create function record_after_change() returns trigger language plpgsql as $$
begin
  execute format('insert into %I select * from changed_records', tg_argv[0]);
  return null;
end $$;

create function keep_history(record_table text) returns void language plpgsql as $$
declare
  history_table text := record_table || '_version';
begin
  execute format('create table %I (like %I)', history_table, record_table);
  execute format('alter table %I add primary key (id, version)', history_table);
  execute format('create trigger %I before update or delete on %I for each row execute function history_is_append_only()',
    history_table || '_append_only', history_table);
  execute format('create trigger %I before insert or update or delete on %I for each row execute function record_before_change()',
    record_table || '_before_change', record_table);
  execute format('create trigger %I after insert on %I referencing new table as changed_records for each statement execute function record_after_change(%L)',
    record_table || '_after_insert', record_table, history_table);
  execute format('create trigger %I after update on %I referencing new table as changed_records for each statement execute function record_after_change(%L)',
    record_table || '_after_update', record_table, history_table);
end $$;

-- The administrative units a point lies in (null where it lies in none: across the border, in the Tonle
-- Sap, at sea). Through the subdivided outlines and their index: a few dozen vertices per point.
create function admin_units_at(p geometry) returns table (province_code text, district_code text, commune_code text)
language sql stable as $$
  select
    (select unit_code from admin_unit_part where level = 'province' and geom && p and st_intersects(geom, p) order by unit_code limit 1),
    (select unit_code from admin_unit_part where level = 'district' and geom && p and st_intersects(geom, p) order by unit_code limit 1),
    (select unit_code from admin_unit_part where level = 'commune' and geom && p and st_intersects(geom, p) order by unit_code limit 1)
$$;

-- Explosive ordnance finds: one row per item type found at one place (quantity items). A find may name the
-- land release or the hazard it was found in.
create table find (
  id bigint generated always as identity primary key,
  ref text not null unique,
  version integer not null default 1,
  category text not null,
  model text not null,
  quantity integer not null,
  found_on date not null,
  destroyed_on date,
  destruction_method text,
  depth_cm integer,
  condition text,
  operator_code text references organisation (code),
  release_ref text references land_release (ref),
  hazard_ref text references hazard (ref),
  -- True when the place is not where the item lay but a stand-in (a release's point on surface for the
  -- devices recorded on releases before finds existed).
  location_approximate boolean not null default false,
  province_code text references admin_unit (code),
  district_code text references admin_unit (code),
  commune_code text references admin_unit (code),
  geom geometry(Point, 4326) not null,
  changed_at timestamptz not null default now(),
  changed_by text not null,
  change_reason text not null,
  batch_id bigint references change_batch (id),
  constraint find_category_known check (category in ('AP', 'AT', 'submunition', 'UXO', 'abandoned', 'IED')),
  constraint find_quantity_positive check (quantity > 0),
  constraint find_depth_not_negative check (depth_cm is null or depth_cm >= 0),
  constraint find_destruction_method_known check (
    destruction_method is null or destruction_method in ('in_situ', 'moved_and_destroyed', 'rendered_safe', 'handed_over')),
  -- An item is destroyed after it was found.
  constraint find_destroyed_after_found check (destroyed_on is null or destroyed_on >= found_on)
);
create index find_geom_idx on find using gist (geom);
create index find_release_idx on find (release_ref);
create index find_hazard_idx on find (hazard_ref);
create index find_province_idx on find (province_code);
select keep_history('find');

-- The devices recorded on releases become finds: one find per device entry, at the release's point on
-- surface (marked approximate), found and destroyed on the release's end date (clearance destroys what it
-- finds), by the release's operator. Refs are the release's ref with -D and the entry's number. Used by
-- this migration for the devices already held and by every later release import, so none is lost.
create function finds_from_release_devices(release_ids bigint[], actor text, reason text, batch bigint) returns integer
language plpgsql as $$
declare
  made integer;
begin
  insert into find (ref, category, model, quantity, found_on, destroyed_on, operator_code, release_ref, hazard_ref,
    location_approximate, province_code, district_code, commune_code, geom, changed_by, change_reason, batch_id)
  select r.ref || '-D' || d.n, d.device ->> 'category', d.device ->> 'model', (d.device ->> 'quantity')::integer,
         r.end_date, r.end_date, r.operator_code, r.ref, h.ref, true, u.province_code, u.district_code, u.commune_code,
         p.geom, actor, reason, batch
  from land_release r
  join hazard h on h.id = r.hazard_id
  cross join lateral jsonb_array_elements(r.devices) with ordinality as d (device, n)
  cross join lateral (select st_pointonsurface(r.geom) as geom) p
  cross join lateral admin_units_at(p.geom) u
  where r.id = any(release_ids)
  on conflict (ref) do update set category = excluded.category, model = excluded.model, quantity = excluded.quantity,
    found_on = excluded.found_on, destroyed_on = excluded.destroyed_on, operator_code = excluded.operator_code,
    hazard_ref = excluded.hazard_ref, province_code = excluded.province_code, district_code = excluded.district_code,
    commune_code = excluded.commune_code, geom = excluded.geom, changed_by = excluded.changed_by,
    change_reason = excluded.change_reason, batch_id = excluded.batch_id
  where (find.category, find.model, find.quantity, find.found_on, find.operator_code, find.hazard_ref, find.geom)
    is distinct from (excluded.category, excluded.model, excluded.quantity, excluded.found_on, excluded.operator_code,
    excluded.hazard_ref, excluded.geom);
  get diagnostics made = row_count;
  return made;
end $$;

alter table change_batch drop constraint change_batch_kind_known;
alter table change_batch add constraint change_batch_kind_known check (
  kind in ('import-hazards', 'import-releases', 'import-finds', 'demo', 'accounting', 'migration'));
alter table submission drop constraint submission_kind_known;
alter table submission add constraint submission_kind_known check (kind in ('hazards', 'releases', 'finds'));

do $$
declare
  batch bigint;
  ids bigint[];
begin
  select array_agg(id) into ids from land_release where jsonb_array_length(devices) > 0;
  if ids is null then return; end if;
  insert into change_batch (kind, source_name, made_by, report)
  values ('migration', '0005_record_kinds', 'migration', '{"what": "devices recorded on releases become finds"}')
  returning id into batch;
  perform finds_from_release_devices(ids, 'migration', 'device recorded on the land release, moved to a find', batch);
  update change_batch set record_count = (select count(*) from find where batch_id = batch) where id = batch;
  insert into audit_event (actor, action, entity, entity_ref, batch_id, details)
  values ('migration', 'migration', 'change_batch', batch::text, batch, '{"migration": "0005_record_kinds"}');
end $$;
