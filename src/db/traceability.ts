// From a figure to what is behind it: the releases counted in one row of the land release report, with the
// change batch and the submission each came from; and the audit log.
import type { Queryable } from './engine.ts';
import type { ReportDimension } from '../domain/land-release-figures.ts';
import { UNASSIGNED } from './accounting.ts';
import { hazardsAsOf } from './land-release-report.ts';

export interface ReleaseBehindFigure {
  ref: string;
  hazard_ref: string;
  kind: string;
  method: string;
  operator: string;
  end_date: string;
  counted_m2: number;
  batch_id: number | null;
  batch_source: string | null;
  submission_id: number | null;
}

// Which releases a row of each dimension holds. By unit: releases of hazards with area in that unit (a
// hazard spanning units appears under each).
const ROW_CONDITION: Record<ReportDimension, string> = {
  province: `exists (select 1 from hazard_unit_share s where s.hazard_id = r.hazard_id and s.level = 'province' and s.unit_code = $1)`,
  district: `exists (select 1 from hazard_unit_share s where s.hazard_id = r.hazard_id and s.level = 'district' and s.unit_code = $1)`,
  operator: `r.operator_code = $1`,
  year: `extract(year from r.end_date)::int::text = $1`,
  method: `r.method = $1`,
  contamination: `array_to_string(h.contamination, '+') = $1`,
};

/**
 * The releases counted in one row, today or as of a date (asOf, YYYY-MM-DD): then only releases that had
 * ended by that date, on hazards that count then, as the report as of that date counts them.
 */
export async function releasesBehindFigure(db: Queryable, by: ReportDimension, unit: string, limit: number, offset: number, asOf?: string): Promise<{ items: ReleaseBehindFigure[]; total: number }> {
  const condition = unit === UNASSIGNED && (by === 'operator' || by === 'year' || by === 'method') ? 'false' : ROW_CONDITION[by];
  // The date is the last parameter of each statement: $2 when counting, $4 when listing a page.
  const dated = (date: string) => asOf === undefined
    ? { head: '', where: '' }
    : { head: `with ${hazardsAsOf(date)}`, where: `and r.end_date <= ${date}::date and r.hazard_id in (select hazard_id from hazard_as_of)` };
  const from = (where: string) => `from land_release r join hazard h on h.id = r.hazard_id join release_counted c on c.release_id = r.id
                left join change_batch b on b.id = r.batch_id
                where c.counted_m2 > 0 and ${condition} ${where}`;
  const counting = dated('$2');
  const listing = dated('$4');
  const date = asOf === undefined ? [] : [asOf];
  const total = await db.query<{ n: number }>(`${counting.head} select count(*)::int as n ${from(counting.where)}`, [unit, ...date]);
  const items = await db.query<ReleaseBehindFigure>(
    `${listing.head} select r.ref, h.ref as hazard_ref, r.kind, r.method, r.operator_code as operator, r.end_date, c.counted_m2,
            r.batch_id, b.source_name as batch_source, b.submission_id
     ${from(listing.where)} order by r.end_date, r.ref limit $2 offset $3`,
    [unit, limit, offset, ...date],
  );
  return { items: items.rows, total: total.rows[0]?.n ?? 0 };
}

export interface AuditEvent {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_ref: string | null;
  batch_id: number | null;
  details: unknown;
}

/** A page of the audit log, newest first, and how many events match the filter. */
export async function auditEvents(db: Queryable, filter: { entity?: string; ref?: string; actor?: string; limit: number; offset: number }): Promise<{ items: AuditEvent[]; total: number }> {
  const where = `($1::text is null or entity = $1) and ($2::text is null or entity_ref = $2) and ($3::text is null or actor = $3)`;
  const params = [filter.entity ?? null, filter.ref ?? null, filter.actor ?? null];
  const result = await db.query<AuditEvent>(
    `select id, at, actor, action, entity, entity_ref, batch_id, details from audit_event where ${where}
     order by id desc limit $4 offset $5`,
    [...params, filter.limit, filter.offset],
  );
  const total = await db.query<{ total: number }>(`select count(*)::int as total from audit_event where ${where}`, params);
  return { items: result.rows, total: total.rows[0]!.total };
}
