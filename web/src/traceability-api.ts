// From a figure to what is behind it (the releases of a report row and the submissions they came from), the
// authority's audit log, and an operator's own figures set against the official ones.
import { fileForm, getJson, send, sendForFile, type Page } from './api';

export interface ReleaseBehindFigure {
  ref: string;
  hazard_ref: string;
  kind: string;
  method: string | null;
  operator: string | null;
  end_date: string | null;
  counted_m2: number;
  batch_id: number | null;
  batch_source: string | null;
  submission_id: number | null;
}

export type { Page };

export function fetchReleasesBehind(unit: string, page: { limit: number; offset: number }, signal?: AbortSignal): Promise<Page<ReleaseBehindFigure>> {
  const query = new URLSearchParams({ by: 'province', unit, limit: String(page.limit), offset: String(page.offset) });
  return getJson<Page<ReleaseBehindFigure>>(`/api/reports/land-release/releases?${query.toString()}`, signal);
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

export interface AuditFilter {
  actor?: string;
  ref?: string;
  entity?: string;
}

export function fetchAuditEvents(filter: AuditFilter, page: { limit: number; offset: number }, signal?: AbortSignal): Promise<Page<AuditEvent>> {
  const query = new URLSearchParams({ limit: String(page.limit), offset: String(page.offset) });
  for (const key of ['actor', 'ref', 'entity'] as const) {
    const value = filter[key]?.trim();
    if (value) query.set(key, value);
  }
  return getJson<Page<AuditEvent>>(`/api/audit?${query.toString()}`, signal);
}

/** One official record (or submission) that explains part of a difference. */
export interface ExplainingRecord {
  ref: string;
  m2: number;
  submission_id?: number | null;
  state?: string | null;
}

/** Why the figures differ, as the server names it. */
export type ExplanationReason =
  | 'not-counted'
  | 'submitted-not-approved'
  | 'returned'
  | 'rejected'
  | 'never-submitted'
  | 'official-only'
  | 'unexplained';

export interface Explanation {
  reason: ExplanationReason;
  m2: number;
  records: ExplainingRecord[];
  /** How many more records explain it than are listed. */
  more: number;
}

export interface DiscrepancyRow {
  province_code: string;
  province_name_en: string | null;
  province_name_km: string | null;
  month: string;
  kind: string;
  operator_m2: number;
  official_m2: number;
  difference_m2: number;
  explanations: Explanation[];
}

export interface DiscrepancyReport {
  organisation: string;
  period: { from: string; to: string };
  totals: { operator_m2: number; official_m2: number; difference_m2: number };
  /** How many cells agree (within 0.5 m2). */
  matching: number;
  rows: DiscrepancyRow[];
}

export function compareFigures(organisation: string, file: File, csrfToken: string | null): Promise<DiscrepancyReport> {
  const query = new URLSearchParams({ organisation });
  return send<DiscrepancyReport>('POST', `/api/reports/discrepancy?${query.toString()}`, csrfToken, fileForm(file));
}

/** The same comparison as CSV, one line per cell and reason, for a spreadsheet. */
export function compareFiguresCsv(organisation: string, file: File, csrfToken: string | null): Promise<Blob> {
  const query = new URLSearchParams({ organisation, format: 'csv' });
  return sendForFile(`/api/reports/discrepancy?${query.toString()}`, csrfToken, fileForm(file));
}
