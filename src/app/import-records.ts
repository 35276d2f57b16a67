// Import of hazards and land releases from a file: read, check every record, and store them all in one
// transaction, or store nothing and say what is wrong with which record, which field, and why.
import { MIN_AREA_M2 } from '../domain/limits.ts';
import type { Database, Queryable, ReadOnlyConnection } from '../db/engine.ts';
import { createHazardStage, measureHazards, stageAndCheckHazards, assignStagedUnits, writeStagedHazards, keptToMeasured, measuredToKept, type KeptHazardMeasures, type MeasuredHazards, type StagedHazard, type StagedGeometryCheck } from '../db/hazard-import.ts';
import { createReleaseStage, measureKeptReleases, measureReleases, type KeptReleaseMeasures, stageAndCheckReleases, writeDeviceFinds, writeStagedReleases, type ReleaseMeasures, type StagedRelease, type StagedReleaseCheck } from '../db/release-import.ts';
import { refreshAccounting } from '../db/accounting.ts';
import { writePendingHazards, writePendingReleases, type PendingRecords } from '../db/pending-records.ts';
import { combineHazards, type Combination } from '../db/reconciliation.ts';
import { retiredTargets, writtenTarget, type Reconciliation } from '../domain/reconciliation.ts';
import { lockOfficialRecord, recordAuditEvent, recordChangeBatch, finishChangeBatch } from '../db/change-batch.ts';
import { checkDates, parseHazardProperties, parseReleaseProperties, type Parsed, type RecordPlace } from '../domain/exchange-format.ts';
import { ClearwayError, readThenParsed, type RecordProblem } from '../domain/problems.ts';
import { readRecordsOffThread } from './read-off-thread.ts';
import { readerFor } from '../formats/registry.ts';
import type { KindId } from '../kinds/registry.ts';
import { importFinds } from './find-import.ts';
import { readAgainstTheRecord } from './record-updates.ts';
import { polygonOf } from './record-polygon.ts';
import { placeOf, refOf, type FormatId, type RawRecord } from '../formats/records.ts';

export type ImportKind = KindId;

export interface ImportRequest {
  kind: ImportKind;
  fileName: string;
  text: string;
  format?: FormatId;
  dryRun?: boolean;
  repair?: boolean;
  actor: string;
  /** Today's date (YYYY-MM-DD) in the authority's time zone: dates after it are errors. */
  today: string;
  /** The submission this import applies, when it is an approval. */
  submissionId?: number;
  /**
   * How each record (by its index in the file) meets the official record, when it is an approval; the
   * caller has checked the targets' versions. Without it every record is new.
   */
  reconciliation?: Map<number, Reconciliation>;
  /** The file's records when the caller has already read them (with readerFor), so it is parsed once. */
  read?: RawRecord[];
  /** Whose records they are when an item names no operator: the submitting organisation (approvals). */
  defaultOperator?: string;
  /**
   * An audit entry written with the stored import, in its transaction (the CLI's migration import says it
   * was one, and by which OS-level actor); the batch's own entry is written in any case.
   */
  audit?: { action: string; details: Record<string, unknown> };
  /**
   * A check that the caller rolls back (a submission's validation): the records are written so that later
   * items can name them, but the accounting is not recomputed. It finds no problem, only figures, and the
   * figures are thrown away with the transaction.
   */
  checkOnly?: boolean;
  /**
   * With checkOnly: no item of the check can meet the finds a release's devices become (refs `<release>-D<n>`),
   * so they are not made. They are made at approval as always.
   */
  noDeviceFinds?: boolean;
  /**
   * With checkOnly, when every item is a new record: the new records are kept pending (pending-records.ts)
   * for the later items to find, not written into the official tables. Shared by the kinds of one check.
   */
  pending?: PendingRecords;
  /**
   * Polygon kinds: measures an earlier check of the same records took (by the record's index), used instead
   * of measuring the polygons again; and where to hand the measures this import takes, for a later import
   * of the same records to use. See docs/decisions/0018.
   */
  keptMeasures?: Map<number, PolygonMeasures>;
  keepMeasures?: (measured: Map<number, PolygonMeasures>) => void;
}

/** What an import measured in one record's polygon alone, by kind: kept, it spares measuring it again. */
export type PolygonMeasures = { hazard: KeptHazardMeasures } | { release: KeptReleaseMeasures };

export interface ImportReport {
  kind: ImportKind;
  file: string;
  format: FormatId | null;
  dryRun: boolean;
  stored: boolean;
  records: number;
  accepted: number;
  /** Every error found; `errors` lists the first MAX_LISTED_ERRORS of them. */
  errorCount: number;
  errors: RecordProblem[];
  notes: RecordProblem[];
  batchId: number | null;
  statusChanges: number;
  durationMs: number;
}

const CHUNK = 2_000;
/** Past this many errors the report stops listing them: the file needs fixing at its source. */
const MAX_LISTED_ERRORS = 1_000;

class RollBack extends Error {}

export interface Prepared<T> {
  place: RecordPlace;
  ref?: string;
  value?: T;
  problems: RecordProblem[];
}

function geometryProblems(record: RawRecord, ref: string | undefined): { wkb?: string; problems: RecordProblem[] } {
  // The reader already said why the geometry could not be read (bad WKT): no second message for it.
  if (record.problems.some((p) => p.code === 'geometry.malformed') && record.geometry === null) return { problems: [] };
  const polygon = polygonOf(record);
  if (!polygon.ok) return { problems: [{ severity: 'error', code: polygon.code, ref, ...placeOf(record), field: 'geometry', reason: polygon.reason }] };
  return { wkb: polygon.wkb, problems: [] };
}

/** Marks a ref used again in the same file; `seen` carries the first use of each ref across chunks. */
function checkDuplicateRef<T>(item: Prepared<T>, seen: Map<string, RecordPlace>): void {
  if (!item.ref) return;
  const first = seen.get(item.ref);
  if (!first) {
    seen.set(item.ref, item.place);
    return;
  }
  const where = first.feature !== undefined ? `feature ${first.feature}` : `line ${first.line}`;
  item.problems.push({ severity: 'error', code: 'ref.duplicate', ref: item.ref, ...item.place, field: 'ref', reason: `ref ${item.ref} is also used by ${where}` });
}

export async function knownOrganisations(db: Queryable): Promise<Set<string>> {
  const result = await db.query<{ code: string }>('select code from organisation');
  return new Set(result.rows.map((r) => r.code));
}

async function knownVillages(db: Queryable, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const result = await db.query<{ code: string }>(`select code from admin_unit where level = 'village' and code = any($1::text[])`, [codes]);
  return new Set(result.rows.map((r) => r.code));
}

interface ReadRecord<P> {
  at: RecordPlace;
  ref?: string;
  problems: RecordProblem[];
  /** Present when the properties and the geometry could both be read. */
  ok?: { properties: P; wkb: string };
}

/** What every record goes through: its properties against the schema, its geometry's shape. */
function readRecord<P extends { ref: string }>(record: RawRecord, parse: (raw: Record<string, unknown>, at: RecordPlace) => Parsed<P>): ReadRecord<P> {
  const at = placeOf(record);
  const parsed = parse(record.properties, at);
  const ref = parsed.ok ? parsed.value.ref : (refOf(record) ?? undefined);
  const problems = readThenParsed(record.problems, parsed.ok ? [] : parsed.problems);
  const geometry = geometryProblems(record, ref);
  problems.push(...geometry.problems);
  if (!parsed.ok || !geometry.wkb) return { at, ref, problems };
  return { at, ref, problems, ok: { properties: parsed.value, wkb: geometry.wkb } };
}

export function unknownOperator(code: string, ref: string, at: RecordPlace): RecordProblem {
  return { severity: 'error', code: 'operator.unknown', ref, ...at, field: 'operator', reason: `no organisation has the code ${code}` };
}

/** The official record this record writes into, from its reconciliation; null when it is new. */
export function targetOf(idx: number, ref: string, reconciliation: Map<number, Reconciliation> | undefined): string | null {
  const decision = reconciliation?.get(idx);
  return decision ? writtenTarget({ idx, ref }, decision) : null;
}

function prepareHazard(record: RawRecord, idx: number, organisations: Set<string>, request: ImportRequest): Prepared<StagedHazard> {
  const today = request.today;
  const { at, ref, problems, ok } = readRecord(record, parseHazardProperties);
  if (!ok) return { place: at, ref, problems };
  const p = ok.properties;
  problems.push(...checkDates([{ field: 'recorded_on', value: p.recorded_on }], today, { ref, ...at }));
  // ["AP", "AP"] is a slip (or a merge gone wrong), not two contaminations: said, not silently folded.
  const repeated = p.contamination.filter((value, i) => p.contamination.indexOf(value) !== i);
  if (repeated.length > 0) {
    problems.push({ severity: 'error', code: 'field.repeated', ref, ...at, field: 'contamination', reason: `${[...new Set(repeated)].join(', ')} given more than once` });
  }
  if (p.operator && !organisations.has(p.operator)) problems.push(unknownOperator(p.operator, p.ref, at));
  const target = targetOf(idx, p.ref, request.reconciliation);
  // A new hazard without an operator is the submitting organisation's; an update keeps its owner.
  const value: StagedHazard = {
    idx, ref: p.ref, type: p.type, contamination: [...new Set(p.contamination)].sort(), source: p.source, recorded_on: p.recorded_on,
    operator_code: p.operator ?? (target === null ? (request.defaultOperator ?? null) : null), village_code: p.village_code ?? null, notes: p.notes ?? null, wkb: ok.wkb,
    kept: keptFields(record.properties, ['operator', 'village_code', 'notes']),
    target_ref: target,
  };
  return { place: at, ref, value, problems };
}

/**
 * The optional fields an item leaves out (absent, or a blank cell): an update keeps their values. An
 * explicit null (GeoJSON) is given, and clears the field.
 */
export function keptFields(properties: Record<string, unknown>, optional: readonly string[]): string[] {
  return optional.filter((field) => {
    const value = properties[field];
    return value === undefined || (typeof value === 'string' && value.trim() === '');
  });
}

function prepareRelease(record: RawRecord, idx: number, organisations: Set<string>, request: ImportRequest): Prepared<StagedRelease> {
  const today = request.today;
  const { at, ref, problems, ok } = readRecord(record, parseReleaseProperties);
  if (!ok) return { place: at, ref, problems };
  const p = ok.properties;
  problems.push(...checkDates([{ field: 'start_date', value: p.start_date }, { field: 'end_date', value: p.end_date }], today, { ref, ...at }));
  if (!organisations.has(p.operator)) problems.push(unknownOperator(p.operator, p.ref, at));
  const value: StagedRelease = {
    idx, ref: p.ref, hazard_ref: p.hazard_ref, kind: p.kind, method: p.method, operator_code: p.operator,
    start_date: p.start_date, end_date: p.end_date, devices: p.devices ?? [], wkb: ok.wkb,
    target_ref: targetOf(idx, p.ref, request.reconciliation),
  };
  return { place: at, ref, value, problems };
}

const round = (m2: number): string => m2.toLocaleString('en-US', { maximumFractionDigits: 1 });

function hazardCheckProblems(check: StagedGeometryCheck, item: Prepared<StagedHazard>): RecordProblem[] {
  const base = { ref: check.ref, ...item.place, field: 'geometry' };
  const problems: RecordProblem[] = [];
  if (check.ref_exists) problems.push({ severity: 'error', code: 'ref.exists', ...base, field: 'ref', reason: `hazard ${check.ref} is already in the official record` });
  if (!check.valid && !check.repaired) {
    const selfIntersection = /self-intersection/i.test(check.invalid_reason ?? '');
    problems.push({
      severity: 'error', code: selfIntersection ? 'geometry.self-intersection' : 'geometry.invalid', ...base,
      reason: `${check.invalid_reason ?? 'invalid polygon'} (import with --repair to fix it automatically)`,
    });
    return problems;
  }
  if (check.area_m2 === null || check.area_m2 <= 0) {
    problems.push({ severity: 'error', code: 'geometry.invalid', ...base, reason: `the polygon has no area${check.repaired ? ' after repair' : ''}` });
    return problems;
  }
  if (check.area_m2 < MIN_AREA_M2) {
    problems.push({ severity: 'error', code: 'geometry.too-small', ...base, reason: `the polygon covers ${check.area_m2.toPrecision(2)} m2, less than ${MIN_AREA_M2} m2` });
    return problems;
  }
  if (check.repaired) {
    problems.push({
      severity: 'note', code: 'geometry.repaired', ...base,
      reason: `${check.invalid_reason}; repaired into ${check.parts} polygon(s) of ${round(check.area_m2)} m2`,
    });
  }
  if (check.within_10km === false) {
    const distance = check.distance_km === null ? '' : ` (a vertex lies ${check.distance_km.toFixed(1)} km away)`;
    problems.push({ severity: 'error', code: 'geometry.outside-country', ...base, reason: `the polygon reaches more than 10 km outside Cambodia${distance}` });
  } else if (check.crosses_border) {
    problems.push({
      severity: 'note', code: 'geometry.crosses-border', ...base,
      reason: `the hazard crosses the national border: ${round(check.outside_country_m2 ?? 0)} m2 lie outside Cambodia`,
    });
  }
  return problems;
}

function villageProblems(check: StagedGeometryCheck, item: Prepared<StagedHazard>): RecordProblem[] {
  const village = item.value?.village_code;
  if (!village || !check.province_code) return [];
  if (check.village_district && check.district_code && check.village_district !== check.district_code) {
    return [{
      severity: 'note', code: 'village.other-unit', ref: check.ref, ...item.place, field: 'village_code',
      reason: `village ${village} is in district ${check.village_district}, but the geometry lies mostly in district ${check.district_code}`,
    }];
  }
  return [];
}

function releaseCheckProblems(check: StagedReleaseCheck, item: Prepared<StagedRelease>): RecordProblem[] {
  const base = { ref: check.ref, ...item.place };
  const problems: RecordProblem[] = [];
  if (check.ref_exists) problems.push({ severity: 'error', code: 'ref.exists', ...base, field: 'ref', reason: `land release ${check.ref} is already in the official record` });
  if (check.hazard_id === null) {
    problems.push({ severity: 'error', code: 'hazard.unknown', ...base, field: 'hazard_ref', reason: `no hazard has the ref ${check.hazard_ref}` });
  } else if (check.hazard_combined_into !== null) {
    problems.push({
      severity: 'error', code: 'hazard.combined', ...base, field: 'hazard_ref',
      reason: `hazard ${check.hazard_ref} was combined into ${check.hazard_combined_into}: name that hazard instead`,
    });
  }
  if (!check.valid) {
    const selfIntersection = /self-intersection/i.test(check.invalid_reason ?? '');
    problems.push({
      severity: 'error', code: selfIntersection ? 'geometry.self-intersection' : 'geometry.invalid', ...base, field: 'geometry',
      reason: `${check.invalid_reason ?? 'invalid polygon'} (import with --repair to fix it automatically)`,
    });
    return problems;
  }
  if (check.area_m2 !== null && check.area_m2 < MIN_AREA_M2) {
    problems.push({ severity: 'error', code: 'geometry.too-small', ...base, field: 'geometry', reason: `the released land covers ${check.area_m2.toPrecision(2)} m2, less than ${MIN_AREA_M2} m2` });
    return problems;
  }
  if (check.repaired) {
    problems.push({ severity: 'note', code: 'geometry.repaired', ...base, field: 'geometry', reason: `${check.invalid_reason}; repaired (${round(check.area_m2 ?? 0)} m2)` });
  }
  if (check.hazard_id !== null && check.touches_hazard === false) {
    problems.push({ severity: 'error', code: 'release.not-touching-hazard', ...base, field: 'geometry', reason: `the released land has no area in common with hazard ${check.hazard_ref}` });
  } else if (check.outside_m2 !== null && check.outside_m2 >= 0.01) {
    problems.push({
      severity: 'note', code: 'release.outside-hazard', ...base, field: 'geometry',
      reason: `${round(check.outside_m2)} m2 of the released land lie outside hazard ${check.hazard_ref} and are not counted`,
    });
  }
  return problems;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function emptyReport(request: ImportRequest, format: FormatId | null): ImportReport {
  return {
    kind: request.kind, file: request.fileName, format, dryRun: request.dryRun ?? false, stored: false, records: 0, accepted: 0,
    errorCount: 0, errors: [], notes: [], batchId: null, statusChanges: 0, durationMs: 0,
  };
}

export function addProblems(report: ImportReport, problems: RecordProblem[]): void {
  for (const problem of problems) {
    if (problem.severity === 'note') {
      report.notes.push(problem);
      continue;
    }
    report.errorCount += 1;
    if (report.errors.length < MAX_LISTED_ERRORS) report.errors.push(problem);
  }
}

/** Reads the file (off this thread when large); a file that cannot be read gives a report with one file-level error. */
async function readRecords(request: ImportRequest, report: ImportReport): Promise<RawRecord[] | null> {
  try {
    const reader = readerFor(request.fileName, request.format);
    report.format = reader.id;
    const records = request.read ?? (await readRecordsOffThread(request.fileName, request.text, reader.id));
    if (records.length === 0) throw new ClearwayError('file.empty', 'The file holds no records');
    return records;
  } catch (error) {
    if (!(error instanceof ClearwayError)) throw error;
    report.errors.push({ severity: 'error', code: error.code, reason: error.message });
    report.errorCount = 1;
    return null;
  }
}

/**
 * Where the per-polygon checks run: on the server, a read-only connection of its own, so that the checks of
 * the next chunk run on one core while the transaction writes the current chunk on the other; otherwise (the
 * embedded engine, or an import inside a caller's transaction) the transaction itself, one step at a time.
 */
export interface Checker {
  q: Queryable;
  pipelined: boolean;
}

async function runImport(tx: Queryable, records: RawRecord[], request: ImportRequest, report: ImportReport, checker: Checker): Promise<void> {
  const organisations = await knownOrganisations(tx);
  // Updates are read against the records they update: what they omit is kept, the owner never moves.
  const read = await readAgainstTheRecord(tx, request.kind, records, request.reconciliation);
  await IMPORTERS[request.kind](tx, read, organisations, request, report, checker);
}

export async function importRecords(db: Database, request: ImportRequest): Promise<ImportReport> {
  const started = Date.now();
  const report = emptyReport(request, null);
  const records = await readRecords(request, report);
  if (!records) return { ...report, durationMs: Date.now() - started };
  report.records = records.length;
  try {
    await db.transaction(async (tx) => {
      if (!request.dryRun) await lockOfficialRecord(tx);
      // Taken once the transaction holds its own connection (engine.ts says why).
      const side: ReadOnlyConnection | null = db.readOnlyConnection ? await db.readOnlyConnection() : null;
      try {
        await runImport(tx, records, request, report, side ? { q: side, pipelined: true } : { q: tx, pipelined: false });
      } finally {
        side?.release();
      }
      if (report.errorCount > 0 || report.dryRun) throw new RollBack();
      if (request.audit) {
        await recordAuditEvent(tx, {
          actor: request.actor, action: request.audit.action, entity: 'change_batch', entityRef: report.batchId === null ? null : String(report.batchId),
          details: { ...request.audit.details, kind: request.kind, file: request.fileName, records: report.records, accepted: report.accepted, batch_id: report.batchId },
        });
      }
      report.stored = true;
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
    report.stored = false;
    report.batchId = null;
    report.statusChanges = 0;
  }
  if (!report.stored) report.accepted = report.errorCount === 0 ? report.accepted : 0;
  report.durationMs = Date.now() - started;
  return report;
}

/** An import inside a larger change (an approval) was refused: the caller's transaction must roll back. */
export class ImportRefused extends Error {
  constructor(readonly report: ImportReport) {
    super(`The import was refused: ${report.errorCount} error(s)`);
    this.name = 'ImportRefused';
  }
}

/**
 * Imports inside the caller's transaction, which holds lockOfficialRecord (an approval takes it before it
 * checks its targets); throws ImportRefused (so the caller rolls back) on any error.
 */
export async function importWithin(tx: Queryable, request: ImportRequest): Promise<ImportReport> {
  const report = await importGroup(tx, request);
  if (report.errorCount > 0) throw new ImportRefused(report);
  return report;
}

/**
 * One kind's records inside the caller's transaction, which decides what to keep (a submission's check
 * rolls back, its approval commits): the report says every problem; nothing is thrown for them.
 */
export async function importGroup(tx: Queryable, request: ImportRequest, checker: Checker = { q: tx, pipelined: false }): Promise<ImportReport> {
  const started = Date.now();
  const report = emptyReport({ ...request, dryRun: false }, null);
  const records = await readRecords(request, report);
  if (!records) return { ...report, durationMs: Date.now() - started };
  report.records = records.length;
  await runImport(tx, records, request, report, checker);
  report.durationMs = Date.now() - started;
  report.stored = report.errorCount === 0;
  return report;
}

/**
 * The measures an earlier check kept for every one of these records, of this kind; undefined when any is
 * missing (all are measured then) or when the import repairs polygons (a check never does).
 */
function keptOf<K extends 'hazard' | 'release'>(request: ImportRequest, kind: K, idxs: number[]): Map<number, Extract<PolygonMeasures, Record<K, unknown>>[K]> | undefined {
  if (!request.keptMeasures || request.repair) return undefined;
  const kept = new Map<number, Extract<PolygonMeasures, Record<K, unknown>>[K]>();
  for (const idx of idxs) {
    const measures = request.keptMeasures.get(idx) as Record<string, unknown> | undefined;
    if (!measures || !(kind in measures)) return undefined;
    kept.set(idx, measures[kind] as Extract<PolygonMeasures, Record<K, unknown>>[K]);
  }
  return kept;
}

export const hasError = (item: { problems: RecordProblem[] }) => item.problems.some((p) => p.severity === 'error');

/** Gives the event loop a turn, so database replies are handled while JavaScript works. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs the chunks through the database one after another, preparing the next chunk in JavaScript (schema
 * checks, WKB) while the database works on the current one: on a server the two run on different cores.
 * `measure` takes the per-polygon measures of a chunk; when pipelined it runs on the checker's own
 * connection for the next chunk while `process` writes the current one in the transaction.
 */
export async function runChunks<T, M>(
  records: RawRecord[],
  prepare: (record: RawRecord, idx: number) => Prepared<T>,
  measure: (chunk: Prepared<T>[]) => Promise<M>,
  process: (chunk: Prepared<T>[], measured: M) => Promise<void>,
  pipelined: boolean,
): Promise<void> {
  const seen = new Map<string, RecordPlace>();
  const prepareChunk = async (start: number): Promise<Prepared<T>[]> => {
    const chunk: Prepared<T>[] = [];
    for (let idx = start; idx < Math.min(start + CHUNK, records.length); idx++) {
      const item = prepare(records[idx]!, idx);
      checkDuplicateRef(item, seen);
      chunk.push(item);
      if (idx % 250 === 249) await yieldToEventLoop();
    }
    return chunk;
  };
  if (!pipelined) {
    let next = await prepareChunk(0);
    for (let start = 0; start < records.length; start += CHUNK) {
      const current = next;
      const working = (async () => process(current, await measure(current)))();
      const following = start + CHUNK < records.length ? prepareChunk(start + CHUNK) : Promise.resolve([]);
      await working;
      next = await following;
    }
    return;
  }
  // Chunks are prepared in JavaScript and measured on the checker's connection as soon as it is free, up
  // to two chunks ahead of the writing. Each promise is awaited in turn; those left behind when an earlier
  // step fails are still waited for (their own failure ignored), so no statement is left running.
  const pending: Promise<unknown>[] = [];
  const track = <V>(promise: Promise<V>): Promise<V> => {
    pending.push(promise.catch(() => undefined));
    return promise;
  };
  try {
    const starts: number[] = [];
    for (let start = 0; start < records.length; start += CHUNK) starts.push(start);
    const prepared: Promise<Prepared<T>[]>[] = [];
    const measured: Promise<M>[] = [];
    let preparing: Promise<unknown> = Promise.resolve();
    let measuring: Promise<unknown> = Promise.resolve();
    const launch = (i: number) => {
      if (i >= starts.length || prepared[i]) return;
      const items = track(preparing.then(() => prepareChunk(starts[i]!)));
      preparing = items.catch(() => undefined);
      const result = track(Promise.all([items, measuring]).then(([chunk]) => measure(chunk)));
      measuring = result.catch(() => undefined);
      prepared[i] = items;
      measured[i] = result;
    };
    for (let i = 0; i < starts.length; i++) {
      launch(i);
      launch(i + 1);
      launch(i + 2);
      const items = await prepared[i]!;
      const result = await measured[i]!;
      await process(items, result);
    }
  } finally {
    await Promise.all(pending);
  }
}

async function importHazards(tx: Queryable, records: RawRecord[], organisations: Set<string>, request: ImportRequest, report: ImportReport, checker: Checker): Promise<void> {
  const batchId = await recordChangeBatch(tx, { kind: 'import-hazards', sourceName: request.fileName, madeBy: request.actor, submissionId: request.submissionId });
  await createHazardStage(tx);
  const updated: number[] = [];
  const repair = request.repair ?? false;
  // Measured before the village check below, which can only add errors: a record with an error of its own
  // is never staged, so it is not measured either.
  const measure = async (chunk: Prepared<StagedHazard>[]): Promise<MeasuredHazards & { split: boolean }> => {
    const measurable = chunk.filter((p) => p.value && !hasError(p)).map((p) => p.value!);
    if (measurable.length === 0) return { measures: [], shares: [], split: checker.pipelined };
    // Measures kept from the submission's check hold for the same polygons (no repair: a submission never repairs).
    const kept = keptOf(request, 'hazard', measurable.map((r) => r.idx));
    if (kept) return keptToMeasured(kept, measurable.map((r) => r.idx));
    return measureHazards(checker.q, measurable, repair, { split: checker.pipelined });
  };
  await runChunks(records, (record, idx) => prepareHazard(record, idx, organisations, request), measure, async (chunk, measured) => {
    const villages = await knownVillages(tx, chunk.flatMap((p) => (p.value?.village_code ? [p.value.village_code] : [])));
    for (const item of chunk) {
      const village = item.value?.village_code;
      if (village && !villages.has(village)) {
        item.problems.push({ severity: 'error', code: 'village.unknown', ref: item.ref, ...item.place, field: 'village_code', reason: `no village has the code ${village}` });
      }
    }
    const stageable = chunk.filter((p) => p.value && !hasError(p));
    const byIdx = new Map(stageable.map((p) => [p.value!.idx, p]));
    const checks = stageable.length > 0 ? await stageAndCheckHazards(tx, stageable.map((p) => p.value!), measured) : [];
    for (const check of checks) byIdx.get(check.idx)?.problems.push(...hazardCheckProblems(check, byIdx.get(check.idx)!));
    // Once anything is wrong the import will be refused: later chunks are only checked, not stored.
    if (!chunk.some(hasError) && report.errors.length === 0 && checks.length > 0) {
      await assignStagedUnits(tx, checks, measured);
      if (request.keepMeasures) request.keepMeasures(new Map([...(await measuredToKept(tx, measured))].map(([idx, hazard]) => [idx, { hazard }])));
      for (const check of checks) byIdx.get(check.idx)?.problems.push(...villageProblems(check, byIdx.get(check.idx)!));
      if (request.pending) {
        report.accepted += await writePendingHazards(tx, request.pending);
      } else {
        const written = await writeStagedHazards(tx, { changedBy: request.actor, reason: `imported from ${request.fileName}`, batchId }, { accounting: !request.checkOnly });
        report.accepted += written.inserted.length + written.updated.length;
        updated.push(...written.updated);
      }
    }
    for (const item of chunk) addProblems(report, item.problems);
  }, checker.pipelined);
  if (report.errors.length === 0) {
    // Combined hazards retire once every item is written, so the hazard that replaces them exists.
    const combined = await combineHazards(tx, combinations(records, request.reconciliation), { changedBy: request.actor, reason: `combined by ${request.fileName}`, batchId });
    const refresh = request.checkOnly ? [] : [...new Set([...updated, ...combined])];
    for (const ids of chunks(refresh, 5_000)) {
      const result = await refreshAccounting(tx, ids, { changedBy: request.actor, reason: `hazard updated from ${request.fileName}`, batchId });
      report.statusChanges += result.statusChanges;
    }
  }
  report.batchId = batchId;
  await finishChangeBatch(tx, batchId, report.accepted, { errors: report.errorCount, notes: report.notes.length, statusChanges: report.statusChanges });
}

/** The combines among the reconciled records: the hazard each one keeps (or makes) and those it retires. */
function combinations(records: RawRecord[], reconciliation: Map<number, Reconciliation> | undefined): Combination[] {
  if (!reconciliation) return [];
  const found: Combination[] = [];
  for (const [idx, decision] of reconciliation) {
    const ref = records[idx] ? refOf(records[idx]) : null;
    if (decision.action !== 'combine' || ref === null) continue;
    found.push({ keptRef: writtenTarget({ idx, ref }, decision) ?? ref, retiredRefs: retiredTargets({ idx, ref }, decision) });
  }
  return found;
}

async function importReleases(tx: Queryable, records: RawRecord[], organisations: Set<string>, request: ImportRequest, report: ImportReport, checker: Checker): Promise<void> {
  const batchId = await recordChangeBatch(tx, { kind: 'import-releases', sourceName: request.fileName, madeBy: request.actor, submissionId: request.submissionId });
  await createReleaseStage(tx);
  const touched = new Set<number>();
  const repair = request.repair ?? false;
  const measure = async (chunk: Prepared<StagedRelease>[]): Promise<ReleaseMeasures[]> => {
    const measurable = chunk.filter((p) => p.value && !hasError(p)).map((p) => p.value!);
    if (measurable.length === 0) return [];
    const kept = keptOf(request, 'release', measurable.map((r) => r.idx));
    if (kept) return measureKeptReleases(checker.q, measurable, kept, request.pending);
    const measures = await measureReleases(checker.q, measurable, repair, request.pending);
    if (request.keepMeasures && !repair) {
      request.keepMeasures(new Map(measures.map((m) => [m.idx, { release: { invalid_reason: m.invalid_reason, area_m2: m.area_m2 } }])));
    }
    return measures;
  };
  await runChunks(records, (record, idx) => prepareRelease(record, idx, organisations, request), measure, async (chunk, measured) => {
    const stageable = chunk.filter((p) => p.value && !hasError(p));
    const byIdx = new Map(stageable.map((p) => [p.value!.idx, p]));
    const checks = stageable.length > 0 ? await stageAndCheckReleases(tx, stageable.map((p) => p.value!), measured, request.pending) : [];
    for (const check of checks) byIdx.get(check.idx)?.problems.push(...releaseCheckProblems(check, byIdx.get(check.idx)!));
    if (!chunk.some(hasError) && report.errors.length === 0 && checks.length > 0) {
      if (request.pending) {
        await writePendingReleases(tx, checks.map((c) => c.idx), request.pending);
      } else {
        const written = await writeStagedReleases(tx, checks.map((c) => c.idx), { changedBy: request.actor, reason: `imported from ${request.fileName}`, batchId });
        for (const id of written.hazardIds) touched.add(id);
        if (!(request.checkOnly && request.noDeviceFinds)) {
          await writeDeviceFinds(tx, written.releaseIds, { changedBy: request.actor, reason: `device listed on a land release imported from ${request.fileName}`, batchId });
        }
      }
      report.accepted += checks.length;
    }
    for (const item of chunk) addProblems(report, item.problems);
  }, checker.pipelined);
  if (report.errors.length === 0) {
    for (const ids of chunks(request.checkOnly ? [] : [...touched], 5_000)) {
      // The release stage kept whether each new release lies inside its hazard: not tested again.
      const result = await refreshAccounting(tx, ids, { changedBy: request.actor, reason: `land release imported from ${request.fileName}`, batchId, knownInside: true });
      report.statusChanges += result.statusChanges;
    }
  }
  report.batchId = batchId;
  await finishChangeBatch(tx, batchId, report.accepted, { errors: report.errorCount, notes: report.notes.length, statusChanges: report.statusChanges });
}

/** How each kind's records are stored: the polygon kinds through their optimised stages, points through theirs. */
type Importer = (tx: Queryable, records: RawRecord[], organisations: Set<string>, request: ImportRequest, report: ImportReport, checker: Checker) => Promise<void>;
const IMPORTERS: Record<KindId, Importer> = { hazards: importHazards, releases: importReleases, finds: importFinds };
