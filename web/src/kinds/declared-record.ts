// The form for one record of a kind the web has no form of its own for (EO finds, and the kinds that follow):
// its values are the kind's declared exchange fields (GET /api/kinds), its light check is the required ones
// and the place, and it sends the GeoJSON Feature a file would hold. The server checks it as it checks a file.
import type { Feature, Point } from 'geojson';
import type { ExchangeField } from './records-api';

/** What the officer typed, field by field (every control holds text). */
export type DeclaredValues = Record<string, string>;

/** A point as typed or clicked: longitude and latitude as text, kept as written. */
export interface PointInput {
  lon: string;
  lat: string;
}

export const emptyPoint: PointInput = { lon: '', lat: '' };

/** The form's values at first: every field empty, the operator the officer's own organisation. */
export function blankDeclared(fields: readonly ExchangeField[], organisation: string): DeclaredValues {
  return Object.fromEntries(fields.map((field) => [field.name, field.name === 'operator' ? organisation : '']));
}

const number = (text: string): number | null => {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
};

/** The point, when both coordinates are numbers; the server checks where it lies. */
export function pointOf(input: PointInput): Point | null {
  const [lon, lat] = [number(input.lon), number(input.lat)];
  return lon === null || lat === null ? null : { type: 'Point', coordinates: [lon, lat] };
}

/**
 * A position clicked on the map, to 7 decimal places (about 1 cm, what MapLibre's click gives), so a click
 * keeps the 6 decimals the server asks for (JSON drops trailing zeros: a click exactly on 13.05 gets its note).
 */
export function clickedPoint(lng: number, lat: number): PointInput {
  return { lon: lng.toFixed(7), lat: lat.toFixed(7) };
}

/** Required fields left empty, in the declaration's order, then the place if the kind has one and it is not given. */
export function missingDeclared(fields: readonly ExchangeField[], values: DeclaredValues, place: Point | null | undefined): string[] {
  const missing = fields.filter((field) => field.required && (values[field.name] ?? '').trim() === '').map((field) => field.name);
  if (place === null) missing.push('geometry');
  return missing;
}

/** A whole number as a number when it is one; otherwise as typed, so the server names the problem. */
function valueOf(field: ExchangeField, text: string): string | number {
  return field.input?.type === 'integer' && /^-?\d+$/.test(text) ? Number(text) : text;
}

/** The Feature the form sends: trimmed values, empty ones left out (a file would leave them out). */
export function declaredFeature<G extends Point | null>(fields: readonly ExchangeField[], values: DeclaredValues, geometry: G): Feature<G, Record<string, unknown>> {
  const properties: Record<string, unknown> = {};
  for (const field of fields) {
    const text = (values[field.name] ?? '').trim();
    if (text !== '') properties[field.name] = valueOf(field, text);
  }
  return { type: 'Feature', properties, geometry };
}
