// Small factories for test data: polygons near real places, files in the exchange format, an import call.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../../src/db/engine.ts';
import { importRecords, type ImportKind, type ImportReport } from '../../src/app/import-records.ts';

export const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
export const sharedRegressions = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/regressions');

export const TODAY = '2026-11-22';

export type Ring = [number, number][];

/** A closed ring approximating a circle of `radius` metres around lon/lat, `n` vertices. */
export function circle(lon: number, lat: number, radius: number, n = 16): Ring {
  const ring: Ring = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const dx = (radius * Math.cos(a)) / (111_320 * Math.cos((lat * Math.PI) / 180));
    const dy = (radius * Math.sin(a)) / 110_574;
    ring.push([Number((lon + dx).toFixed(7)), Number((lat + dy).toFixed(7))]);
  }
  ring.push(ring[0]!);
  return ring;
}

/** An axis-aligned rectangle in degrees. */
export function box(minLon: number, minLat: number, maxLon: number, maxLat: number): Ring {
  return [[minLon, minLat], [maxLon, minLat], [maxLon, maxLat], [minLon, maxLat], [minLon, minLat]];
}

export function hazardFeature(properties: Record<string, unknown>, ring: Ring | null) {
  return {
    type: 'Feature',
    properties: { type: 'CHA', contamination: ['AP'], source: 'technical survey', recorded_on: '2020-01-15', ...properties },
    geometry: ring ? { type: 'Polygon', coordinates: [ring] } : null,
  };
}

export function releaseFeature(properties: Record<string, unknown>, ring: Ring) {
  return {
    type: 'Feature',
    properties: { kind: 'cleared', method: 'manual', operator: 'HALO', start_date: '2021-01-01', end_date: '2021-03-01', ...properties },
    geometry: { type: 'Polygon', coordinates: [ring] },
  };
}

export const collection = (features: unknown[]): string => JSON.stringify({ type: 'FeatureCollection', features });

export async function importText(db: Database, kind: ImportKind, text: string, options: { fileName?: string; dryRun?: boolean; repair?: boolean } = {}): Promise<ImportReport> {
  return importRecords(db, { kind, text, fileName: options.fileName ?? `test-${kind}.geojson`, dryRun: options.dryRun, repair: options.repair, actor: 'test', today: TODAY });
}

export async function importFixture(db: Database, kind: ImportKind, file: string): Promise<ImportReport> {
  return importText(db, kind, fs.readFileSync(path.join(fixturesDir, file), 'utf8'), { fileName: file });
}

export async function count(db: Database, table: string): Promise<number> {
  const result = await db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return result.rows[0]?.n ?? 0;
}
