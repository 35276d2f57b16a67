-- Fast submissions (docs/decisions/0018). An item's geometry is kept as json, not jsonb: it is only ever
-- stored and read back whole, never queried inside, and jsonb turns every coordinate into a numeric on the
-- way in and back on the way out, which made writing and reading the items of a large submission slow.
alter table submission_item alter column geometry type json using geometry::json;
-- What the check of the submission measured in each item's geometry alone (validity, area, the national
-- outline, the split by province and district), with the reference data version it was measured against:
-- the approval reuses it instead of measuring the same polygon again, when the reference data is unchanged.
alter table submission_item add column measures json;
