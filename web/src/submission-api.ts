// The submission workflow over the API: operators upload, check and submit; the authority reviews, reconciles
// and approves, returns or rejects. Every change carries the session's CSRF token.
import type { Feature, Geometry } from 'geojson';
import { fetchAllPages, fileForm, getJson, send } from './api';
import type { KindId } from '../../src/kinds/kind.ts';

export type SubmissionKind = 'hazards' | 'releases';
export type SubmissionState = 'draft' | 'submitted' | 'approved' | 'returned' | 'rejected';
export const submissionStates: SubmissionState[] = ['draft', 'submitted', 'returned', 'approved', 'rejected'];

/** One problem with one record of the file: which record (ref, feature or line), which field, and why. */
export interface RecordProblem {
  severity: 'error' | 'note';
  code: string;
  ref?: string;
  feature?: number;
  line?: number;
  field?: string;
  reason: string;
}

export interface Validation {
  records: number;
  accepted: number;
  errorCount: number;
  errors: RecordProblem[];
  notes: RecordProblem[];
}

export interface ItemReason {
  /** The item's ref. */
  item: string;
  reason: string;
}

/** What the reviewer said: reasons per item (returned) or one reason (rejected). */
export interface Decision {
  reasons?: ItemReason[];
  reason?: string;
}

export interface Submission {
  id: number;
  organisation: string;
  kind: SubmissionKind;
  state: SubmissionState;
  file_name: string;
  validation: Validation;
  created_by: string;
  created_at?: string;
  submitted_by: string | null;
  submitted_at?: string | null;
  decided_by: string | null;
  decided_at?: string | null;
  decision: Decision | null;
  batch_id?: number | null;
}

export type ReconciliationAction = 'new' | 'update' | 'combine';

export interface RecordVersion {
  ref: string;
  version: number;
}

/** How an item is applied: as a new record, as a new version of one record, or replacing several it combines. */
export interface Reconciliation {
  action: ReconciliationAction;
  targets: RecordVersion[];
  /** default: as Clearway proposed it (same ref: update); reviewer: as a reviewer chose. */
  chosen: 'default' | 'reviewer';
}

/**
 * For a hazard: the land its releases count, and how much of it lies outside the submitted polygon (an
 * update or a combine with that polygon would stop counting it).
 */
export interface ReleasedLand {
  released_m2?: number;
  released_outside_m2?: number;
}

/** An official record the item overlaps, biggest overlap first. */
export interface Overlap extends ReleasedLand {
  ref: string;
  version: number;
  overlap_m2: number;
  geometry?: Geometry | null;
}

export interface OfficialRecord extends ReleasedLand {
  ref: string;
  version: number;
  attributes: Record<string, unknown>;
  geometry: Geometry | null;
}

export interface ReviewItem {
  /** The item's place in the file (0-based): what a reconciliation names. */
  item: number;
  feature?: number;
  line?: number;
  ref: string | null;
  reconciliation: Reconciliation;
  after: { properties: Record<string, unknown>; geometry: Geometry | null };
  before: OfficialRecord | null;
  /** Against `before`: the fields the item changes (an explicit null clears one) and those it leaves out (kept). */
  changes?: { field: string; before: unknown; after: unknown }[];
  kept?: string[];
  overlaps: Overlap[];
  problems: RecordProblem[];
}

export interface ReviewPage {
  id: number;
  kind: SubmissionKind;
  total: number;
  limit: number;
  offset: number;
  items: ReviewItem[];
}

export interface ReconciliationChoice {
  item: number;
  action: ReconciliationAction;
  targets: RecordVersion[];
}

/** The item's reconciliation in the full form, whichever form the server sent. */
export function fetchSubmissions(state: SubmissionState | null, signal?: AbortSignal): Promise<Submission[]> {
  const query = state ? `?state=${state}` : '';
  return fetchAllPages<Submission>(`/api/submissions${query}`, signal);
}

export function fetchSubmission(id: number, signal?: AbortSignal): Promise<Submission> {
  return getJson<Submission>(`/api/submissions/${id}`, signal);
}

export function fetchReviewItems(id: number, page: { limit: number; offset: number }, signal?: AbortSignal): Promise<ReviewPage> {
  return getJson<ReviewPage>(`/api/submissions/${id}/items?limit=${page.limit}&offset=${page.offset}`, signal);
}

export function uploadSubmission(kind: SubmissionKind, file: File, csrfToken: string | null): Promise<Submission> {
  return send<Submission>('POST', `/api/submissions?kind=${kind}`, csrfToken, fileForm(file));
}

/** Records filled in the web form, sent as JSON {items: [Feature]}: the server checks them exactly as a file. */
export function createFormSubmission(kind: KindId, items: Feature<Geometry | null>[], csrfToken: string | null): Promise<Submission> {
  return send<Submission>('POST', `/api/submissions?kind=${kind}`, csrfToken, { items });
}

/** The corrected record of a draft made from the form: checked again, and the draft keeps its number. */
export function replaceFormSubmission(id: number, items: Feature<Geometry | null>[], csrfToken: string | null): Promise<Submission> {
  return send<Submission>('PUT', `/api/submissions/${id}`, csrfToken, { items });
}

export function replaceSubmissionFile(id: number, file: File, csrfToken: string | null): Promise<Submission> {
  return send<Submission>('PUT', `/api/submissions/${id}`, csrfToken, fileForm(file));
}

export function submitSubmission(id: number, csrfToken: string | null): Promise<Submission> {
  return send<Submission>('POST', `/api/submissions/${id}/submit`, csrfToken);
}

export function approveSubmission(id: number, csrfToken: string | null): Promise<Submission> {
  return send<Submission>('POST', `/api/submissions/${id}/approve`, csrfToken);
}

export function returnSubmission(id: number, reasons: ItemReason[], csrfToken: string | null): Promise<Submission> {
  return send<Submission>('POST', `/api/submissions/${id}/return`, csrfToken, { reasons });
}

export function rejectSubmission(id: number, reason: string, csrfToken: string | null): Promise<Submission> {
  return send<Submission>('POST', `/api/submissions/${id}/reject`, csrfToken, { reason });
}

export function saveReconciliation(id: number, items: ReconciliationChoice[], csrfToken: string | null): Promise<{ items: unknown[] }> {
  return send<{ items: unknown[] }>('PUT', `/api/submissions/${id}/reconciliation`, csrfToken, { items });
}
