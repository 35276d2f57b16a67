-- The version of the shipped reference data (reference/version.json) a database holds, so that a data folder
-- made by an older Clearway gets the new boundaries, outline and gazetteer when it is opened
-- (src/db/reference-data.ts, docs/decisions/0013). One row at most.
create table reference_data (
  id boolean primary key default true,
  version integer not null,
  loaded_at timestamptz not null default now(),
  -- A database holds one reference data set: a second row would make "which version" ambiguous.
  constraint reference_data_one_row check (id),
  constraint reference_data_version_positive check (version > 0)
);

-- Databases that loaded reference data before versions existed hold version 1 (provinces, districts and the
-- gazetteer, no commune geometry, the source national outline). A database without reference data gets its row
-- when the data is first loaded.
insert into reference_data (version) select 1 where exists (select 1 from admin_unit where level = 'province');
