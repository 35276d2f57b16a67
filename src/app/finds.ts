// Use cases that read EO finds: pages, one find, and the finds report. What a caller sees follows the
// kind's declaration: the public columns for everyone, the free text and who changed what for staff.
import type { Queryable } from '../db/engine.ts';
import * as queries from '../db/find-queries.ts';
import { ClearwayError } from '../domain/problems.ts';
import type { Principal } from '../domain/roles.ts';
import { isStaff } from './record-history.ts';
import { findKind } from '../kinds/find.ts';

export { FIND_REPORT_DIMENSIONS, type FindFilter, type FindReportDimension, type FindReportRow } from '../db/find-queries.ts';


export async function listFinds(db: Queryable, filter: queries.FindFilter): Promise<{ items: Record<string, unknown>[]; total: number }> {
  const [items, total] = [await queries.listFinds(db, filter, findKind.publicColumns), await queries.countFinds(db, filter)];
  return { items, total };
}

/** A page of finds as GeoJSON, for the map and for GIS clients. */
export async function findsGeoJson(db: Queryable, filter: queries.FindFilter): Promise<{ type: 'FeatureCollection'; total: number; features: unknown[] }> {
  const { items, total } = await listFinds(db, filter);
  const features = items.map(({ lon, lat, ...properties }) => ({ type: 'Feature', id: properties.ref, properties, geometry: { type: 'Point', coordinates: [lon, lat] } }));
  return { type: 'FeatureCollection', total, features };
}

export async function findDetail(db: Queryable, principal: Principal | null, ref: string): Promise<queries.FindDetail> {
  const detail = await queries.findDetail(db, ref, findKind.publicColumns, isStaff(principal, findKind.id));
  if (!detail) throw new ClearwayError('not-found', `No EO find has the ref ${ref}`, 404, { ref });
  return detail;
}

export interface FindsReport {
  by: queries.FindReportDimension;
  as_of: string | null;
  rows: queries.FindReportRow[];
  total: { finds: number; items: number; destroyed_items: number };
}

export const FIND_REPORT_COLUMNS = ['unit_code', 'unit_name', 'finds', 'items', 'destroyed_items'] as const;

export async function findsReport(db: Queryable, by: queries.FindReportDimension, asOf: string | null = null): Promise<FindsReport> {
  const rows = await queries.findsReport(db, by, asOf);
  const total = { finds: 0, items: 0, destroyed_items: 0 };
  for (const row of rows) {
    total.finds += row.finds;
    total.items += row.items;
    total.destroyed_items += row.destroyed_items;
  }
  return { by, as_of: asOf, rows, total };
}

const csvCell = (value: string | number): string => {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function findsCsv(report: FindsReport): string {
  const lines = [FIND_REPORT_COLUMNS.join(',')];
  for (const row of report.rows) lines.push(FIND_REPORT_COLUMNS.map((c) => csvCell(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}
