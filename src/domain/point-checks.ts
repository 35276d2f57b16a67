// Checks on one point record's coordinates before it reaches the database: readable numbers, latitude and
// longitude in the right order, and enough decimal places. Whether the point lies within 10 km of the country
// and which units hold it are decided by PostGIS (src/db/admin-units.ts), against the same national outline
// as polygons.
import type { Geometry } from 'geojson';
import { COUNTRY_EXTENT } from './geometry-checks.ts';

/** Decimal places a coordinate should keep: 6 decimals of a degree are about 0.1 m on the ground. */
export const MIN_DECIMAL_PLACES = 6;

/** Metres on the ground of one unit in the last decimal place (a degree of latitude is about 111.3 km). */
const metresPerDecimal = (places: number): number => 111_320 * 10 ** -places;

const inExtent = (lon: number, lat: number): boolean =>
  lon >= COUNTRY_EXTENT.minLon && lon <= COUNTRY_EXTENT.maxLon && lat >= COUNTRY_EXTENT.minLat && lat <= COUNTRY_EXTENT.maxLat;

/**
 * True when the pair only makes sense swapped: (lon, lat) lies outside Cambodia's extent but (lat, lon) inside.
 * Cambodia's longitudes (102-108) and latitudes (10-15) do not overlap, so a swapped pair lands off the map
 * (latitude 102 does not exist) and is never a real place; a point merely outside the country is not "swapped".
 */
export function latLonSwapped(lon: number, lat: number): boolean {
  return !inExtent(lon, lat) && inExtent(lat, lon);
}

/**
 * Decimal places of a coordinate as written: "104.916700" has 6 (trailing zeros count: the operator wrote
 * them), "104.9" has 1, "104" has 0, "1.049167e2" has 4. Null when the text is not a plain decimal number.
 */
export function decimalPlaces(text: string): number | null {
  const match = /^\s*[+-]?(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (match === null) return null;
  const fraction = match[2] ?? '';
  const exponent = match[3] === undefined ? 0 : Number(match[3]);
  return Math.max(0, fraction.length - exponent);
}

/**
 * Whether a coordinate keeps at least 6 decimal places. Give the text as written when the format has it (CSV,
 * a form): a JSON number has already lost its trailing zeros (104.900000 reads as 104.9), so a number is judged
 * by its shortest form and may be judged short when the file was not.
 */
export function keepsSixDecimals(raw: string | number): boolean {
  const places = decimalPlaces(typeof raw === 'number' ? String(raw) : raw);
  return places !== null && places >= MIN_DECIMAL_PLACES;
}

export interface PointCoordinates {
  lon: number;
  lat: number;
  /** The coordinates as written, when the format keeps the text (CSV); else the numbers are judged. */
  lonText?: string;
  latText?: string;
}

export interface PointProblem {
  severity: 'error' | 'note';
  code: 'geometry.malformed' | 'geometry.swapped-coordinates' | 'geometry.low-precision';
  field: string;
  reason: string;
}

/**
 * Every problem of one point's coordinates, for the record's report. A short coordinate is a note, not an
 * error (docs/decisions/0013): the point is still where the operator put it, only less precisely known, and
 * refusing it would lose the record. The coordinate is stored as written, never rounded.
 */
export function checkPointCoordinates(point: PointCoordinates, fields: { lon: string; lat: string } = { lon: 'lon', lat: 'lat' }): PointProblem[] {
  const { lon, lat } = point;
  if (!Number.isFinite(lon) || lon < -180 || lon > 180) {
    return [{ severity: 'error', code: 'geometry.malformed', field: fields.lon, reason: `longitude ${String(lon)} is not a number between -180 and 180` }];
  }
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) {
    // A latitude beyond 90 in Cambodia's longitude range is the swap, said plainly.
    if (Number.isFinite(lat) && latLonSwapped(lon, lat)) return [swapped(lon, lat, fields)];
    return [{ severity: 'error', code: 'geometry.malformed', field: fields.lat, reason: `latitude ${String(lat)} is not a number between -90 and 90` }];
  }
  if (latLonSwapped(lon, lat)) return [swapped(lon, lat, fields)];
  const problems: PointProblem[] = [];
  for (const [axis, value, text] of [['lon', lon, point.lonText], ['lat', lat, point.latText]] as const) {
    const written = text ?? String(value);
    const places = decimalPlaces(written);
    if (places !== null && places < MIN_DECIMAL_PLACES) {
      problems.push({
        severity: 'note', code: 'geometry.low-precision', field: fields[axis],
        reason: `${written} has ${places} decimal place${places === 1 ? '' : 's'} (about ${formatMetres(metresPerDecimal(places))}); ${MIN_DECIMAL_PLACES} keep about 0.1 m`,
      });
    }
  }
  return problems;
}

function swapped(lon: number, lat: number, fields: { lon: string; lat: string }): PointProblem {
  return {
    severity: 'error', code: 'geometry.swapped-coordinates', field: fields.lon,
    reason: `${fields.lon} ${lon}, ${fields.lat} ${lat} lies off the map; swapped (${lat}, ${lon}) it is in Cambodia: latitude and longitude are swapped`,
  };
}

const formatMetres = (m: number): string => (m >= 1000 ? `${Math.round(m / 1000)} km` : m >= 1 ? `${Math.round(m)} m` : `${m.toFixed(1)} m`);

export type PointGeometryCheck =
  | { ok: true; lon: number; lat: number; problems: PointProblem[] }
  | { ok: false; problems: PointProblem[] | [{ severity: 'error'; code: 'geometry.missing' | 'geometry.type'; field: string; reason: string }] };

/**
 * A point record's geometry: a GeoJSON Point (from GeoJSON, WKT or lon/lat columns) and its coordinates'
 * checks. `written` is the coordinates' text where the file kept it (CSV columns), with the columns' names.
 */
export function checkPointGeometry(geometry: Geometry | null, written?: { lonText: string; latText: string; lonField: string; latField: string }): PointGeometryCheck {
  if (!geometry) return { ok: false, problems: [{ severity: 'error', code: 'geometry.missing', field: 'geometry', reason: 'the record has no point (give a GeoJSON Point, lon and lat columns, or POINT WKT)' }] };
  if (geometry.type !== 'Point') return { ok: false, problems: [{ severity: 'error', code: 'geometry.type', field: 'geometry', reason: `a ${geometry.type} where a Point is expected` }] };
  const [lon, lat] = geometry.coordinates as unknown[];
  if (typeof lon !== 'number' || typeof lat !== 'number') {
    return { ok: false, problems: [{ severity: 'error', code: 'geometry.malformed', field: 'geometry', reason: 'the point needs two numbers, longitude and latitude' }] };
  }
  const fields = written ? { lon: written.lonField, lat: written.latField } : { lon: 'geometry', lat: 'geometry' };
  const problems = checkPointCoordinates({ lon, lat, lonText: written?.lonText, latText: written?.latText }, fields);
  return problems.some((p) => p.severity === 'error') ? { ok: false, problems } : { ok: true, lon, lat, problems };
}
