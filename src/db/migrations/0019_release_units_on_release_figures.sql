-- A release counts wholly in its hazard's province and district when the hazard lies in one of each (nearly
-- every hazard): those two units are kept on its release_figures row, and release_unit_share keeps only the
-- split of the releases of hazards over several units. Two rows per release were written (and read by the
-- reports as of a date) to say what the hazard's own shares already said.
alter table release_figures add column province_code text, add column district_code text,
  -- 'unassigned' for a hazard wholly in no unit, as in hazard_unit_share: not a key to admin_unit.
  add constraint release_figures_units_together check ((province_code is null) = (district_code is null));

update release_figures f set province_code = p.unit_code, district_code = d.unit_code
from release_unit_share p, release_unit_share d
where p.release_id = f.release_id and p.level = 'province' and d.release_id = f.release_id and d.level = 'district'
  and not exists (select 1 from hazard_unit_share o where o.hazard_id = f.hazard_id group by o.level having count(*) > 1);

delete from release_unit_share x using release_figures f where f.release_id = x.release_id and f.province_code is not null;
