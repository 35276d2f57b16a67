// The official record of any kind, as the server declares it (GET /api/kinds): the web keeps no copy of the
// kinds' fields or rules, it asks.
import type { ExchangeField, KindId } from '../../../src/kinds/kind.ts';
import { fetchAllPages, getJson } from '../api';

export type { ExchangeField, KindId };

export interface KindDescription {
  id: KindId;
  noun: { en: string; km: string };
  geometry: 'polygon' | 'point' | 'none';
  fields: ExchangeField[];
  public_columns: string[];
  report_dimensions: string[];
  allowed: { read: boolean; submit: boolean; review: boolean; approve: boolean; import: boolean };
}

export type RecordRow = Record<string, unknown> & { ref: string };

export interface RecordPage {
  items: RecordRow[];
  total: number;
  limit: number;
  offset: number;
}

export function fetchKinds(signal?: AbortSignal): Promise<KindDescription[]> {
  return getJson<KindDescription[]>('/api/kinds', signal);
}

export function fetchRecords(kind: KindId, page: { limit: number; offset: number }, signal?: AbortSignal): Promise<RecordPage> {
  return getJson<RecordPage>(`/api/${kind}?limit=${page.limit}&offset=${page.offset}`, signal);
}

/** Every version of one record, newest first. */
export function fetchRecordHistory(kind: KindId, ref: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
  return fetchAllPages<Record<string, unknown>>(`/api/${kind}/${encodeURIComponent(ref)}/history`, signal);
}
