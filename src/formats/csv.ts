// CSV reader: one record per row, the exchange format's fields as columns, the geometry as WKT in a
// column named wkt, geometry or geom. List fields (contamination) are separated by ";", "," or "|";
// devices are a JSON array in their column.
import { parse } from 'csv-parse/sync';
import { wktToGeoJSON } from '@terraformer/wkt';
import type { Geometry } from 'geojson';
import { ClearwayError, type RecordProblem } from '../domain/problems.ts';
import type { RawRecord } from './records.ts';

const GEOMETRY_COLUMNS = ['wkt', 'geometry', 'geom', 'the_geom'];
const LIST_COLUMNS = new Set(['contamination']);
const JSON_COLUMNS = new Set(['devices']);

export interface CsvRow {
  record: string[];
  info: { lines: number };
}

/**
 * The rows of a CSV file with the line each ends on; a file that cannot be read is a file-level problem.
 * `maxRows` stops the parser after that many rows (plus one, so the caller can tell a file that has more).
 */
export function readRows(text: string, maxRows?: number): CsvRow[] {
  try {
    const limit = maxRows === undefined ? {} : { to: maxRows + 1 };
    return parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true, ...limit }) as unknown as CsvRow[];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    if (code === 'CSV_QUOTE_NOT_CLOSED') throw new ClearwayError('file.truncated', `The CSV file ends inside a quoted field: ${message}`);
    throw new ClearwayError('file.malformed', `The CSV file cannot be read: ${message}`);
  }
}

function cellValue(column: string, cell: string, line: number, problems: RecordProblem[]): unknown {
  if (cell === '') return undefined;
  if (LIST_COLUMNS.has(column)) {
    const trimmed = cell.trim();
    if (trimmed.startsWith('[')) {
      try {
        return JSON.parse(trimmed) as unknown;
      } catch {
        /* fall through to separators */
      }
    }
    return trimmed.split(/[;,|]/).map((part) => part.trim()).filter(Boolean);
  }
  if (JSON_COLUMNS.has(column)) {
    try {
      return JSON.parse(cell) as unknown;
    } catch (error) {
      problems.push({ severity: 'error', code: 'device.invalid', line, field: column, reason: `not a JSON array: ${(error as Error).message}` });
      return undefined;
    }
  }
  return cell;
}

const LON_COLUMNS = ['lon', 'longitude', 'long', 'lng'];
const LAT_COLUMNS = ['lat', 'latitude'];
const DECIMAL_DEGREES = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** A point from its two columns, decimal degrees as written (the text is read once, so no digit is lost). */
function pointOf(lonText: string, latText: string, line: number, problems: RecordProblem[]): Geometry | null {
  if (lonText === '' && latText === '') return null;
  for (const [field, text] of [['lon', lonText], ['lat', latText]] as const) {
    if (!DECIMAL_DEGREES.test(text)) {
      problems.push({ severity: 'error', code: 'geometry.malformed', line, field, reason: `${JSON.stringify(text)} is not a number of decimal degrees` });
      return null;
    }
  }
  return { type: 'Point', coordinates: [Number(lonText), Number(latText)] };
}

export function readCsv(text: string): RawRecord[] {
  const rows = readRows(text);
  const header = rows[0];
  if (!header) throw new ClearwayError('file.empty', 'The CSV file is empty');
  const columns = header.record.map((name) => name.trim().toLowerCase());
  const geometryColumn = columns.find((name) => GEOMETRY_COLUMNS.includes(name));
  // Points (EO finds) come as two columns as often as WKT: lon/lat, longitude/latitude.
  const lonColumn = columns.find((name) => LON_COLUMNS.includes(name));
  const latColumn = columns.find((name) => LAT_COLUMNS.includes(name));
  const coordinates = !geometryColumn && lonColumn && latColumn ? { lon: columns.indexOf(lonColumn), lat: columns.indexOf(latColumn) } : null;
  if (!geometryColumn && !coordinates) {
    throw new ClearwayError('file.malformed', `The CSV header has no geometry column (one of ${GEOMETRY_COLUMNS.join(', ')}, or lon and lat): ${columns.join(', ')}`);
  }
  return rows.slice(1).map(({ record, info }): RawRecord => {
    const line = info.lines;
    const problems: RecordProblem[] = [];
    if (record.length !== columns.length) {
      problems.push({ severity: 'error', code: 'record.malformed', line, reason: `${record.length} fields where the header has ${columns.length}` });
    }
    const properties: Record<string, unknown> = {};
    let geometry: Geometry | null = null;
    let written: RawRecord['coordinates'];
    if (coordinates) {
      const [lonText, latText] = [record[coordinates.lon] ?? '', record[coordinates.lat] ?? ''];
      geometry = pointOf(lonText, latText, line, problems);
      written = { lonText, latText, lonField: columns[coordinates.lon]!, latField: columns[coordinates.lat]! };
    }
    columns.forEach((column, i) => {
      const cell = record[i] ?? '';
      // PostgreSQL text cannot hold NUL: named here, by line and column, rather than failing the whole import.
      if (cell.includes('\u0000')) {
        problems.push({ severity: 'error', code: 'text.unstorable', line, field: column, reason: 'holds a NUL byte (U+0000), which cannot be stored' });
        return;
      }
      if (coordinates && (i === coordinates.lon || i === coordinates.lat)) return;
      if (column === geometryColumn) {
        if (cell === '') return;
        try {
          geometry = wktToGeoJSON(cell);
        } catch (error) {
          problems.push({ severity: 'error', code: 'geometry.malformed', line, field: column, reason: `not WKT: ${(error as Error).message}` });
        }
        return;
      }
      const value = cellValue(column, cell, line, problems);
      if (value !== undefined) properties[column] = value;
    });
    if (typeof properties.ref === 'string') for (const p of problems) p.ref = properties.ref;
    return { line, properties, geometry, problems, ...(written ? { coordinates: written } : {}) };
  });
}
