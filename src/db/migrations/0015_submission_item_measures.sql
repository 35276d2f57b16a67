-- Fast submissions (docs/decisions/0018). An item's geometry is kept as json, not jsonb: it is only ever
-- stored and read back whole, never queried inside, and jsonb turns every coordinate into a numeric on the
-- way in and back on the way out, which made writing and reading the items of a large submission slow.
alter table submission_item alter column geometry type json using geometry::json;
-- What the check of the submission measured in each item's geometry alone (validity, area, the national
-- outline, the split by province and district), with the reference data version it was measured against:
-- the approval reuses it instead of measuring the same polygon again, when the reference data is unchanged.
alter table submission_item add column measures json;
-- A submission's file and its items' geometry are written once and read rarely, and compressed on the way in
-- (TOAST). lz4 compresses JSON about as well as the default (pglz) at a fraction of its time; a server built
-- without lz4 (and the embedded engine) keeps the default.
do $$
begin
  if exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)) then
    alter table submission alter column content set compression lz4;
    alter table submission_item alter column geometry set compression lz4;
    alter table submission_item alter column properties set compression lz4;
  end if;
end $$;
