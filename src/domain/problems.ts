// One catalogue of the problems Clearway reports, each with a stable code. Imports, the API (RFC 9457
// problem+json) and the CLI all speak these codes, so a user or a script can act on them.

export const PROBLEM_CODES = {
  // The file as a whole
  'file.malformed': 'The file cannot be read in its format',
  'file.truncated': 'The file ends before its content does',
  'file.empty': 'The file holds no records',
  'file.too-large': 'The file is larger than this server accepts',
  'file.unknown-format': 'The file format is not one Clearway imports',
  // A record
  'record.malformed': 'The record is not in the exchange format',
  'record-kind.unknown': 'The record does not say a kind Clearway holds (record_kind: hazard, release or find)',
  'ref.missing': 'The record has no ref',
  'ref.duplicate': 'The same ref appears more than once in the file',
  'ref.exists': 'A record with this ref already exists in the official record',
  'field.required': 'A required field is missing',
  'field.invalid': 'A field has a value of the wrong form',
  'type.unknown': 'Unknown hazard type',
  'contamination.unknown': 'Unknown contamination type',
  'kind.unknown': 'Unknown kind of land release',
  'method.unknown': 'Unknown land release method',
  'method.kind-mismatch': 'The method cannot release land of this kind',
  'operator.unknown': 'Unknown operator code',
  'operator.other-organisation': 'An operator submits its own records, not another organisation\'s',
  'village.unknown': 'Unknown village code',
  'date.not-iso': 'The date is not an ISO date (YYYY-MM-DD)',
  'date.future': 'The date is in the future',
  'date.end-before-start': 'The end date is before the start date',
  'device.invalid': 'A device found is not described correctly',
  'hazard.unknown': 'The hazard this release belongs to does not exist',
  'hazard.combined': 'The hazard was combined into another one and takes no more releases',
  'release.not-touching-hazard': 'The released land does not touch its hazard',
  'release.unknown': 'The land release this record names does not exist',
  'category.unknown': 'Unknown category of explosive ordnance',
  'destruction-method.unknown': 'Unknown destruction method',
  'date.destroyed-before-found': 'The item is destroyed before it was found',
  'model.unlisted': 'The device model is not in the reference list of models met in Cambodia',
  // Geometry
  'geometry.missing': 'The record has no geometry',
  'geometry.type': 'The geometry is not of the type this kind of record has (polygon, or point)',
  'geometry.malformed': 'The geometry cannot be read',
  'geometry.unclosed-ring': 'A ring of the polygon is not closed',
  'geometry.too-few-vertices': 'A ring has fewer than 3 distinct vertices',
  'geometry.too-many-vertices': 'The polygon has more vertices than Clearway accepts',
  'geometry.too-small': 'The area is smaller than 1 m2',
  'field.repeated': 'A list repeats the same value',
  'submission.too-many-items': 'The submission holds more items than Clearway accepts in one',
  'submission.too-many-drafts': 'The organisation holds as many drafts as Clearway keeps',
  'geometry.self-intersection': 'The polygon intersects itself',
  'geometry.invalid': 'The polygon is not valid',
  'geometry.swapped-coordinates': 'Latitude and longitude are swapped',
  'geometry.outside-country': 'The geometry lies more than 10 km outside the country',
  // Notes: accepted, but worth knowing
  'geometry.repaired': 'The polygon was repaired',
  'geometry.crosses-border': 'The hazard crosses the national border',
  'geometry.low-precision': 'A coordinate has fewer than 6 decimal places (about 0.1 m)', // points: EO finds, call-outs, accidents
  'release.outside-hazard': 'Part of the released land lies outside its hazard and was not counted',
  'village.other-unit': 'The named village lies in another province or district than the geometry',
  'record.updates': 'The item updates the official record with its ref',
  // Accounts and permissions
  'auth.required': 'Sign in or send an API token',
  'auth.invalid-token': 'The API token is not valid',
  'auth.wrong-credentials': 'Wrong username or password',
  'auth.rate-limited': 'Too many failed sign-ins',
  'auth.csrf': 'The CSRF token is missing or wrong',
  'auth.forbidden': 'Your role or organisation may not do this',
  // The submission workflow
  'workflow.transition': 'The submission is not in a state that allows this',
  'workflow.four-eyes': 'The person who submitted cannot decide on the same submission',
  'workflow.has-errors': 'The submission has validation errors',
  'workflow.conflict': 'Items conflict with the official record as it is now',
  'workflow.reconciliation': 'The reconciliation chosen for an item is not possible',
  // An operator's own monthly summary, compared with the official record (the discrepancy report)
  'summary.invalid': 'The operator summary has errors; nothing was compared',
  'summary.columns': 'The summary lacks a required column',
  'summary.province-unknown': 'Unknown province',
  'summary.month-invalid': 'The month is not a calendar month (YYYY-MM)',
  'summary.area-invalid': 'The released area is not a number of m2 of at least 0',
  'summary.duplicate': 'The same province, month and kind appear on more than one line',
  // Figures for a date, frozen for publication, and the authority's own status of a hazard
  'frozen.name-taken': 'A frozen report already has this name: frozen figures are never replaced',
  'hazard.status-not-settable': 'This status cannot be set on this hazard',
  // Requests and the engine
  'request.invalid': 'The request is not valid',
  'not-found': 'Not found',
  'engine.silent-failure': 'The database engine failed without an error; the change was rolled back',
  'internal': 'Internal error',
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export type Severity = 'error' | 'note';

/** One problem with one record: which record (ref, and feature index or line), which field, and why. */
export interface RecordProblem {
  severity: Severity;
  code: ProblemCode;
  /** The record's ref, when it has one. */
  ref?: string;
  /** 0-based index of the feature in a GeoJSON FeatureCollection. */
  feature?: number;
  /** 1-based line of a CSV file (the header is line 1). */
  line?: number;
  field?: string;
  reason: string;
}

export function describeProblem(problem: RecordProblem): string {
  const where: string[] = [];
  if (problem.feature !== undefined) where.push(`feature ${problem.feature}`);
  if (problem.line !== undefined) where.push(`line ${problem.line}`);
  if (problem.ref !== undefined) where.push(`ref ${problem.ref}`);
  const place = where.length > 0 ? where.join(', ') : 'file';
  const field = problem.field ? ` field ${problem.field}` : '';
  return `${problem.severity} [${problem.code}] ${place}${field}: ${problem.reason}`;
}

/** An error whose code and details reach the user as they are (problem+json over HTTP, a line in the CLI). */
export class ClearwayError extends Error {
  constructor(
    readonly code: ProblemCode,
    message: string,
    readonly status = 400,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ClearwayError';
  }
}
