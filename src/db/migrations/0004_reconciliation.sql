-- Reconciliation: each item of a submission is applied as new, as an update of an official record, or (for
-- hazards) as one hazard that replaces several (combine). Approval checks that every record it updates is
-- still at the version the submission or the reviewer saw.

-- The versions of the official records with the items' refs when the file was validated: what the operator
-- worked from. {"<ref>": <version>}
alter table submission add column basis jsonb not null default '{}'::jsonb;
-- The reviewer's choice per item, where it differs from the default (update by ref, else new).
-- {"<item index>": {"action": "new"|"update"|"combine", "targets": [{"ref": ..., "version": ...}]}}
alter table submission add column reconciliation jsonb not null default '{}'::jsonb;

-- A hazard combined into another is kept with its history (nothing is deleted) but no longer counts: its
-- releases move to the hazard that replaced it and its area is the new hazard's.
alter table hazard drop constraint hazard_status_known;
alter table hazard add constraint hazard_status_known check (status in ('open', 'in_progress', 'released', 'combined'));
alter table hazard add column combined_into bigint references hazard (id);
alter table hazard add constraint hazard_combined_has_successor check ((status = 'combined') = (combined_into is not null));
alter table hazard_version add column combined_into bigint;

create or replace function hazard_after_change() returns trigger language plpgsql as $$
begin
  insert into hazard_version (hazard_id, version, ref, type, status, contamination, source, recorded_on,
    operator_code, province_code, district_code, commune_code, village_code, notes, geom, area_m2,
    changed_at, changed_by, change_reason, batch_id, combined_into)
  select id, version, ref, type, status, contamination, source, recorded_on, operator_code, province_code,
    district_code, commune_code, village_code, notes, geom, area_m2, changed_at, changed_by, change_reason, batch_id,
    combined_into
  from changed_hazards;
  return null;
end $$;
