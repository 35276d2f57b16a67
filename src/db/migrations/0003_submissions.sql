-- Submissions: operators (and the authority's own officers) send files; nothing in a submission touches the
-- official record until a reviewer, who is not the submitter, approves it.

create table submission (
  id bigint generated always as identity primary key,
  organisation_code text not null references organisation (code),
  kind text not null,
  state text not null default 'draft',
  file_name text not null,
  format text not null,
  -- The file exactly as received: what the operator sent is kept, whatever happens to it.
  content text not null,
  validation jsonb not null,
  created_by bigint not null references app_user (id),
  -- Who wrote the file as it stands (the creator, or whoever replaced it last).
  content_by bigint not null references app_user (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  submitted_by bigint references app_user (id),
  submitted_at timestamptz,
  decided_by bigint references app_user (id),
  decided_at timestamptz,
  -- Why it was returned (reasons per item) or rejected.
  decision jsonb,
  -- The change the approval made to the official record.
  batch_id bigint references change_batch (id),
  constraint submission_kind_known check (kind in ('hazards', 'releases')),
  constraint submission_state_known check (state in ('draft', 'submitted', 'approved', 'returned', 'rejected')),
  -- Four eyes: whoever submitted the file, or wrote it, never decides on it.
  constraint submission_four_eyes check (
    decided_by is null or (decided_by <> content_by and (submitted_by is null or decided_by <> submitted_by)))
);
create index submission_state_idx on submission (state);
create index submission_organisation_idx on submission (organisation_code);

alter table change_batch add column submission_id bigint references submission (id);
