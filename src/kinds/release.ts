// Land release: land cancelled (NTS), reduced (TS) or cleared, as polygons clipped to their hazard.
import { releasePropertiesSchema, type ReleaseProperties } from '../domain/exchange-format.ts';
import { PUBLISHED_RECORD_ACCESS } from './access.ts';
import type { RecordKind } from './kind.ts';

export const releaseKind: RecordKind<ReleaseProperties> = {
  id: 'releases',
  table: 'land_release',
  noun: { en: 'land release', km: 'ការដោះលែងដី' },
  geometry: 'polygon',
  schema: releasePropertiesSchema,
  fields: [
    { name: 'ref', required: true, description: "the release's reference" },
    { name: 'hazard_ref', required: true, description: 'the hazard it releases land of' },
    { name: 'kind', required: true, description: 'cancelled, reduced or cleared' },
    { name: 'method', required: true, description: 'nts (cancelled), ts (reduced), manual, mechanical, mdd, combined (cleared)' },
    { name: 'operator', required: true, description: "operator's code" },
    { name: 'start_date', required: true, description: 'YYYY-MM-DD' },
    { name: 'end_date', required: true, description: 'YYYY-MM-DD, not before start_date' },
    { name: 'devices', required: false, description: 'items found, [{category, model, quantity}]: each becomes an EO find at the release\'s point on surface' },
  ],
  fieldCodes: {
    kind: 'kind.unknown', method: 'method.unknown', start_date: 'date.not-iso', end_date: 'date.not-iso', devices: 'device.invalid', ref: 'field.invalid',
  },
  dateFields: ['start_date', 'end_date'],
  references: [{ field: 'hazard_ref', kind: 'hazards' }],
  match: 'ref',
  reconcile: ['new', 'update'],
  statusColumn: null,
  access: PUBLISHED_RECORD_ACCESS,
  publicColumns: ['ref', 'hazard_ref', 'kind', 'method', 'operator_code', 'start_date', 'end_date', 'area_m2', 'version'],
  history: {
    columns: ['changed_by', 'change_reason', 'kind', 'method', 'operator_code as operator', 'start_date', 'end_date', 'area_m2', 'batch_id'],
    staffColumns: [],
  },
  reportDimensions: ['province', 'district', 'operator', 'year', 'method', 'contamination'],
};
