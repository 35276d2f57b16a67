// Reading EO finds: pages of finds with filters, one find with its history, and the finds report.
import type { Queryable } from './engine.ts';
import { findKind } from '../kinds/find.ts';
import { recordHistory } from './record-history.ts';

export interface FindFilter {
  province?: string;
  district?: string;
  category?: string;
  operator?: string;
  release?: string;
  hazard?: string;
  bbox?: [number, number, number, number];
  limit: number;
  offset: number;
}

function whereClause(filter: FindFilter): { sql: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (condition: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(condition(`$${params.length}`));
  };
  if (filter.province) add((p) => `f.province_code = ${p}`, filter.province);
  if (filter.district) add((p) => `f.district_code = ${p}`, filter.district);
  if (filter.category) add((p) => `f.category = ${p}`, filter.category);
  if (filter.operator) add((p) => `f.operator_code = ${p}`, filter.operator);
  if (filter.release) add((p) => `f.release_ref = ${p}`, filter.release);
  if (filter.hazard) add((p) => `f.hazard_ref = ${p}`, filter.hazard);
  if (filter.bbox) add((p) => `f.geom && st_makeenvelope((${p}::float8[])[1], (${p}::float8[])[2], (${p}::float8[])[3], (${p}::float8[])[4], 4326)`, filter.bbox);
  return { sql: conditions.length > 0 ? `where ${conditions.join(' and ')}` : '', params };
}

/** Columns anyone may read (the kind's public presenter); the place as numbers, every digit kept. */
const publicSelect = (columns: readonly string[]) => `${columns.map((c) => `f.${c}`).join(', ')}, st_x(f.geom) as lon, st_y(f.geom) as lat`;

export async function countFinds(db: Queryable, filter: FindFilter): Promise<number> {
  const where = whereClause(filter);
  return (await db.query<{ n: number }>(`select count(*)::int as n from find f ${where.sql}`, where.params)).rows[0]?.n ?? 0;
}

export async function listFinds(db: Queryable, filter: FindFilter, columns: readonly string[]): Promise<Record<string, unknown>[]> {
  const where = whereClause(filter);
  const params = [...where.params, filter.limit, filter.offset];
  const result = await db.query(
    `select ${publicSelect(columns)} from find f ${where.sql} order by f.ref limit $${params.length - 1} offset $${params.length}`,
    params,
  );
  return result.rows;
}

export interface FindDetail {
  find: Record<string, unknown>;
  history: Record<string, unknown>[];
}

/** One find; `staff` adds the free-text condition and who made each version and why. */
export async function findDetail(db: Queryable, ref: string, columns: readonly string[], staff: boolean): Promise<FindDetail | null> {
  const extra = staff ? ', f.condition, f.changed_at, f.changed_by, f.change_reason, f.batch_id' : ', f.changed_at';
  const found = await db.query(`select ${publicSelect(columns)}${extra} from find f where f.ref = $1`, [ref]);
  const find = found.rows[0];
  if (!find) return null;
  return { find, history: (await recordHistory(db, findKind, ref, staff)) ?? [] };
}

export const FIND_REPORT_DIMENSIONS = ['province', 'district', 'category', 'model', 'operator', 'year'] as const;
export type FindReportDimension = (typeof FIND_REPORT_DIMENSIONS)[number];

export interface FindReportRow {
  unit_code: string;
  unit_name: string;
  finds: number;
  items: number;
  destroyed_items: number;
}

/** The value of a find (alias f) that each dimension groups by; one with no value falls on "unassigned". */
export const FIND_GROUP_KEYS: Record<FindReportDimension, string> = {
  province: 'f.province_code',
  district: 'f.district_code',
  category: 'f.category',
  model: 'f.model',
  operator: 'f.operator_code',
  year: `to_char(f.found_on, 'YYYY')`,
};

/** How each dimension's rows are named. */
const GROUPS: Record<FindReportDimension, { key: string; name: string; join: string }> = {
  province: { key: FIND_GROUP_KEYS.province, name: 'u.name_en', join: 'left join admin_unit u on u.code = f.province_code' },
  district: { key: FIND_GROUP_KEYS.district, name: 'u.name_en', join: 'left join admin_unit u on u.code = f.district_code' },
  category: { key: FIND_GROUP_KEYS.category, name: 'f.category', join: '' },
  model: { key: FIND_GROUP_KEYS.model, name: 'f.model', join: '' },
  operator: { key: FIND_GROUP_KEYS.operator, name: 'o.name', join: 'left join organisation o on o.code = f.operator_code' },
  year: { key: FIND_GROUP_KEYS.year, name: FIND_GROUP_KEYS.year, join: '' },
};

/**
 * Finds, items (the sum of quantities) and items destroyed, by one dimension, as the record stands now for
 * what was found on or before `asOf` (destroyed on or before it); rows sum to the national total.
 */
export async function findsReport(db: Queryable, by: FindReportDimension, asOf: string | null): Promise<FindReportRow[]> {
  const group = GROUPS[by];
  const result = await db.query<FindReportRow>(
    `select coalesce(${group.key}, 'unassigned') as unit_code, coalesce(min(${group.name}), 'Unassigned') as unit_name,
            count(*)::int as finds, sum(f.quantity)::int as items,
            coalesce(sum(f.quantity) filter (where f.destroyed_on is not null and ($1::date is null or f.destroyed_on <= $1::date)), 0)::int as destroyed_items
     from find f ${group.join}
     where $1::date is null or f.found_on <= $1::date
     group by 1
     order by (coalesce(${group.key}, 'unassigned') = 'unassigned'), 1`,
    [asOf],
  );
  return result.rows;
}
