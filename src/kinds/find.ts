// Explosive ordnance finds: items found and (mostly) destroyed, at a point, by an operator, in a hazard or
// a land release or on a spot task. The first kind added through a declaration (docs/adding-a-kind.md).
import { z } from 'zod';
import { isoDateSchema, organisationCodeSchema, refSchema } from '../domain/exchange-format.ts';
import { PUBLISHED_RECORD_ACCESS } from './access.ts';
import { EO_MODELS } from './eo-models.ts';
import type { RecordKind } from './kind.ts';

export const FIND_CATEGORIES = ['AP', 'AT', 'submunition', 'UXO', 'abandoned', 'IED'] as const;
export type FindCategory = (typeof FIND_CATEGORIES)[number];
export const DESTRUCTION_METHODS = ['in_situ', 'moved_and_destroyed', 'rendered_safe', 'handed_over'] as const;

/** "moved and destroyed", "Moved-and-destroyed" and "moved_and_destroyed" are one method. */
const destructionMethod = z
  .string()
  .transform((text) => text.trim().toLowerCase().replace(/[\s-]+/g, '_'))
  .pipe(z.enum(DESTRUCTION_METHODS));

/** Spreadsheets send numbers as text: "3" is 3, "three" is an error. */
const wholeNumber = (min: number) => z.union([z.number(), z.string().trim().regex(/^-?\d+$/, 'not a whole number').transform(Number)]).pipe(z.number().int().min(min));

export const findPropertiesSchema = z.object({
  ref: refSchema,
  category: z.enum(FIND_CATEGORIES),
  model: z.string().trim().min(1).max(100),
  quantity: wholeNumber(1),
  found_on: isoDateSchema,
  destroyed_on: isoDateSchema.optional(),
  destruction_method: destructionMethod.optional(),
  depth_cm: wholeNumber(0).optional(),
  condition: z.string().trim().max(200).optional(),
  operator: organisationCodeSchema.optional(),
  release_ref: refSchema.optional(),
  hazard_ref: refSchema.optional(),
});
export type FindProperties = z.infer<typeof findPropertiesSchema>;

const FIND_PUBLIC_COLUMNS = ['ref', 'category', 'model', 'quantity', 'found_on', 'destroyed_on', 'destruction_method', 'depth_cm',
  'operator_code', 'release_ref', 'hazard_ref', 'location_approximate', 'province_code', 'district_code', 'commune_code', 'version'] as const;

export const findKind: RecordKind<FindProperties> = {
  id: 'finds',
  table: 'find',
  noun: { en: 'EO find', km: 'ការរកឃើញគ្រាប់មិនទាន់ផ្ទុះ' },
  geometry: 'point',
  schema: findPropertiesSchema,
  fields: [
    { name: 'ref', required: true, description: "the operator's reference of the find" },
    { name: 'category', required: true, description: FIND_CATEGORIES.join(', '), input: { type: 'choice', choices: FIND_CATEGORIES } },
    {
      name: 'model', required: true, description: 'device model (PMN-2, Type 72A, BLU-26...); one outside the reference list is accepted with a note',
      input: { type: 'text', suggestions: EO_MODELS.map((m) => m.model) },
    },
    { name: 'quantity', required: true, description: 'number of items, at least 1', input: { type: 'integer' } },
    { name: 'found_on', required: true, description: 'date found, YYYY-MM-DD', input: { type: 'date' } },
    { name: 'destroyed_on', required: false, description: 'date destroyed, YYYY-MM-DD, not before found_on', input: { type: 'date' } },
    { name: 'destruction_method', required: false, description: 'in situ, moved and destroyed, rendered safe, handed over', input: { type: 'choice', choices: DESTRUCTION_METHODS } },
    { name: 'depth_cm', required: false, description: 'depth in cm, 0 or more', input: { type: 'integer' } },
    { name: 'condition', required: false, description: 'state of the item as found (free text, short)' },
    { name: 'operator', required: false, description: "operator's code; the submitter's organisation when absent" },
    { name: 'release_ref', required: false, description: 'the land release it was found in' },
    { name: 'hazard_ref', required: false, description: 'the hazard it was found in' },
  ],
  fieldCodes: {
    category: 'category.unknown',
    found_on: 'date.not-iso',
    destroyed_on: 'date.not-iso',
    destruction_method: 'destruction-method.unknown',
    ref: 'field.invalid',
  },
  dateFields: ['found_on', 'destroyed_on'],
  references: [
    { field: 'release_ref', kind: 'releases' },
    { field: 'hazard_ref', kind: 'hazards' },
  ],
  match: 'ref',
  reconcile: ['new', 'update'],
  statusColumn: null,
  access: PUBLISHED_RECORD_ACCESS,
  publicColumns: FIND_PUBLIC_COLUMNS,
  // The public columns for anyone; the free-text condition and who made each version and why for staff.
  history: {
    columns: FIND_PUBLIC_COLUMNS,
    staffColumns: ['condition', 'changed_by', 'change_reason', 'batch_id'],
  },
  reportDimensions: ['province', 'district', 'category', 'model', 'operator', 'year'],
};
