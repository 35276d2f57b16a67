// An item that updates an official record (by its ref, or as the reviewer reconciled it) is read against that
// record before it is checked: a field the item leaves out keeps the record's value (an update may omit
// required fields; a new record may not), and the item may not move the record to another operator. Who owns
// a record changes only by the authority's own act (record-owner.ts).
import type { Queryable } from '../db/engine.ts';
import { officialValues } from '../db/official-values.ts';
import type { RecordProblem } from '../domain/problems.ts';
import { placeOf, refOf, type RawRecord } from '../formats/records.ts';
import { kindOf, type KindId } from '../kinds/registry.ts';
import { writtenTarget, type Reconciliation } from '../domain/reconciliation.ts';

/**
 * The fields an omitting update takes from the record. The required fields of every kind (the schema would
 * refuse the item otherwise), and a release's devices. A hazard's optional fields are kept by its stage
 * (hazard-import.ts `kept`) and a find's by its `given` list, which also lets a find's hazard follow a new
 * release: they are not filled here.
 */
function filledFields(kind: KindId): string[] {
  const required = kindOf(kind).fields.filter((f) => f.required && f.name !== 'ref').map((f) => f.name);
  return kind === 'releases' ? [...required, 'devices'] : required;
}

const absent = (value: unknown): boolean => value === undefined || (typeof value === 'string' && value.trim() === '');

const operatorOf = (value: unknown): string | null | undefined =>
  value === null ? null : typeof value === 'string' && value.trim() !== '' ? value.trim().toUpperCase() : undefined;

/**
 * The records as the import should read them: each update item with its absent fields taken from the record
 * it updates, and an error on each that names another operator than the record's (or clears it). Records
 * that are new, or whose target is not in the record (the checks say so), are returned as they are.
 */
export async function readAgainstTheRecord(q: Queryable, kind: KindId, records: RawRecord[], reconciliation: Map<number, Reconciliation> | undefined): Promise<RawRecord[]> {
  if (!reconciliation || reconciliation.size === 0) return records;
  const targets = records.map((record, idx) => {
    const ref = refOf(record);
    const decision = reconciliation.get(idx);
    return ref === null || !decision ? null : writtenTarget({ idx, ref }, decision);
  });
  const official = await officialValues(q, kind, targets.filter((t): t is string => t !== null));
  if (official.size === 0) return records;
  const filled = filledFields(kind);
  const noun = kindOf(kind).noun.en;
  return records.map((record, idx) => {
    const target = targets[idx];
    const values = target ? official.get(target) : undefined;
    if (!target || !values) return record;
    const properties = { ...record.properties };
    for (const field of filled) {
      if (absent(properties[field]) && values.fields[field] !== null && values.fields[field] !== undefined) properties[field] = values.fields[field];
    }
    const problems: RecordProblem[] = [...record.problems];
    const named = operatorOf(record.properties.operator);
    if (named !== undefined && named !== values.operator) {
      const ref = refOf(record) ?? target;
      const act = `the authority changes a record's owner (POST /api/${kind}/${target}/owner)`;
      problems.push({
        severity: 'error', code: 'operator.change-refused', ref, ...placeOf(record), field: 'operator',
        reason: named === null
          ? `${noun} ${target} belongs to ${values.operator}: an update cannot clear its operator; ${act}`
          : `${noun} ${target} belongs to ${values.operator ?? 'no operator'}: an update cannot give it to ${named}; ${act}`,
      });
    }
    return { ...record, properties, problems };
  });
}
