// Traceability use cases: every figure leads to the releases and submissions behind it; every change to
// who made it. The audit log is the authority's to read.
import type { Database } from '../db/engine.ts';
import { auditEvents, releasesBehindFigure, type AuditEvent, type ReleaseBehindFigure } from '../db/traceability.ts';
import type { ReportDimension } from '../domain/land-release-figures.ts';

export type { AuditEvent, ReleaseBehindFigure };

export function releasesBehind(db: Database, by: ReportDimension, unit: string, page: { limit: number; offset: number }): Promise<{ items: ReleaseBehindFigure[]; total: number }> {
  return releasesBehindFigure(db, by, unit, page.limit, page.offset);
}

export function readAuditLog(db: Database, filter: { entity?: string; ref?: string; actor?: string; limit: number; offset: number }): Promise<AuditEvent[]> {
  return auditEvents(db, filter);
}
