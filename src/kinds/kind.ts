// What a kind of record is, declared once (docs/adding-a-kind.md): the pipelines (import, submissions,
// review, approval, history, routes, the OpenAPI document, the access policy, the web's lists) read these
// declarations instead of branching on the kind. Pure: no I/O; the storage of each kind lives beside it.
import type { z } from 'zod';
import type { ProblemCode } from '../domain/problems.ts';
import type { ProfileName } from '../domain/access-vocabulary.ts';

/** The kinds of record Clearway holds, by the plural the routes and commands use (/api/finds, import finds). */
export const KIND_IDS = ['hazards', 'releases', 'finds'] as const;
export type KindId = (typeof KIND_IDS)[number];

export type GeometryKind = 'polygon' | 'point' | 'none';

/** One field of the exchange format (GeoJSON properties, CSV columns). */
export interface ExchangeField {
  name: string;
  required: boolean;
  description: string;
  /**
   * How a form asks for it (the web's form for a kind it has no form of its own for): a date, a whole number,
   * one of `choices`, or text (the default), offered `suggestions` where the field has a reference list.
   */
  input?: { type: 'text' | 'date' | 'integer' | 'choice'; choices?: readonly string[]; suggestions?: readonly string[] };
}

export interface RecordKind<Properties = Record<string, unknown>> {
  id: KindId;
  /** The record's table; its history is <table>_version (keep_history in 0005_record_kinds.sql). */
  table: string;
  /** How one record is named in a sentence, in English and Khmer. */
  noun: { en: string; km: string };
  geometry: GeometryKind;
  /** The exchange format's properties, validated and normalised. */
  schema: z.ZodType<Properties>;
  fields: readonly ExchangeField[];
  /** The problem code a bad value of each field gets (default field.invalid). */
  fieldCodes: Readonly<Record<string, ProblemCode>>;
  /** Fields holding dates that may not lie after today, in the order they must follow each other. */
  dateFields: readonly string[];
  /** Fields that name another record: the kind named and the field of this kind that holds its ref. */
  references: readonly { field: string; kind: KindId }[];
  /** An item updates the official record whose ref it carries (the default reconciliation). */
  match: 'ref';
  /** What a reviewer may make of an item: new, an update of one record, or (hazards) a combine of several. */
  reconcile: readonly ('new' | 'update' | 'combine')[];
  /** The column holding a lifecycle status that can retire a record ('combined'), if the kind has one. */
  statusColumn: string | null;
  /** Which access profile of the policy applies (src/domain/access-policy.ts holds the rules). */
  access: ProfileName;
  /** The columns shown to anyone who may read the kind (the public presenter); others are staff-only. */
  publicColumns: readonly string[];
  /**
   * What each version of a record shows in its history (GET /api/<kind>/{ref}/history, read from
   * <table>_version): columns of the record's table, `column as name` to rename; `staffColumns` only for the
   * authority's and operators' staff. Every version shows its version and changed_at, and a point its lon/lat.
   */
  history: { columns: readonly string[]; staffColumns: readonly string[] };
  /** Dimensions its report can be broken down by (empty: no report of its own). */
  reportDimensions: readonly string[];
}

export const isKindId = (value: string): value is KindId => (KIND_IDS as readonly string[]).includes(value);
