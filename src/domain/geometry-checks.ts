// Cheap checks on a GeoJSON geometry before it reaches the database: the shape of the coordinates, closed
// rings, enough distinct vertices, and latitude/longitude swapped. Validity, self-intersection and the
// distance to the country are decided by PostGIS (src/db/geometry.ts), which is exact.
import { MAX_VERTICES_PER_POLYGON } from './limits.ts';
import type { Geometry, Polygon, MultiPolygon, Position } from 'geojson';

/** Cambodia's extent with a margin: used only to recognise swapped coordinates. */
export const COUNTRY_EXTENT = { minLon: 102.3, maxLon: 107.7, minLat: 10.3, maxLat: 14.7 } as const;

export type GeometryCheck =
  | { ok: true; geometry: Polygon | MultiPolygon; vertexCount: number }
  | { ok: false; code: 'geometry.missing' | 'geometry.type' | 'geometry.malformed' | 'geometry.unclosed-ring' | 'geometry.too-few-vertices' | 'geometry.too-many-vertices' | 'geometry.swapped-coordinates'; reason: string };

const isPosition = (value: unknown): value is Position =>
  Array.isArray(value) && value.length >= 2 && value.every((n) => typeof n === 'number' && Number.isFinite(n));

function isPositionList(ring: unknown): ring is Position[] {
  if (!Array.isArray(ring)) return false;
  for (const position of ring) if (!isPosition(position)) return false;
  return true;
}

/** Whether the ring has at least 3 distinct vertices; stops at the third (rings have hundreds). */
function hasThreeDistinct(ring: Position[]): boolean {
  const [a] = ring;
  if (!a) return false;
  let b: Position | undefined;
  for (const p of ring) {
    if (p[0] === a[0] && p[1] === a[1]) continue;
    if (!b) {
      b = p;
      continue;
    }
    if (p[0] !== b[0] || p[1] !== b[1]) return true;
  }
  return false;
}

function distinctCount(ring: Position[]): number {
  return new Set(ring.map((p) => `${p[0]},${p[1]}`)).size;
}

function ringProblem(ring: unknown, label: string): GeometryCheck | null {
  if (!isPositionList(ring)) {
    return { ok: false, code: 'geometry.malformed', reason: `${label} is not a list of [longitude, latitude] positions` };
  }
  const first = ring[0];
  const last = ring.at(-1);
  if (!first || !last || first[0] !== last[0] || first[1] !== last[1]) {
    return { ok: false, code: 'geometry.unclosed-ring', reason: `${label} does not end where it starts` };
  }
  if (!hasThreeDistinct(ring)) {
    return { ok: false, code: 'geometry.too-few-vertices', reason: `${label} has ${distinctCount(ring)} distinct vertices; a polygon needs at least 3` };
  }
  return null;
}

function polygonsOf(geometry: Polygon | MultiPolygon): unknown[] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : (geometry.coordinates as unknown[]);
}

function bounds(polygons: unknown[]): { minX: number; maxX: number; minY: number; maxY: number; count: number } {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity, count = 0;
  for (const polygon of polygons as Position[][][]) {
    for (const ring of polygon) {
      for (const [x, y] of ring as [number, number][]) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
        count += 1;
      }
    }
  }
  return { minX, maxX, minY, maxY, count };
}

export function checkPolygonGeometry(geometry: Geometry | null | undefined): GeometryCheck {
  if (geometry === null || geometry === undefined) return { ok: false, code: 'geometry.missing', reason: 'no geometry' };
  if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') {
    return { ok: false, code: 'geometry.type', reason: `${String(geometry.type)} given; a Polygon or MultiPolygon is needed` };
  }
  if (!Array.isArray(geometry.coordinates) || geometry.coordinates.length === 0) {
    return { ok: false, code: 'geometry.malformed', reason: 'no coordinates' };
  }
  const polygons = polygonsOf(geometry);
  for (const [p, polygon] of polygons.entries()) {
    if (!Array.isArray(polygon) || polygon.length === 0) {
      return { ok: false, code: 'geometry.malformed', reason: `polygon ${p + 1} has no rings` };
    }
    for (const [r, ring] of polygon.entries()) {
      const label = `${polygons.length > 1 ? `polygon ${p + 1} ` : ''}${r === 0 ? 'outer ring' : `hole ${r}`}`;
      const problem = ringProblem(ring, label);
      if (problem) return problem;
    }
  }
  const box = bounds(polygons);
  const lonRange = (v: number) => v >= COUNTRY_EXTENT.minLon && v <= COUNTRY_EXTENT.maxLon;
  const latRange = (v: number) => v >= COUNTRY_EXTENT.minLat && v <= COUNTRY_EXTENT.maxLat;
  if (latRange(box.minX) && latRange(box.maxX) && lonRange(box.minY) && lonRange(box.maxY)) {
    return {
      ok: false,
      code: 'geometry.swapped-coordinates',
      reason: `x runs ${box.minX.toFixed(4)} to ${box.maxX.toFixed(4)} and y ${box.minY.toFixed(4)} to ${box.maxY.toFixed(4)}: latitude and longitude are swapped (GeoJSON and WKT put longitude first)`,
    };
  }
  if (box.minY < -90 || box.maxY > 90 || box.minX < -180 || box.maxX > 180) {
    return { ok: false, code: 'geometry.malformed', reason: 'a coordinate is outside longitude -180..180 or latitude -90..90' };
  }
  if (box.count > MAX_VERTICES_PER_POLYGON) {
    return { ok: false, code: 'geometry.too-many-vertices', reason: `${box.count.toLocaleString('en-US')} vertices: at most ${MAX_VERTICES_PER_POLYGON.toLocaleString('en-US')} are accepted (simplify the polygon)` };
  }
  return { ok: true, geometry, vertexCount: box.count };
}

