// A polygon pasted as text, as field people get it from GPS units, QGIS and PostGIS: GeoJSON (a geometry, a
// Feature, or a FeatureCollection of one feature) or WKT (POLYGON or MULTIPOLYGON in any letter case, with an
// optional `SRID=4326;` prefix and Z or M values). Only the reading is checked here; whether the polygon is a
// good one (closed rings, no self-intersection, inside Cambodia) is the server's check, reported like a file's.
import type { MultiPolygon, Polygon, Position } from 'geojson';

export type PolygonalGeometry = Polygon | MultiPolygon;

/** Why a pasted text could not be read as a polygon; each has a message in the locales (polygon.pasteProblem). */
export const pastedGeometryReasons = ['empty', 'not-polygon', 'wkt-malformed', 'geojson-malformed', 'several-features', 'other-crs'] as const;
export type PastedGeometryReason = (typeof pastedGeometryReasons)[number];

export type PastedGeometry =
  | { valid: true; geometry: PolygonalGeometry; format: 'wkt' | 'geojson' }
  | { valid: false; reason: PastedGeometryReason; detail: string };

function problem(reason: PastedGeometryReason, detail = ''): PastedGeometry {
  return { valid: false, reason, detail };
}

class WktError extends Error {}

/** Reads WKT left to right; positions keep longitude and latitude only (Z and M values are heights and measures). */
class WktReader {
  private at = 0;
  constructor(private readonly text: string) {}

  private skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at] ?? '')) this.at += 1;
  }

  private fail(expected: string): never {
    const found = this.text.slice(this.at, this.at + 12);
    throw new WktError(found ? `expected ${expected} at "${found}"` : `expected ${expected} at the end`);
  }

  private expect(character: string): void {
    this.skipSpace();
    if (this.text[this.at] !== character) this.fail(`"${character}"`);
    this.at += 1;
  }

  private next(character: string): boolean {
    this.skipSpace();
    if (this.text[this.at] !== character) return false;
    this.at += 1;
    return true;
  }

  word(): string {
    this.skipSpace();
    const match = /^[A-Za-z]+/.exec(this.text.slice(this.at));
    if (!match) return '';
    this.at += match[0].length;
    return match[0].toUpperCase();
  }

  private number(): number {
    this.skipSpace();
    const match = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(this.text.slice(this.at));
    if (!match) this.fail('a number');
    this.at += match[0].length;
    return Number(match[0]);
  }

  private position(): Position {
    const lon = this.number();
    const lat = this.number();
    // Up to two more ordinates (Z, M, or both) are read and left out.
    for (let extra = 0; extra < 2; extra += 1) {
      this.skipSpace();
      if (!/[-+.\d]/.test(this.text[this.at] ?? '')) break;
      this.number();
    }
    return [lon, lat];
  }

  private list<T>(item: () => T): T[] {
    this.expect('(');
    const items = [item()];
    while (this.next(',')) items.push(item());
    this.expect(')');
    return items;
  }

  polygon(): Position[][] {
    return this.list(() => this.list(() => this.position()));
  }

  multiPolygon(): Position[][][] {
    return this.list(() => this.polygon());
  }

  end(): void {
    this.skipSpace();
    if (this.text[this.at] === ';') this.at += 1;
    this.skipSpace();
    if (this.at < this.text.length) this.fail('the end of the text');
  }
}

const polygonalWords = ['POLYGON', 'MULTIPOLYGON'];

function readWkt(text: string): PastedGeometry {
  let body = text;
  const srid = /^\s*SRID\s*=\s*(\d+)\s*;/i.exec(body);
  if (srid) {
    if (srid[1] !== '4326') return problem('other-crs', `EPSG:${srid[1]}`);
    body = body.slice(srid[0].length);
  }
  const reader = new WktReader(body);
  let word = reader.word();
  // QGIS writes "PolygonZ", others "POLYGON Z" or "POLYGON ZM".
  const glued = /^(POLYGON|MULTIPOLYGON)(ZM|Z|M)$/.exec(word);
  if (glued?.[1]) word = glued[1];
  if (!polygonalWords.includes(word)) return problem('not-polygon', word || body.trim().slice(0, 20));
  const dimension = glued ? '' : reader.word();
  if (dimension === 'EMPTY') return problem('empty');
  if (dimension !== '' && !['Z', 'M', 'ZM'].includes(dimension)) return problem('wkt-malformed', `unexpected "${dimension}"`);
  try {
    const geometry: PolygonalGeometry =
      word === 'POLYGON' ? { type: 'Polygon', coordinates: reader.polygon() } : { type: 'MultiPolygon', coordinates: reader.multiPolygon() };
    reader.end();
    return { valid: true, geometry, format: 'wkt' };
  } catch (error) {
    if (error instanceof WktError) return problem('wkt-malformed', error.message);
    throw error;
  }
}

function isPosition(value: unknown): value is Position {
  return Array.isArray(value) && value.length >= 2 && value.every((ordinate) => typeof ordinate === 'number' && Number.isFinite(ordinate));
}

function readRings(value: unknown): Position[][] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const rings: Position[][] = [];
  for (const ring of value) {
    if (!Array.isArray(ring) || ring.length === 0 || !ring.every(isPosition)) return null;
    rings.push(ring.map((position: Position) => [position[0] ?? 0, position[1] ?? 0]));
  }
  return rings;
}

function objectOf(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** The old GeoJSON `crs` member (QGIS still writes it): anything but WGS84 longitude/latitude is refused. */
function otherCrs(document: Record<string, unknown>): string | null {
  const name = objectOf(objectOf(document['crs'])?.['properties'])?.['name'];
  if (typeof name !== 'string') return null;
  return /CRS84|EPSG:+4326$/i.test(name) ? null : name;
}

function readGeoJson(text: string): PastedGeometry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return problem('geojson-malformed', error instanceof Error ? error.message : String(error));
  }
  let document = objectOf(parsed);
  if (!document) return problem('geojson-malformed', 'not a GeoJSON object');
  const crs = otherCrs(document);
  if (crs) return problem('other-crs', crs);
  if (document['type'] === 'FeatureCollection') {
    const features = Array.isArray(document['features']) ? document['features'] : [];
    if (features.length === 0) return problem('empty');
    if (features.length > 1) return problem('several-features', String(features.length));
    document = objectOf(features[0]);
  }
  if (document?.['type'] === 'Feature') document = objectOf(document['geometry']);
  if (!document) return problem('empty');
  const type = document['type'];
  const coordinates = document['coordinates'];
  if (type === 'Polygon') {
    const rings = readRings(coordinates);
    return rings ? { valid: true, geometry: { type, coordinates: rings }, format: 'geojson' } : problem('geojson-malformed', 'Polygon coordinates');
  }
  if (type === 'MultiPolygon') {
    if (!Array.isArray(coordinates) || coordinates.length === 0) return problem('geojson-malformed', 'MultiPolygon coordinates');
    const polygons: Position[][][] = [];
    for (const polygon of coordinates) {
      const rings = readRings(polygon);
      if (!rings) return problem('geojson-malformed', 'MultiPolygon coordinates');
      polygons.push(rings);
    }
    return { valid: true, geometry: { type, coordinates: polygons }, format: 'geojson' };
  }
  return problem('not-polygon', typeof type === 'string' ? type : '');
}

/** The polygon in a pasted text, or why it cannot be read. */
export function parsePastedGeometry(text: string): PastedGeometry {
  const trimmed = text.trim();
  if (trimmed === '') return problem('empty');
  return trimmed.startsWith('{') ? readGeoJson(trimmed) : readWkt(trimmed);
}

/** How many corners a polygon has (the closing repeat of the first one not counted), for the officer to check. */
export function cornerCount(geometry: PolygonalGeometry): number {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let count = 0;
  for (const polygon of polygons) {
    for (const ring of polygon) {
      const first = ring[0];
      const last = ring[ring.length - 1];
      const closed = ring.length > 1 && first !== undefined && last !== undefined && first[0] === last[0] && first[1] === last[1];
      count += closed ? ring.length - 1 : ring.length;
    }
  }
  return count;
}
