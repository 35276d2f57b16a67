-- Accounts, sessions and API tokens. Every account belongs to an organisation and has one role.

create table app_user (
  id bigint generated always as identity primary key,
  username text not null unique,
  display_name text not null,
  role text not null,
  organisation_code text not null references organisation (code),
  -- scrypt$N$r$p$salt$hash (base64): the parameters travel with the hash so they can be raised later.
  password_hash text not null,
  created_at timestamptz not null default now(),
  disabled_at timestamptz,
  constraint app_user_username_format check (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  constraint app_user_role_known check (role in ('administrator', 'authority_data_officer', 'authority_reviewer',
    'operator_data_officer', 'operator_viewer', 'donor_viewer'))
);

-- A signed-in browser. Only a hash of the cookie's token is stored, so a copy of the database opens no session.
create table user_session (
  token_hash text primary key,
  user_id bigint not null references app_user (id),
  csrf_token text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index user_session_user_idx on user_session (user_id);

-- Machine clients (Authorization: Bearer). Shown once when made; stored as a hash; revoked, never deleted.
create table api_token (
  id bigint generated always as identity primary key,
  user_id bigint not null references app_user (id),
  name text not null,
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  created_by text not null,
  revoked_at timestamptz,
  last_used_at timestamptz
);
