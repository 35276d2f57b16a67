// Import of EO finds (points): each record checked against its kind's declaration (src/kinds/find.ts),
// then against the record (country, units, the release or hazard it names), and stored in the import's
// transaction, or nothing stored and every problem named by record, field and reason.
import type { Queryable } from '../db/engine.ts';
import { recordChangeBatch, finishChangeBatch } from '../db/change-batch.ts';
import { checkFinds, writeFinds, type FindCheck, type StagedFind } from '../db/find-store.ts';
import { parseProperties, type RecordPlace } from '../domain/exchange-format.ts';
import { checkPointGeometry } from '../domain/point-checks.ts';
import { readThenParsed, type RecordProblem } from '../domain/problems.ts';
import { knownModel } from '../kinds/eo-models.ts';
import { findKind } from '../kinds/find.ts';
import { placeOf, refOf, type RawRecord } from '../formats/records.ts';
import {
  addProblems, hasError, runChunks, targetOf, unknownOperator,
  type Checker, type ImportReport, type ImportRequest, type Prepared,
} from './import-records.ts';

/** The exchange fields an item gave, for updates that keep the rest: an explicit null is given (it clears). */
function givenFields(properties: Record<string, unknown>): string[] {
  return Object.entries(properties).filter(([, v]) => v !== undefined && !(typeof v === 'string' && v.trim() === '')).map(([k]) => k);
}

function prepareFind(record: RawRecord, idx: number, organisations: Set<string>, request: ImportRequest): Prepared<StagedFind> {
  const at: RecordPlace = placeOf(record);
  const parsed = parseProperties(findKind.schema, findKind.fieldCodes, record.properties, at);
  const ref = parsed.ok ? parsed.value.ref : (refOf(record) ?? undefined);
  const problems: RecordProblem[] = readThenParsed(record.problems, parsed.ok ? [] : parsed.problems);
  const pointUnreadable = record.problems.some((p) => p.code === 'geometry.malformed') && record.geometry === null;
  const point = pointUnreadable ? null : checkPointGeometry(record.geometry, record.coordinates);
  for (const problem of point?.problems ?? []) problems.push({ ...problem, ref, ...at });
  if (!parsed.ok || !point?.ok) return { place: at, ref, problems };
  const p = parsed.value;
  const base = { ref: p.ref, ...at };
  for (const field of findKind.dateFields) {
    const value = p[field as 'found_on' | 'destroyed_on'];
    if (value && value > request.today) problems.push({ severity: 'error', code: 'date.future', ...base, field, reason: `${value} is after today (${request.today})` });
  }
  if (p.destroyed_on && p.destroyed_on < p.found_on) {
    problems.push({ severity: 'error', code: 'date.destroyed-before-found', ...base, field: 'destroyed_on', reason: `destroyed_on ${p.destroyed_on} is before found_on ${p.found_on}` });
  }
  const target = targetOf(idx, p.ref, request.reconciliation);
  // A new find without an operator is the submitting organisation's; an update keeps its owner.
  const operator = p.operator ?? (target === null ? (request.defaultOperator ?? null) : null);
  if (p.operator && !organisations.has(p.operator)) problems.push(unknownOperator(p.operator, p.ref, at));
  // A listed model is stored as the list spells it (PMN2 is PMN-2), so reports by model group it once.
  const listed = knownModel(p.model);
  if (!listed) {
    problems.push({ severity: 'note', code: 'model.unlisted', ...base, field: 'model', reason: `${p.model} is not in the reference list of models met in Cambodia: kept as written` });
  }
  const given = givenFields(record.properties);
  if (target === null && operator !== null && !given.includes('operator')) given.push('operator');
  const value: StagedFind = {
    idx, ref: p.ref, category: p.category, model: listed?.model ?? p.model, quantity: p.quantity, found_on: p.found_on,
    destroyed_on: p.destroyed_on ?? null, destruction_method: p.destruction_method ?? null, depth_cm: p.depth_cm ?? null,
    condition: p.condition ?? null, operator_code: operator, release_ref: p.release_ref ?? null, hazard_ref: p.hazard_ref ?? null,
    lon: point.lon, lat: point.lat, target_ref: target, given,
  };
  return { place: at, ref, value, problems };
}

function checkProblems(check: FindCheck, item: Prepared<StagedFind>): RecordProblem[] {
  const find = item.value!;
  const base = { ref: find.ref, ...item.place };
  const problems: RecordProblem[] = [];
  if (check.ref_exists) problems.push({ severity: 'error', code: 'ref.exists', ...base, field: 'ref', reason: `EO find ${find.ref} is already in the official record` });
  if (!check.within_10km) {
    const distance = check.distance_km === null ? '' : ` (${check.distance_km.toFixed(1)} km away)`;
    problems.push({ severity: 'error', code: 'geometry.outside-country', ...base, field: 'geometry', reason: `the point ${find.lon}, ${find.lat} lies more than 10 km outside Cambodia${distance}` });
  }
  if (!check.release_known) problems.push({ severity: 'error', code: 'release.unknown', ...base, field: 'release_ref', reason: `no land release has the ref ${find.release_ref}` });
  if (!check.hazard_known) problems.push({ severity: 'error', code: 'hazard.unknown', ...base, field: 'hazard_ref', reason: `no hazard has the ref ${find.hazard_ref}` });
  if (check.release_hazard_ref && find.hazard_ref && check.release_hazard_ref !== find.hazard_ref) {
    problems.push({
      severity: 'error', code: 'field.invalid', ...base, field: 'hazard_ref',
      reason: `land release ${find.release_ref} belongs to hazard ${check.release_hazard_ref}, not ${find.hazard_ref}`,
    });
  }
  return problems;
}

export async function importFinds(tx: Queryable, records: RawRecord[], organisations: Set<string>, request: ImportRequest, report: ImportReport, checker: Checker): Promise<void> {
  const batchId = await recordChangeBatch(tx, { kind: 'import-finds', sourceName: request.fileName, madeBy: request.actor, submissionId: request.submissionId });
  const measure = async (chunk: Prepared<StagedFind>[]): Promise<FindCheck[]> =>
    checkFinds(checker.q, chunk.filter((p) => p.value && !hasError(p)).map((p) => p.value!), request.pending);
  await runChunks(records, (record, idx) => prepareFind(record, idx, organisations, request), measure, async (chunk, checks) => {
    const byIdx = new Map(chunk.filter((p) => p.value).map((p) => [p.value!.idx, p]));
    const placed: Parameters<typeof writeFinds>[1] = [];
    for (const check of checks) {
      const item = byIdx.get(check.idx);
      if (!item?.value) continue;
      item.problems.push(...checkProblems(check, item));
      const find = item.value;
      // A find in a release is in that release's hazard.
      const hazardRef = find.hazard_ref ?? check.release_hazard_ref;
      const given = hazardRef !== find.hazard_ref ? [...find.given, 'hazard_ref'] : find.given;
      placed.push({ ...find, hazard_ref: hazardRef, given, province_code: check.province_code, district_code: check.district_code, commune_code: check.commune_code });
    }
    if (!chunk.some(hasError) && report.errors.length === 0 && placed.length > 0) {
      // A check of new records only: no later item names a find, so a pending find would be read by nobody.
      if (request.pending) report.accepted += placed.length;
      else {
        const written = await writeFinds(tx, placed, { changedBy: request.actor, reason: `imported from ${request.fileName}`, batchId });
        report.accepted += written.inserted + written.updated;
      }
    }
    for (const item of chunk) addProblems(report, item.problems);
  }, checker.pipelined);
  report.batchId = batchId;
  await finishChangeBatch(tx, batchId, report.accepted, { errors: report.errorCount, notes: report.notes.length });
}
