// Traceability use cases: every figure leads to the releases and submissions behind it; every change to
// who made it. The audit log is the authority's to read.
import type { Database } from '../db/engine.ts';
import { auditEvents, releasesBehindFigure, type AuditEvent, type ReleaseBehindFigure } from '../db/traceability.ts';
import { checkAsOf } from './land-release-report.ts';
import type { ReportDimension } from '../domain/land-release-figures.ts';

export type { AuditEvent, ReleaseBehindFigure };

export function releasesBehind(db: Database, by: ReportDimension, unit: string, page: { limit: number; offset: number }, asOf?: string): Promise<{ items: ReleaseBehindFigure[]; total: number }> {
  return releasesBehindFigure(db, by, unit, page.limit, page.offset, checkAsOf(asOf));
}

export function readAuditLog(db: Database, filter: { entity?: string; ref?: string; actor?: string; limit: number; offset: number }): Promise<{ items: AuditEvent[]; total: number }> {
  return auditEvents(db, filter);
}
