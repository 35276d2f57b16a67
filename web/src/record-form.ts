// The web form for one hazard or one land release: its values, the light checks made before sending (required
// fields only), and the GeoJSON Feature it sends. The server checks the Feature exactly as it checks a file
// (docs/exchange-format.md; src/domain/exchange-format.ts) and is the authority on what is valid.
import type { Feature } from 'geojson';
import type { PolygonalGeometry } from './pasted-geometry';

export const hazardTypes = ['SHA', 'CHA'] as const;
export const contaminationTypes = ['AP', 'AT', 'CMR', 'ERW', 'IED'] as const;
export const releaseKinds = ['cancelled', 'reduced', 'cleared'] as const;
export const releaseMethods = ['nts', 'ts', 'manual', 'mechanical', 'mdd', 'combined'] as const;
export const deviceCategories = ['AP', 'AT', 'submunition', 'UXO', 'abandoned'] as const;
/** Sources offered as suggestions; any other text is accepted too. */
export const suggestedSources = ['baseline survey', 'non-technical survey', 'technical survey', 'community report'] as const;

export type HazardType = (typeof hazardTypes)[number];
export type ContaminationType = (typeof contaminationTypes)[number];
export type ReleaseKind = (typeof releaseKinds)[number];
export type ReleaseMethod = (typeof releaseMethods)[number];
export type DeviceCategory = (typeof deviceCategories)[number];

/** IMAS 07.11, as the server's METHODS_BY_KIND: NTS cancels land, TS reduces it, a clearance method clears it. */
export const methodsByKind: Record<ReleaseKind, readonly ReleaseMethod[]> = {
  cancelled: ['nts'],
  reduced: ['ts'],
  cleared: ['manual', 'mechanical', 'mdd', 'combined'],
};

/** The methods the form offers for a kind (none until a kind is chosen). */
export function methodsFor(kind: ReleaseKind | ''): readonly ReleaseMethod[] {
  return kind === '' ? [] : methodsByKind[kind];
}

export function methodFitsKind(kind: ReleaseKind | '', method: ReleaseMethod | ''): boolean {
  return method !== '' && methodsFor(kind).includes(method);
}

/** The method once the kind changes: kept if it still fits, the only one if there is one, else none yet. */
export function methodForKind(kind: ReleaseKind | '', method: ReleaseMethod | ''): ReleaseMethod | '' {
  if (methodFitsKind(kind, method)) return method;
  const methods = methodsFor(kind);
  return methods.length === 1 ? (methods[0] ?? '') : '';
}

export interface HazardFormValues {
  ref: string;
  type: HazardType | '';
  contamination: ContaminationType[];
  source: string;
  recorded_on: string;
  operator: string;
  village_code: string;
  notes: string;
}

export interface DeviceRow {
  category: DeviceCategory | '';
  model: string;
  quantity: string;
}

export interface ReleaseFormValues {
  ref: string;
  hazard_ref: string;
  kind: ReleaseKind | '';
  method: ReleaseMethod | '';
  operator: string;
  start_date: string;
  end_date: string;
  devices: DeviceRow[];
}

export function blankHazard(organisation: string): HazardFormValues {
  return { ref: '', type: '', contamination: [], source: '', recorded_on: '', operator: organisation, village_code: '', notes: '' };
}

export function blankRelease(organisation: string): ReleaseFormValues {
  return { ref: '', hazard_ref: '', kind: '', method: '', operator: organisation, start_date: '', end_date: '', devices: [] };
}

export const blankDevice: DeviceRow = { category: '', model: '', quantity: '' };

/** A field the form asks for, or the polygon. */
export type HazardField = keyof HazardFormValues | 'geometry';
export type ReleaseField = keyof ReleaseFormValues | 'geometry';

const requiredHazardFields = ['ref', 'type', 'contamination', 'source', 'recorded_on'] as const;
const requiredReleaseFields = ['ref', 'hazard_ref', 'kind', 'method', 'operator', 'start_date', 'end_date'] as const;

function blank(value: string | readonly unknown[]): boolean {
  return typeof value === 'string' ? value.trim() === '' : value.length === 0;
}

/** Required fields left empty, in the order of the form; the server checks everything else. */
export function missingHazardFields(values: HazardFormValues, geometry: PolygonalGeometry | null): HazardField[] {
  const missing: HazardField[] = requiredHazardFields.filter((field) => blank(values[field]));
  if (!geometry) missing.push('geometry');
  return missing;
}

export function missingReleaseFields(values: ReleaseFormValues, geometry: PolygonalGeometry | null): ReleaseField[] {
  const missing: ReleaseField[] = requiredReleaseFields.filter((field) => blank(values[field]));
  if (!geometry) missing.push('geometry');
  return missing;
}

type Properties = Record<string, unknown>;

/** Text fields trimmed; empty ones left out, as a file would leave them out (the server reads blanks as missing). */
function withText(properties: Properties, entries: Record<string, string>): Properties {
  for (const [key, value] of Object.entries(entries)) {
    const trimmed = value.trim();
    if (trimmed !== '') properties[key] = trimmed;
  }
  return properties;
}

export function hazardFeature(values: HazardFormValues, geometry: PolygonalGeometry): Feature<PolygonalGeometry, Properties> {
  const properties = withText({}, { ref: values.ref, type: values.type });
  // In the exchange format's order, however they were ticked.
  if (values.contamination.length > 0) properties['contamination'] = contaminationTypes.filter((type) => values.contamination.includes(type));
  withText(properties, { source: values.source, recorded_on: values.recorded_on, operator: values.operator, village_code: values.village_code, notes: values.notes });
  return { type: 'Feature', properties, geometry };
}

/** A quantity as a number when it is one; otherwise as typed, so the server names the problem. */
function quantityOf(text: string): number | string {
  const trimmed = text.trim();
  const number = Number(trimmed);
  return trimmed !== '' && Number.isFinite(number) ? number : trimmed;
}

function deviceOf(row: DeviceRow): Properties {
  const device = withText({}, { category: row.category, model: row.model });
  if (row.quantity.trim() !== '') device['quantity'] = quantityOf(row.quantity);
  return device;
}

function rowIsBlank(row: DeviceRow): boolean {
  return row.category === '' && row.model.trim() === '' && row.quantity.trim() === '';
}

export function releaseFeature(values: ReleaseFormValues, geometry: PolygonalGeometry): Feature<PolygonalGeometry, Properties> {
  const properties = withText({}, {
    ref: values.ref,
    hazard_ref: values.hazard_ref,
    kind: values.kind,
    method: values.method,
    operator: values.operator,
    start_date: values.start_date,
    end_date: values.end_date,
  });
  // Devices are optional: rows left wholly empty are not sent, and no rows means no devices property.
  const devices = values.devices.filter((row) => !rowIsBlank(row)).map(deviceOf);
  if (devices.length > 0) properties['devices'] = devices;
  return { type: 'Feature', properties, geometry };
}

const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');
const oneOf = <T extends string>(value: unknown, allowed: readonly T[]): T | '' => (allowed.includes(value as T) ? (value as T) : '');

/**
 * The form's values for a hazard already sent (a draft made from the form, to correct): what the form sent, read
 * back; a value the form cannot show (an unknown type, say) is left empty for the officer to fill again.
 */
export function hazardValuesOf(properties: Properties, organisation: string): HazardFormValues {
  const contamination = Array.isArray(properties['contamination']) ? properties['contamination'] : [];
  return {
    ref: text(properties['ref']),
    type: oneOf(properties['type'], hazardTypes),
    contamination: contaminationTypes.filter((type) => contamination.includes(type)),
    source: text(properties['source']),
    recorded_on: text(properties['recorded_on']),
    operator: text(properties['operator']) || organisation,
    village_code: text(properties['village_code']),
    notes: text(properties['notes']),
  };
}

export function releaseValuesOf(properties: Properties, organisation: string): ReleaseFormValues {
  const devices = Array.isArray(properties['devices']) ? (properties['devices'] as Properties[]) : [];
  return {
    ref: text(properties['ref']),
    hazard_ref: text(properties['hazard_ref']),
    kind: oneOf(properties['kind'], releaseKinds),
    method: oneOf(properties['method'], releaseMethods),
    operator: text(properties['operator']) || organisation,
    start_date: text(properties['start_date']),
    end_date: text(properties['end_date']),
    devices: devices.map((device) => ({ category: oneOf(device['category'], deviceCategories), model: text(device['model']), quantity: text(device['quantity']) })),
  };
}
