// What every reader produces: the records of a file, each with its place in the file, its properties as
// written, and its geometry (or why the geometry could not be read).
import type { Geometry } from 'geojson';
import type { RecordProblem } from '../domain/problems.ts';

export interface RawRecord {
  /** 0-based feature index (GeoJSON) */
  feature?: number;
  /** 1-based line (CSV, header is line 1) */
  line?: number;
  properties: Record<string, unknown>;
  geometry: Geometry | null;
  /** Problems found while reading this record (the geometry text, a JSON column...). */
  problems: RecordProblem[];
  /** A point's coordinates as written, where the format keeps the text (CSV lon/lat columns). */
  coordinates?: { lonText: string; latText: string; lonField: string; latField: string };
}

export type FormatId = 'geojson' | 'csv';

/** Where a record sits in its file, as problems name it: its feature (GeoJSON) or its line (CSV). */
export function placeOf(record: RawRecord): { feature: number } | { line: number | undefined } {
  return record.feature !== undefined ? { feature: record.feature } : { line: record.line };
}

/** The record's ref as written, trimmed; null when it has none. */
export function refOf(record: RawRecord): string | null {
  const raw = record.properties.ref;
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : null;
}
