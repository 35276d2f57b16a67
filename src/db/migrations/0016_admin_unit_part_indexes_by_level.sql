-- Every lookup in admin_unit_part asks for one level or the two land levels and a geometry. With a btree on
-- level beside the GiST on geom, the planner ANDed both: for each hazard it scanned the thousands of parts of
-- those levels in the btree to keep the two or three the GiST had already found (0.1 ms a hazard, 40% of the
-- split of 4,000 hazards by unit). Partial GiST indexes answer "this level, near this geometry" alone.
drop index if exists admin_unit_part_level_idx;
create index admin_unit_part_land_geom_idx on admin_unit_part using gist (geom) where level in ('province', 'district');
create index admin_unit_part_commune_geom_idx on admin_unit_part using gist (geom) where level = 'commune';
analyze admin_unit_part;
