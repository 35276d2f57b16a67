// EO finds in the database: the checks that need the record (the country, the units a point lies in, the
// refs it names, whether its ref is taken) and the writes, set-wise per chunk. Versions and history come
// from keep_history('find') (0005_record_kinds.sql).
import type { Queryable } from './engine.ts';
import { hazardsSeen, releasesSeen, type PendingRecords } from './pending-records.ts';

/** A find as the import hands it over: the exchange fields, normalised, and its point. */
export interface StagedFind {
  idx: number;
  ref: string;
  category: string;
  model: string;
  quantity: number;
  found_on: string;
  destroyed_on: string | null;
  destruction_method: string | null;
  depth_cm: number | null;
  condition: string | null;
  operator_code: string | null;
  release_ref: string | null;
  hazard_ref: string | null;
  lon: number;
  lat: number;
  /** The official find this item writes into (an update), or null for a new one. */
  target_ref: string | null;
  /** The exchange fields the item gave: an update changes only these (a field left out keeps its value). */
  given: string[];
}

export interface FindCheck {
  idx: number;
  ref_exists: boolean;
  within_10km: boolean;
  in_country: boolean;
  distance_km: number | null;
  province_code: string | null;
  district_code: string | null;
  commune_code: string | null;
  /** The hazard of the named release (so a find in a release is also in its hazard). */
  release_hazard_ref: string | null;
  release_known: boolean;
  hazard_known: boolean;
}

export async function checkFinds(q: Queryable, finds: StagedFind[], pending?: PendingRecords): Promise<FindCheck[]> {
  if (finds.length === 0) return [];
  const input = finds.map((f) => ({ idx: f.idx, ref: f.ref, lon: f.lon, lat: f.lat, release_ref: f.release_ref, hazard_ref: f.hazard_ref, target_ref: f.target_ref }));
  const result = await q.query<FindCheck>(
    `with input as (
       select x.*, st_setsrid(st_makepoint(x.lon, x.lat), 4326) as geom
       from jsonb_to_recordset($1::jsonb) as x(idx integer, ref text, lon float8, lat float8, release_ref text, hazard_ref text, target_ref text))
     select i.idx,
            (i.target_ref is null and exists (select 1 from find f where f.ref = i.ref)) as ref_exists,
            st_covers(k.geom_within_10km, i.geom) as within_10km,
            st_covers(k.geom, i.geom) as in_country,
            case when st_covers(k.geom_within_10km, i.geom) then null
                 else st_distance(k.geom::geography, i.geom::geography) / 1000 end as distance_km,
            u.province_code, u.district_code, u.commune_code,
            h.ref as release_hazard_ref,
            (i.release_ref is null or r.id is not null) as release_known,
            (i.hazard_ref is null or exists (select 1 from ${hazardsSeen(pending)} hz where hz.ref = i.hazard_ref)) as hazard_known
     from input i
     cross join country k
     cross join lateral admin_units_at(i.geom) u
     left join ${releasesSeen(pending)} r on r.ref = i.release_ref
     left join ${hazardsSeen(pending)} h on h.id = r.hazard_id
     order by i.idx`,
    [JSON.stringify(input)],
  );
  return result.rows;
}

const COLUMNS = ['category', 'model', 'quantity', 'found_on', 'destroyed_on', 'destruction_method', 'depth_cm', 'condition',
  'operator_code', 'release_ref', 'hazard_ref'] as const;

/** The exchange field that fills each column (an update changes the columns whose field the item gave). */
const FIELD_OF: Record<(typeof COLUMNS)[number], string> = {
  category: 'category', model: 'model', quantity: 'quantity', found_on: 'found_on', destroyed_on: 'destroyed_on',
  destruction_method: 'destruction_method', depth_cm: 'depth_cm', condition: 'condition', operator_code: 'operator',
  release_ref: 'release_ref', hazard_ref: 'hazard_ref',
};

const RECORDSET = `jsonb_to_recordset($1::jsonb) as x(ref text, target_ref text, category text, model text, quantity integer,
  found_on date, destroyed_on date, destruction_method text, depth_cm integer, condition text, operator_code text,
  release_ref text, hazard_ref text, lon float8, lat float8, given text[], province_code text, district_code text,
  commune_code text)`;

/** Inserts the new finds and updates the targeted ones; returns how many of each. */
export async function writeFinds(
  tx: Queryable,
  finds: (StagedFind & { province_code: string | null; district_code: string | null; commune_code: string | null })[],
  change: { changedBy: string; reason: string; batchId: number },
): Promise<{ inserted: number; updated: number }> {
  const fresh = finds.filter((f) => f.target_ref === null);
  const updates = finds.filter((f) => f.target_ref !== null);
  const params = (rows: typeof finds) => [JSON.stringify(rows), change.changedBy, change.reason, change.batchId];
  let inserted = 0;
  if (fresh.length > 0) {
    const result = await tx.query(
      `insert into find (ref, ${COLUMNS.join(', ')}, province_code, district_code, commune_code, geom, changed_by, change_reason, batch_id)
       select x.ref, ${COLUMNS.map((c) => `x.${c}`).join(', ')}, x.province_code, x.district_code, x.commune_code,
              st_setsrid(st_makepoint(x.lon, x.lat), 4326), $2, $3, $4
       from ${RECORDSET}`,
      params(fresh),
    );
    inserted = result.rowCount;
  }
  let updated = 0;
  if (updates.length > 0) {
    // A field the item left out keeps its value; the place is always given (a find is a point).
    const set = COLUMNS.map((c) => `${c} = case when '${FIELD_OF[c]}' = any(x.given) then x.${c} else f.${c} end`).join(',\n         ');
    const result = await tx.query(
      `update find f set
         ${set},
         ref = x.ref, location_approximate = false,
         province_code = x.province_code, district_code = x.district_code, commune_code = x.commune_code,
         geom = st_setsrid(st_makepoint(x.lon, x.lat), 4326), changed_by = $2, change_reason = $3, batch_id = $4
       from ${RECORDSET}
       where f.ref = x.target_ref`,
      params(updates),
    );
    updated = result.rowCount;
  }
  return { inserted, updated };
}
