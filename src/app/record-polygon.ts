// A record's polygon as the database takes it (hex WKB), or why it is none, and its geometry as JSON text:
// each worked out once per record. For a large file both are worked out in the reading thread
// (read-off-thread.ts), and the record's geometry then stays text until something asks for it: a file's
// coordinates are most of its bytes, and copying them between threads as objects cost more than reading them.
import type { Geometry } from 'geojson';
import { polygonToWkbHex } from '../db/wkb.ts';
import { checkPolygonGeometry } from '../domain/geometry-checks.ts';
import type { ProblemCode } from '../domain/problems.ts';
import type { RawRecord } from '../formats/records.ts';

export type PolygonOf = { ok: true; wkb: string } | { ok: false; code: ProblemCode; reason: string };

const polygons = new WeakMap<RawRecord, PolygonOf>();
const geometryTexts = new WeakMap<RawRecord, string>();

function measure(geometry: RawRecord['geometry']): PolygonOf {
  const check = checkPolygonGeometry(geometry);
  return check.ok ? { ok: true, wkb: polygonToWkbHex(check.geometry) } : { ok: false, code: check.code, reason: check.reason };
}

/** The record's polygon as hex WKB, or why it is no polygon a record can hold. */
export function polygonOf(record: RawRecord): PolygonOf {
  let found = polygons.get(record);
  if (!found) {
    found = measure(record.geometry);
    polygons.set(record, found);
  }
  return found;
}

/** The record's geometry as JSON text (null when it has none). */
export const geometryText = (record: RawRecord): string => geometryTexts.get(record) ?? JSON.stringify(record.geometry ?? null);

/** A record as the reading thread sends it: the geometry as text, the polygon (if it is one) worked out. */
export interface RecordSent {
  record: Omit<RawRecord, 'geometry'>;
  geometry: string;
  polygon?: PolygonOf;
}

export function toSend(record: RawRecord): RecordSent {
  const { geometry, ...rest } = record;
  const polygonal = geometry?.type === 'Polygon' || geometry?.type === 'MultiPolygon';
  return { record: rest, geometry: JSON.stringify(geometry ?? null), ...(polygonal ? { polygon: measure(geometry) } : {}) };
}

/** The record again, its geometry parsed from its text the first time it is asked for. */
export function received({ record, geometry: text, polygon }: RecordSent): RawRecord {
  let parsed = false;
  let geometry: Geometry | null = null;
  const whole = record as RawRecord;
  Object.defineProperty(whole, 'geometry', {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!parsed) {
        geometry = JSON.parse(text) as Geometry | null;
        parsed = true;
      }
      return geometry;
    },
    set: (value: Geometry | null) => {
      geometry = value;
      parsed = true;
      geometryTexts.delete(whole);
      polygons.delete(whole);
    },
  });
  geometryTexts.set(whole, text);
  if (polygon) polygons.set(whole, polygon);
  return whole;
}
