-- Hazards and land releases move onto keep_history (0005_record_kinds.sql), the one versioning every kind
-- uses (issue 8, point 1; docs/decisions/0019). Until now they ran the hand-written triggers of 0001 (the
-- hazard copy replaced in 0004 and 0007), and their history tables named the record `hazard_id` /
-- `release_id` in an order of their own. After this migration hazard_version and land_release_version have
-- the shape keep_history gives every kind: the record's columns, in the record's order, the record's id as
-- `id`. Every version already held is kept as it was: number, time, who, why, batch (and through the batch
-- the submission), geometry, status and every other column.
-- Frozen once shipped: change the schema in a new file.

-- Moves one kind's history into keep_history's shape. The copy goes by column name, read from the catalogue,
-- so it keeps whatever columns earlier migrations added to both tables; a column the old history holds that
-- the record does not (or the reverse) stops the migration rather than lose a value or invent one.
create function move_history_onto_keep_history(record_table text, old_id_column text) returns void
language plpgsql as $$
declare
  history_table text := record_table || '_version';
  old_table text := record_table || '_version_before_0012';
  unmatched text;
  columns text;
  before_count bigint;
  after_count bigint;
begin
  select string_agg(a.attname, ', ') into unmatched
  from pg_attribute a
  where a.attrelid = history_table::regclass and a.attnum > 0 and not a.attisdropped and a.attname <> old_id_column
    and not exists (select 1 from pg_attribute r where r.attrelid = record_table::regclass and r.attname = a.attname
                    and r.attnum > 0 and not r.attisdropped);
  if unmatched is not null then
    raise exception '%: column(s) % are not in %, so moving its history would lose them', history_table, unmatched, record_table;
  end if;

  execute format('alter table %I rename to %I', history_table, old_table);
  -- The new history table's primary key takes the name <table>_version_pkey.
  execute format('alter table %I rename constraint %I to %I', old_table, history_table || '_pkey', old_table || '_pkey');
  perform keep_history(record_table);

  -- Every column of the new history but id, by name; a record column the old history lacks fails here on
  -- its not-null, or is named by the check below when it may be null.
  select string_agg(a.attname, ', ') into unmatched
  from pg_attribute a
  where a.attrelid = history_table::regclass and a.attnum > 0 and not a.attisdropped and a.attname <> 'id'
    and not exists (select 1 from pg_attribute o where o.attrelid = old_table::regclass and o.attname = a.attname
                    and o.attnum > 0 and not o.attisdropped);
  if unmatched is not null then
    raise exception '%: column(s) % of % have no value in its history', history_table, unmatched, record_table;
  end if;
  select string_agg(quote_ident(a.attname), ', ' order by a.attnum) into columns
  from pg_attribute a
  where a.attrelid = history_table::regclass and a.attnum > 0 and not a.attisdropped and a.attname <> 'id';
  execute format('insert into %I (id, %s) select %I, %s from %I', history_table, columns, old_id_column, columns, old_table);

  execute format('select count(*) from %I', old_table) into before_count;
  execute format('select count(*) from %I', history_table) into after_count;
  if before_count <> after_count then
    raise exception '%: % versions before the move, % after', history_table, before_count, after_count;
  end if;
  -- The old table's append-only trigger goes with it; the new table has keep_history's.
  execute format('drop table %I', old_table);
end $$;

-- The hand-written triggers go first: keep_history makes triggers of the same names.
drop trigger hazard_before_change on hazard;
drop trigger hazard_after_insert on hazard;
drop trigger hazard_after_update on hazard;
drop trigger land_release_before_change on land_release;
drop trigger land_release_after_insert on land_release;
drop trigger land_release_after_update on land_release;
drop function hazard_before_change();
drop function hazard_after_change();
drop function land_release_before_change();
drop function land_release_after_change();

select move_history_onto_keep_history('hazard', 'hazard_id');
select move_history_onto_keep_history('land_release', 'release_id');

drop function move_history_onto_keep_history(text, text);

-- Reading a record's history is by its id, as it was by hazard_id / release_id: the primary key (id, version)
-- serves it. The versions in ref order were reached through the record (ref is unique there), so no index more.
