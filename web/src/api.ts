// Typed access to the Clearway HTTP API (same origin). The shapes mirror the API contract; the server is the
// authority, so values we only display (kinds, methods, sources) stay plain strings.
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Point, Polygon } from 'geojson';

/** The page's language (i18n.ts sets it whenever it changes): every call sends it, so problems come back in it. */
let pageLanguage = 'en';

export function sendLanguageWithRequests(language: string): void {
  pageLanguage = language;
}

const languageHeader = (): Record<string, string> => ({ 'accept-language': pageLanguage });

export type HazardType = 'SHA' | 'CHA';
/**
 * The server's own list (combined: replaced, with others, by one hazard at a review; reopened: set by the
 * authority, e.g. after a failed inspection, and kept by the accounting).
 */
import type { HazardStatus } from '../../src/domain/exchange-format.ts';
import type { Page } from '../../src/domain/page.ts';
export type { HazardStatus };
export type AdminLevel = 'province' | 'district';

export interface Health {
  status: 'ok';
  engine: 'embedded' | 'server';
  postgres: string;
  postgis: string;
}

export interface ClientConfig {
  /** An XYZ tile URL template for an online basemap, or null when the office has no connection. */
  basemapUrl: string | null;
}

export interface AdminUnitProperties {
  code: string;
  pcode: string;
  level: AdminLevel;
  name_en: string;
  name_km: string;
  parent_code: string | null;
}

export type AdminUnitCollection = FeatureCollection<Polygon | MultiPolygon, AdminUnitProperties>;

export interface HazardSummary {
  ref: string;
  type: HazardType;
  status: HazardStatus;
  contamination: string[];
  province_code: string | null;
  district_code: string | null;
  area_m2: number;
  version: number;
}

export type HazardFeature = Feature<Polygon | MultiPolygon, HazardSummary>;

export interface HazardCollection extends FeatureCollection<Polygon | MultiPolygon, HazardSummary> {
  total: number;
  limit: number;
  offset: number;
  more: boolean;
}

export interface HazardRecord extends HazardSummary {
  source: string | null;
  recorded_on: string | null;
  operator: string | null;
  province_name_en: string | null;
  province_name_km: string | null;
  district_name_en: string | null;
  district_name_km: string | null;
  commune_code: string | null;
  village_code: string | null;
  village_name_en?: string | null;
  village_name_km?: string | null;
  notes: string | null;
  /** The hazard this one was combined into, when a review combined it. */
  combined_into?: string | null;
  /** When the current version was recorded. */
  changed_at?: string;
  geometry: Geometry;
}

export interface LandReleaseAccounting {
  original_m2: number;
  cancelled_m2: number;
  reduced_m2: number;
  cleared_m2: number;
  remaining_m2: number;
}

export interface Device {
  category: string;
  model: string | null;
  quantity: number;
}

export interface Release {
  ref: string;
  kind: string;
  method: string | null;
  operator: string | null;
  start_date: string | null;
  end_date: string | null;
  area_m2: number;
  counted_m2: number;
  outside_m2: number;
  devices: Device[];
  version: number;
  /** The released land as recorded (not clipped to the hazard). */
  geometry?: Polygon | MultiPolygon | null;
}

export interface HazardVersion {
  version: number;
  changed_at: string;
  /** Staff only: absent from what the public is sent. */
  changed_by?: string | null;
  change_reason?: string | null;
  type: HazardType;
  status: HazardStatus;
  area_m2: number;
}

export interface HazardDetails {
  hazard: HazardRecord;
  accounting: LandReleaseAccounting;
  releases: Release[];
  history: HazardVersion[];
}

export interface LandReleaseRow extends LandReleaseAccounting {
  /** A province code, or "unassigned" for area that lies in no province. */
  unit_code: string;
  unit_name: string;
  unit_name_km?: string | null;
}

export interface LandReleaseReport {
  by: 'province';
  rows: LandReleaseRow[];
  total: LandReleaseAccounting;
}

/** One item an approval stopped at: it conflicts with the official record as it is now. */
export interface ConflictingItem {
  ref?: string;
  feature?: number;
  line?: number;
  code: string;
  reason: string;
}

/** One item of a submission a reconciliation cannot apply to, and why. */
export interface RefusedItem {
  item: number;
  ref: string | null;
  reason: string;
}

/** One problem with one line or field of an uploaded file (an operator summary, say). */
export interface LineProblem {
  code?: string;
  line?: number;
  field?: string;
  reason: string;
}

/** An RFC 9457 problem as the API sends it; the details of a problem sit beside its standard members. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  /** A 409 workflow.conflict names the items in conflict. */
  conflicts?: ConflictingItem[];
  details?: { conflicts?: ConflictingItem[] };
  /** A 422 workflow.reconciliation names the items it refused. */
  items?: RefusedItem[];
  /** A 422 summary.invalid lists the file's errors (the first thousand of errorCount). */
  errors?: LineProblem[];
  errorCount?: number;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;

  constructor(status: number, problem: Problem | null, fallback: string) {
    super(problem?.detail ?? problem?.title ?? fallback);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** The items an approval stopped at, wherever the problem puts them. */
  get conflicts(): ConflictingItem[] {
    return this.problem?.conflicts ?? this.problem?.details?.conflicts ?? [];
  }
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'title' in value && 'status' in value;
}

async function failure(response: Response): Promise<ApiError> {
  let problem: Problem | null = null;
  try {
    const body: unknown = await response.json();
    if (isProblem(body)) problem = body;
  } catch {
    // Not JSON (a proxy error page, say): the status line is all we can show.
  }
  return new ApiError(response.status, problem, `${response.status} ${response.statusText}`.trim());
}

/** The body of a successful answer as a file (a CSV export); a refusal throws like any other call. */
export async function sendForFile(path: string, csrfToken: string | null, body: FormData): Promise<Blob> {
  const headers: Record<string, string> = languageHeader();
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, { method: 'POST', headers, body });
  if (!response.ok) throw await failure(response);
  return response.blob();
}

async function answer<T>(response: Response): Promise<T> {
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return answer<T>(await fetch(path, { headers: { accept: 'application/json', ...languageHeader() }, signal }));
}

/** One page of a list, as every list route of the API answers: the server's own type. */
export type { Page };

const withPage = (path: string, limit: number, offset: number): string => `${path}${path.includes('?') ? '&' : '?'}limit=${limit}&offset=${offset}`;

/** Every item of a list route, page after page: for the views that show (or choose from) the whole list. */
export async function fetchAllPages<T>(path: string, signal?: AbortSignal, limit = 1_000): Promise<T[]> {
  const items: T[] = [];
  for (let offset = 0; ; ) {
    const page = await getJson<Page<T>>(withPage(path, limit, offset), signal);
    items.push(...page.items);
    if (!page.more || page.items.length === 0) return items;
    offset += page.items.length;
  }
}

/** Every feature of a paged FeatureCollection route (admin units), page after page, as one collection. */
async function fetchAllFeatures<C extends FeatureCollection>(path: string, signal?: AbortSignal, limit = 1_000): Promise<C> {
  let collection: C | null = null;
  for (let offset = 0; ; ) {
    const page = await getJson<C & { more?: boolean }>(withPage(path, limit, offset), signal);
    if (collection) collection.features.push(...page.features);
    else collection = page;
    if (!page.more || page.features.length === 0) return collection;
    offset += page.features.length;
  }
}

/**
 * A change made with the session cookie: the CSRF token returned at sign-in goes with it, which proves the
 * request comes from Clearway's own page and not from another site the officer has open.
 */
export async function send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, csrfToken: string | null, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...languageHeader() };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  let payload: FormData | string | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  return answer<T>(await fetch(path, { method, headers, body: payload }));
}

/** A file as the multipart field "file", as every upload route reads it. */
export function fileForm(file: File): FormData {
  const form = new FormData();
  form.append('file', file, file.name);
  return form;
}

export function fetchHealth(signal?: AbortSignal): Promise<Health> {
  return getJson<Health>('/api/health', signal);
}

export function fetchConfig(signal?: AbortSignal): Promise<ClientConfig> {
  return getJson<ClientConfig>('/api/config', signal);
}

export function fetchAdminUnits(level: AdminLevel, signal?: AbortSignal): Promise<AdminUnitCollection> {
  const query = new URLSearchParams({ level, format: 'geojson' });
  return fetchAllFeatures<AdminUnitCollection>(`/api/admin-units?${query.toString()}`, signal);
}

export interface HazardFilter {
  province?: string;
  district?: string;
  type?: HazardType;
  status?: HazardStatus;
  contamination?: string;
  bbox?: [number, number, number, number];
  limit?: number;
  offset?: number;
}

/** An EO find as the public record shows it (GET /api/finds?format=geojson). */
export interface FindSummary {
  ref: string;
  category: string;
  model: string;
  quantity: number;
  found_on: string;
  location_approximate: boolean;
}
export type FindCollection = FeatureCollection<Point, FindSummary>;

/** Every find, for the map: 10,000 a page, page after page. */
export function fetchFinds(signal?: AbortSignal): Promise<FindCollection> {
  return fetchAllFeatures<FindCollection>('/api/finds?format=geojson', signal, 10_000);
}

/** One page of hazards when a limit is given; otherwise every hazard the filter matches (the map), page after page. */
export function fetchHazards(filter: HazardFilter = {}, signal?: AbortSignal): Promise<HazardCollection> {
  const query = new URLSearchParams({ format: 'geojson' });
  for (const key of ['province', 'district', 'type', 'status', 'contamination'] as const) {
    const value = filter[key];
    if (value !== undefined) query.set(key, value);
  }
  if (filter.bbox) query.set('bbox', filter.bbox.join(','));
  if (filter.limit === undefined) return fetchAllFeatures<HazardCollection>(`/api/hazards?${query.toString()}`, signal, 10_000);
  query.set('limit', String(filter.limit));
  if (filter.offset !== undefined) query.set('offset', String(filter.offset));
  return getJson<HazardCollection>(`/api/hazards?${query.toString()}`, signal);
}

export function fetchHazardDetails(ref: string, signal?: AbortSignal): Promise<HazardDetails> {
  return getJson<HazardDetails>(`/api/hazards/${encodeURIComponent(ref)}`, signal);
}

export function fetchLandReleaseByProvince(signal?: AbortSignal): Promise<LandReleaseReport> {
  return getJson<LandReleaseReport>('/api/reports/land-release?by=province', signal);
}

export interface Organisation {
  code: string;
  name: string;
  kind: string;
}

export function fetchOrganisations(signal?: AbortSignal): Promise<Organisation[]> {
  return fetchAllPages<Organisation>('/api/organisations', signal);
}
