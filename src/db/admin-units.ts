// Placing point records (EO finds, call-outs, accidents) in the administrative units: the province, district
// and commune holding each point, from the units' geometry, and a village named by code placed in its commune.
// Both are set-wise, one statement for a whole file, using the subdivided parts and their GiST index.
import type { Queryable } from './engine.ts';

export interface LonLat {
  lon: number;
  lat: number;
}

export interface PointPlacement {
  /** The unit of each level whose geometry covers the point; null when none does (the Tonle Sap, the sea). On a
   * boundary shared by two units, the lower code, as overlaps were given when the levels were partitioned. */
  province_code: string | null;
  district_code: string | null;
  commune_code: string | null;
  /** Inside the national outline (which holds every unit). */
  in_country: boolean;
  /** Within 10 km of it: the same `country.geom_within_10km` that polygons are checked against. */
  within_10km: boolean;
  /** Geodesic distance to the outline in km, measured only for points more than 10 km outside (for the error),
   * against the outline simplified to about 110 m: ten times faster than the full outline (25 ms a point), and
   * within 0.1 km of it, the precision the message gives. */
  distance_km: number | null;
}

/**
 * SQL for a WGS84 point from two float8 expressions. Coordinates are kept exactly as given: a JSON number
 * and a float8 are the same IEEE double, so nothing is rounded on the way in or out.
 */
export const pointFromLonLat = (lon: string, lat: string): string => `st_setsrid(st_makepoint(${lon}, ${lat}), 4326)`;

const pointsJson = (points: LonLat[]): string => JSON.stringify(points.map((p, idx) => ({ idx, lon: p.lon, lat: p.lat })));

/** Province, district and commune of each point, in the order given, and where it lies against the country. */
export async function assignUnitsToPoints(tx: Queryable, points: LonLat[]): Promise<PointPlacement[]> {
  if (points.length === 0) return [];
  // The units come from admin_units_at (migration 0005), the one rule every point record is placed by (finds
  // call it in their own check); the outline repeats on every row, so PostGIS prepares it once (geometry-sql.ts).
  const result = await tx.query<PointPlacement & { idx: number }>(
    `with pt as materialized (
       select r.idx, ${pointFromLonLat('r.lon', 'r.lat')} as geom
       from jsonb_to_recordset($1::jsonb) as r(idx integer, lon double precision, lat double precision)
     ),
     outline as materialized (select st_simplifypreservetopology(geom, 0.001)::geography as g from country),
     units as (select pt.idx, a.* from pt cross join lateral admin_units_at(pt.geom) a)
     select u.idx, u.province_code, u.district_code, u.commune_code,
            st_covers(k.geom, pt.geom) as in_country,
            st_covers(k.geom_within_10km, pt.geom) as within_10km,
            case when not st_covers(k.geom_within_10km, pt.geom)
                 then st_distance(pt.geom::geography, o.g) / 1000 end as distance_km
     from units u join pt on pt.idx = u.idx cross join country k cross join outline o
     order by u.idx`,
    [pointsJson(points)],
  );
  if (result.rows.length !== points.length) {
    throw new Error(`placing ${points.length} points returned ${result.rows.length} rows (is the national outline loaded?)`);
  }
  return result.rows.map(({ idx: _idx, ...placement }) => placement);
}

export interface PlacedVillage {
  province_code: string | null;
  district_code: string | null;
  commune_code: string;
  /**
   * An approximate location: a point on the surface of the village's commune polygon (the gazetteer gives
   * villages no coordinates, and no open source does). Null when the commune has no polygon (created after
   * the 2014 boundaries; docs/reference-data.md).
   */
  lon: number | null;
  lat: number | null;
}

/**
 * Each village named by code, with its commune, district and province from the gazetteer and an approximate
 * point in its commune. Unknown codes (and codes of other levels) are absent from the map.
 */
export async function placeVillages(tx: Queryable, codes: string[]): Promise<Map<string, PlacedVillage>> {
  const wanted = [...new Set(codes)];
  if (wanted.length === 0) return new Map();
  const result = await tx.query<PlacedVillage & { code: string }>(
    `select v.code, c.code as commune_code, d.code as district_code, d.parent_code as province_code,
            st_x(s.pt) as lon, st_y(s.pt) as lat
     from admin_unit v
     join admin_unit c on c.code = v.parent_code
     left join admin_unit d on d.code = c.parent_code
     cross join lateral (select st_pointonsurface(c.geom) as pt) s
     where v.level = 'village' and v.code = any($1::text[])
     order by v.code`,
    [wanted],
  );
  return new Map(result.rows.map(({ code, ...village }) => [code, village]));
}
