// The exchange format: the properties of hazard and land release records as operators send them (GeoJSON
// Feature properties, or CSV columns). Defined once here; imports, the API and the OpenAPI document use it.
// docs/exchange-format.md describes it for people.
import { z } from 'zod';
import type { ProblemCode, RecordProblem } from './problems.ts';

export const HAZARD_TYPES = ['SHA', 'CHA'] as const;
// 'combined': replaced, with others, by one hazard (reconciliation); kept as history, no longer counted.
// 'reopened': set by the authority (e.g. a failed post-clearance inspection); the accounting keeps it.
export const HAZARD_STATUSES = ['open', 'in_progress', 'released', 'combined', 'reopened'] as const;
export const CONTAMINATION_TYPES = ['AP', 'AT', 'CMR', 'ERW', 'IED'] as const;
export const RELEASE_KINDS = ['cancelled', 'reduced', 'cleared'] as const;
export const RELEASE_METHODS = ['nts', 'ts', 'manual', 'mechanical', 'mdd', 'combined'] as const;
export const DEVICE_CATEGORIES = ['AP', 'AT', 'submunition', 'UXO', 'abandoned'] as const;

export type HazardType = (typeof HAZARD_TYPES)[number];

export type HazardStatus = (typeof HAZARD_STATUSES)[number];
export type ContaminationType = (typeof CONTAMINATION_TYPES)[number];
export type ReleaseKind = (typeof RELEASE_KINDS)[number];
export type ReleaseMethod = (typeof RELEASE_METHODS)[number];

/** IMAS 07.11: NTS cancels land, TS reduces it, clearance (by any clearance method) clears it. */
export const METHODS_BY_KIND: Record<ReleaseKind, readonly ReleaseMethod[]> = {
  cancelled: ['nts'],
  reduced: ['ts'],
  cleared: ['manual', 'mechanical', 'mdd', 'combined'],
};

export const refSchema = z
  .string()
  .trim()
  .min(1)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a ref is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit');

export const organisationCodeSchema = z
  .string()
  .trim()
  .regex(/^[A-Z][A-Z0-9-]{1,15}$/, 'an organisation code is 2 to 16 upper-case letters, digits or hyphens, starting with a letter');

function isCalendarDate(value: string): boolean {
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export const isoDateSchema = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'not an ISO date (YYYY-MM-DD)')
  .refine(isCalendarDate, 'not a calendar date');

export const villageCodeSchema = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).trim())
  .pipe(z.string().regex(/^\d{7,8}$/, 'a village code has 8 digits'))
  .transform((value) => value.padStart(8, '0'));

export const deviceSchema = z.object({
  category: z.enum(DEVICE_CATEGORIES),
  model: z.string().trim().min(1).max(100),
  quantity: z.number().int().positive(),
});

export const hazardPropertiesSchema = z.object({
  ref: refSchema,
  type: z.enum(HAZARD_TYPES),
  contamination: z.array(z.enum(CONTAMINATION_TYPES)).min(1),
  source: z.string().trim().min(1).max(200),
  recorded_on: isoDateSchema,
  operator: organisationCodeSchema.optional(),
  village_code: villageCodeSchema.optional(),
  notes: z.string().max(10_000).optional(),
});

/**
 * (A limit named in the README, beside those of limits.ts; here because the web reads this module.) Device lines on one land release: a line per category and model, its quantity counting the items, so a
 * release lists a few. Each line becomes an EO find: unbounded, one 10 MB release made 200,000 finds.
 */
export const MAX_DEVICES_PER_RELEASE = 100;

export const releasePropertiesSchema = z.object({
  ref: refSchema,
  hazard_ref: refSchema,
  kind: z.enum(RELEASE_KINDS),
  method: z.enum(RELEASE_METHODS),
  operator: organisationCodeSchema,
  start_date: isoDateSchema,
  end_date: isoDateSchema,
  devices: z.array(deviceSchema)
    .max(MAX_DEVICES_PER_RELEASE, `at most ${MAX_DEVICES_PER_RELEASE} device lines on one release (a line per category and model; its quantity counts the items)`)
    .optional(),
});

export type HazardProperties = z.infer<typeof hazardPropertiesSchema>;
export type ReleaseProperties = z.infer<typeof releasePropertiesSchema>;
export type Device = z.infer<typeof deviceSchema>;

/** Where a record sits in its file, for messages. */
export interface RecordPlace {
  feature?: number;
  line?: number;
}

// Which problem code a bad value of each field gets: a wrong enum value is "unknown type", not just
// "invalid field", because that is what the person fixing the file needs to read.
const FIELD_CODES: Record<string, ProblemCode> = {
  type: 'type.unknown',
  contamination: 'contamination.unknown',
  kind: 'kind.unknown',
  method: 'method.unknown',
  recorded_on: 'date.not-iso',
  start_date: 'date.not-iso',
  end_date: 'date.not-iso',
  devices: 'device.invalid',
  ref: 'field.invalid',
};

/** Blank strings and nulls mean "not given" in spreadsheets and in GeoJSON alike. */
function withoutBlanks(properties: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== null && !(typeof value === 'string' && value.trim() === '')));
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return `${JSON.stringify(value)} is not one of ${issue.values.map((v) => String(v)).join(', ')}`;
  }
  if (issue.code === 'invalid_type' && value === undefined) return 'is required';
  return issue.message;
}

function valueAt(source: Record<string, unknown>, path: PropertyKey[]): unknown {
  let current: unknown = source;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: RecordProblem[] };

function parseWith<T>(schema: z.ZodType<T>, raw: Record<string, unknown>, place: RecordPlace, fieldCodes: Readonly<Record<string, ProblemCode>> = FIELD_CODES): Parsed<T> {
  const properties = withoutBlanks(raw);
  const result = schema.safeParse(properties);
  if (result.success) return { ok: true, value: result.data };
  const ref = typeof properties.ref === 'string' && properties.ref.trim() ? properties.ref.trim() : undefined;
  const problems = result.error.issues.map((issue): RecordProblem => {
    const field = issue.path.map(String).join('.') || undefined;
    const topField = issue.path[0] === undefined ? '' : String(issue.path[0]);
    const value = valueAt(properties, issue.path);
    const missing = value === undefined;
    const code: ProblemCode =
      topField === 'ref' && missing ? 'ref.missing' : missing ? 'field.required' : (fieldCodes[topField] ?? 'field.invalid');
    return { severity: 'error', code, ref, ...place, field, reason: describeIssue(issue, value) };
  });
  return { ok: false, problems };
}

/** Any kind's properties against its schema, each bad field with the code its declaration gives. */
export function parseProperties<T>(schema: z.ZodType<T>, fieldCodes: Readonly<Record<string, ProblemCode>>, raw: Record<string, unknown>, place: RecordPlace): Parsed<T> {
  return parseWith(schema, raw, place, fieldCodes);
}

export function parseHazardProperties(raw: Record<string, unknown>, place: RecordPlace): Parsed<HazardProperties> {
  return parseWith(hazardPropertiesSchema, raw, place);
}

export function parseReleaseProperties(raw: Record<string, unknown>, place: RecordPlace): Parsed<ReleaseProperties> {
  const parsed = parseWith(releasePropertiesSchema, raw, place);
  if (!parsed.ok) return parsed;
  const { kind, method, ref } = parsed.value;
  if (!METHODS_BY_KIND[kind].includes(method)) {
    return {
      ok: false,
      problems: [
        {
          severity: 'error',
          code: 'method.kind-mismatch',
          ref,
          ...place,
          field: 'method',
          reason: `land ${kind} must come from ${METHODS_BY_KIND[kind].join(' or ')}, not ${method}`,
        },
      ],
    };
  }
  return parsed;
}

/** Date rules that need today's date, which the caller passes (the domain has no clock). */
export function checkDates(
  dates: { field: string; value: string }[],
  today: string,
  base: Omit<RecordProblem, 'code' | 'reason' | 'field' | 'severity'>,
): RecordProblem[] {
  const problems: RecordProblem[] = [];
  for (const { field, value } of dates) {
    if (value > today) {
      problems.push({ severity: 'error', code: 'date.future', ...base, field, reason: `${value} is after today (${today})` });
    }
  }
  const start = dates.find((d) => d.field === 'start_date');
  const end = dates.find((d) => d.field === 'end_date');
  if (start && end && end.value < start.value) {
    problems.push({
      severity: 'error',
      code: 'date.end-before-start',
      ...base,
      field: 'end_date',
      reason: `end_date ${end.value} is before start_date ${start.value}`,
    });
  }
  return problems;
}
