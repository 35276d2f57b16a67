// Hazard areas (SHA/CHA): polygons of land with evidence of explosive ordnance. Their storage is the
// optimised polygon import (src/db/hazard-import.ts, decision 0008) and the accounting (decision 0005).
import { hazardPropertiesSchema, type HazardProperties } from '../domain/exchange-format.ts';
import { PUBLISHED_RECORD_ACCESS } from './access.ts';
import type { RecordKind } from './kind.ts';

export const hazardKind: RecordKind<HazardProperties> = {
  id: 'hazards',
  table: 'hazard',
  noun: { en: 'hazard', km: 'តំបន់គ្រោះថ្នាក់' },
  geometry: 'polygon',
  schema: hazardPropertiesSchema,
  fields: [
    { name: 'ref', required: true, description: "the hazard's reference" },
    { name: 'type', required: true, description: 'SHA or CHA' },
    { name: 'contamination', required: true, description: 'AP, AT, CMR, ERW, IED (one or more)' },
    { name: 'source', required: true, description: 'how it was found: baseline survey, NTS, community report...' },
    { name: 'recorded_on', required: true, description: 'date recorded, YYYY-MM-DD' },
    { name: 'operator', required: false, description: "operator's code" },
    { name: 'village_code', required: false, description: 'NCDD village code, 8 digits' },
    { name: 'notes', required: false, description: 'free text' },
  ],
  fieldCodes: { type: 'type.unknown', contamination: 'contamination.unknown', recorded_on: 'date.not-iso', ref: 'field.invalid' },
  dateFields: ['recorded_on'],
  references: [],
  match: 'ref',
  reconcile: ['new', 'update', 'combine'],
  statusColumn: 'status',
  access: PUBLISHED_RECORD_ACCESS,
  publicColumns: ['ref', 'type', 'status', 'contamination', 'province_code', 'district_code', 'area_m2', 'version'],
  history: { columns: ['changed_by', 'change_reason', 'type', 'status', 'status_source', 'status_reason', 'operator_code as operator', 'area_m2', 'batch_id'], staffColumns: [] },
  reportDimensions: ['province', 'district', 'operator', 'year', 'method', 'contamination'],
};
