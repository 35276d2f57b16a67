// The official record's current values of some records, in the exchange format's own fields and forms
// (dates as YYYY-MM-DD, the operator as its code, a release's hazard by its ref): what an update item that
// leaves a field out keeps, and whose record it is.
import type { KindId } from '../kinds/kind.ts';
import type { Queryable } from './engine.ts';

const VALUES: Record<KindId, string> = {
  hazards: `select o.ref, o.operator_code as operator, json_build_object('type', o.type, 'contamination', o.contamination, 'source', o.source,
              'recorded_on', o.recorded_on::text, 'operator', o.operator_code, 'village_code', o.village_code, 'notes', o.notes) as fields
            from hazard o where o.ref = any($1::text[])`,
  releases: `select o.ref, o.operator_code as operator, json_build_object('hazard_ref', h.ref, 'kind', o.kind, 'method', o.method,
               'operator', o.operator_code, 'start_date', o.start_date::text, 'end_date', o.end_date::text, 'devices', o.devices) as fields
             from land_release o join hazard h on h.id = o.hazard_id where o.ref = any($1::text[])`,
  finds: `select o.ref, o.operator_code as operator, json_build_object('category', o.category, 'model', o.model, 'quantity', o.quantity,
            'found_on', o.found_on::text, 'destroyed_on', o.destroyed_on::text, 'destruction_method', o.destruction_method,
            'depth_cm', o.depth_cm, 'condition', o.condition, 'operator', o.operator_code, 'release_ref', o.release_ref,
            'hazard_ref', o.hazard_ref) as fields
          from find o where o.ref = any($1::text[])`,
};

export interface OfficialValues {
  /** The owning operator's code; null when the record has none. */
  operator: string | null;
  fields: Record<string, unknown>;
}

/** The current values of the records with these refs (absent refs are absent from the map). */
export async function officialValues(q: Queryable, kind: KindId, refs: string[]): Promise<Map<string, OfficialValues>> {
  if (refs.length === 0) return new Map();
  const result = await q.query<{ ref: string } & OfficialValues>(VALUES[kind], [[...new Set(refs)]]);
  return new Map(result.rows.map(({ ref, ...values }) => [ref, values]));
}
