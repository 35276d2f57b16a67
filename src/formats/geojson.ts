// GeoJSON reader: a FeatureCollection (or a single Feature) of the exchange format.
import type { Geometry } from 'geojson';
import { ClearwayError } from '../domain/problems.ts';
import type { RawRecord } from './records.ts';

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message)?.[1];
    // A parse that fails where the text ends means the text stops early: the file was cut off.
    const atEnd = position === undefined || Number(position) >= text.trimEnd().length;
    if ((atEnd && /end of JSON input|Unterminated string|Expected/i.test(message)) || text.trim().length === 0) {
      throw new ClearwayError('file.truncated', `The GeoJSON file ends early (was it cut off?): ${message}`);
    }
    const where = position ? ` at ${lineAndColumn(text, Number(position))}` : '';
    throw new ClearwayError('file.malformed', `The file is not valid JSON${where}: ${message}`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function readGeoJson(text: string): RawRecord[] {
  // Files saved by some Windows tools start with a byte-order mark, which JSON does not allow.
  const document = parseJson(text.replace(/^\uFEFF/, ''));
  if (!isObject(document)) throw new ClearwayError('file.malformed', 'The GeoJSON file holds no object');
  let features: unknown[];
  if (document.type === 'FeatureCollection') {
    if (!Array.isArray(document.features)) throw new ClearwayError('file.malformed', 'The FeatureCollection has no "features" array');
    features = document.features;
  } else if (document.type === 'Feature') {
    features = [document];
  } else {
    throw new ClearwayError('file.malformed', `A GeoJSON FeatureCollection is needed; the file holds type ${JSON.stringify(document.type)}`);
  }
  return features.map((item, index): RawRecord => {
    if (!isObject(item) || item.type !== 'Feature') {
      return {
        feature: index,
        properties: {},
        geometry: null,
        problems: [{ severity: 'error', code: 'record.malformed', feature: index, reason: 'not a GeoJSON Feature' }],
      };
    }
    const properties = isObject(item.properties) ? item.properties : {};
    const geometry = isObject(item.geometry) ? (item.geometry as unknown as Geometry) : null;
    return { feature: index, properties, geometry, problems: [] };
  });
}
