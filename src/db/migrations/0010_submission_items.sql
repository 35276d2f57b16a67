-- A submission's items as rows, stored when its file is checked: review, reconciliation and approval read
-- them instead of parsing the file again, and one submission can hold several kinds (an operator's
-- completion report: the hazard's update, its releases and the finds), each item saying its own kind.

alter table submission drop constraint submission_kind_known;
-- 'mixed': the file's records each say their kind (record_kind).
alter table submission add constraint submission_kind_known check (kind in ('hazards', 'releases', 'finds', 'mixed'));

create table submission_item (
  submission_id bigint not null references submission (id),
  -- The item's place in the submission (0-based), as review, reconciliation and return name it.
  idx integer not null,
  kind text not null,
  ref text,
  -- Where it sits in the file as received: its feature (GeoJSON) or its line (CSV).
  feature integer,
  line integer,
  properties jsonb not null,
  geometry jsonb,
  -- What could not be read in the file for this record (a bad WKT, a JSON column), named by field.
  read_problems jsonb not null default '[]'::jsonb,
  primary key (submission_id, idx),
  constraint submission_item_kind_known check (kind in ('hazards', 'releases', 'finds'))
);
create index submission_item_ref_idx on submission_item (submission_id, kind, ref);
