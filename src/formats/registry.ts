// The readers Clearway imports from, chosen by file name or declared format.
import { ClearwayError } from '../domain/problems.ts';
import { readCsv } from './csv.ts';
import { readGeoJson } from './geojson.ts';
import type { FormatId, RawRecord } from './records.ts';

export interface Reader {
  id: FormatId;
  extensions: string[];
  mimes: string[];
  read(text: string): RawRecord[];
}

export const READERS: Reader[] = [
  { id: 'geojson', extensions: ['.geojson', '.json'], mimes: ['application/geo+json', 'application/json'], read: readGeoJson },
  { id: 'csv', extensions: ['.csv'], mimes: ['text/csv'], read: readCsv },
];

export function readerFor(fileName: string, declared?: string): Reader {
  const byId = declared ? READERS.find((r) => r.id === declared || r.mimes.includes(declared)) : undefined;
  if (byId) return byId;
  const lower = fileName.toLowerCase();
  const byExtension = READERS.find((r) => r.extensions.some((ext) => lower.endsWith(ext)));
  if (byExtension) return byExtension;
  throw new ClearwayError(
    'file.unknown-format',
    `Cannot tell the format of ${fileName}: use one of ${READERS.flatMap((r) => r.extensions).join(', ')}`,
  );
}
