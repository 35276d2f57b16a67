-- A release import writes the finds its releases' devices become, and each counted release's figures for the
-- reports as of a date. Both were new work of issue 8 on every release; this makes them cheaper.
--
-- 1. The point on surface is worked out once per release, in its own step. admin_units_at is inlined by the
--    planner, so `p` was the expression st_pointonsurface(r.geom), worked out again in each of its three
--    lookups (twice in each: index condition and filter).
create or replace function finds_from_release_devices(release_ids bigint[], actor text, reason text, batch bigint) returns integer
language plpgsql as $$
declare
  made integer;
begin
  with surface as materialized (
    select r.id, r.ref, r.end_date, r.operator_code, r.devices, h.ref as hazard_ref, st_pointonsurface(r.geom) as geom
    from land_release r
    join hazard h on h.id = r.hazard_id
    where r.id = any(release_ids)
  ),
  placed as materialized (
    select s.*, u.province_code, u.district_code, u.commune_code
    from surface s cross join lateral admin_units_at(s.geom) u
  )
  insert into find (ref, category, model, quantity, found_on, destroyed_on, operator_code, release_ref, hazard_ref,
    location_approximate, province_code, district_code, commune_code, geom, changed_by, change_reason, batch_id)
  select r.ref || '-D' || d.n, d.device ->> 'category', d.device ->> 'model', (d.device ->> 'quantity')::integer,
         r.end_date, r.end_date, r.operator_code, r.ref, r.hazard_ref, true, r.province_code, r.district_code, r.commune_code,
         r.geom, actor, reason, batch
  from placed r
  cross join lateral jsonb_array_elements(r.devices) with ordinality as d (device, n)
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

-- 2. release_figures and release_unit_share are derived from release_counted, written only from it
--    (accounting.ts) and deleted with it (on delete cascade). Their hazard_id is release_counted's, whose own
--    key to hazard holds it; a second key checked on each of their rows (three per counted release) only
--    repeated that check.
alter table release_figures drop constraint release_figures_hazard_id_fkey;
alter table release_unit_share drop constraint release_unit_share_hazard_id_fkey;
