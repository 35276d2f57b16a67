// The history of a record of any kind: every kind keeps it the same way (keep_history, migrations 0005 and
// 0012), in <table>_version with the record's columns and its id, so one reader serves them all. What a
// version shows is the kind's declaration's to say (RecordKind.history).
import type { Queryable } from './engine.ts';
import type { RecordKind } from '../kinds/kind.ts';

const COLUMN = /^([a-z_][a-z0-9_]*)(?: as ([a-z_][a-z0-9_]*))?$/;

/** The select list of a version: version and time, the declared columns (staff's too), a point's lon/lat. */
function historySelect(kind: RecordKind<object>, staff: boolean): string {
  const shown = new Set<string>();
  const parts: string[] = [];
  for (const column of ['version', 'changed_at', ...kind.history.columns, ...(staff ? kind.history.staffColumns : [])]) {
    const match = COLUMN.exec(column);
    // Declarations are code, not input; a typing mistake there fails loudly, never reaches SQL.
    if (!match) throw new Error(`${kind.id}: history column ${JSON.stringify(column)} is not "column" or "column as name"`);
    const [, source, name = source] = match;
    if (shown.has(name!)) continue;
    shown.add(name!);
    parts.push(name === source ? `v.${source}` : `v.${source} as ${name}`);
  }
  if (kind.geometry === 'point') parts.push('st_x(v.geom) as lon', 'st_y(v.geom) as lat');
  return parts.join(', ');
}

/** Every version of the record with this ref, newest first; null when the kind has no record of that ref. */
export async function recordHistory(db: Queryable, kind: RecordKind<object>, ref: string, staff: boolean): Promise<Record<string, unknown>[] | null> {
  const result = await db.query(
    `select ${historySelect(kind, staff)} from ${kind.table}_version v
     where v.id = (select id from ${kind.table} where ref = $1) order by v.version desc`,
    [ref],
  );
  // Every record has its first version from the moment it exists.
  return result.rows.length > 0 ? result.rows : null;
}
