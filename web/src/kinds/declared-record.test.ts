import { describe, expect, it } from 'vitest';
import { blankDeclared, clickedPoint, declaredFeature, missingDeclared, pointOf } from './declared-record';
import type { ExchangeField } from './records-api';

/** The fields of EO finds as GET /api/kinds declares them (src/kinds/find.ts), as much as the form reads. */
const fields: ExchangeField[] = [
  { name: 'ref', required: true, description: '' },
  { name: 'category', required: true, description: '', input: { type: 'choice', choices: ['AP', 'AT'] } },
  { name: 'model', required: true, description: '', input: { type: 'text', suggestions: ['PMN-2'] } },
  { name: 'quantity', required: true, description: '', input: { type: 'integer' } },
  { name: 'found_on', required: true, description: '', input: { type: 'date' } },
  { name: 'depth_cm', required: false, description: '', input: { type: 'integer' } },
  { name: 'operator', required: false, description: '' },
];

describe('the form of a declared kind (EO finds)', () => {
  it('starts empty but for the officer\'s organisation, and asks for every required field and the place', () => {
    const values = blankDeclared(fields, 'HALO');
    expect(values['operator']).toBe('HALO');
    expect(missingDeclared(fields, values, null)).toEqual(['ref', 'category', 'model', 'quantity', 'found_on', 'geometry']);
    expect(missingDeclared(fields, { ...values, ref: 'F-1', category: 'AP', model: 'PMN-2', quantity: '2', found_on: '2025-01-10' }, pointOf({ lon: '103.1', lat: '13.05' }))).toEqual([]);
  });

  it('sends the Feature a file would hold: whole numbers as numbers, blanks left out, the point as typed', () => {
    const values = { ...blankDeclared(fields, 'HALO'), ref: ' F-1 ', category: 'AP', model: 'PMN-2', quantity: '3', depth_cm: 'deep', found_on: '2025-01-10' };
    expect(declaredFeature(fields, values, pointOf({ lon: '103.1234567', lat: ' 13.0512345' }))).toEqual({
      type: 'Feature',
      properties: { ref: 'F-1', category: 'AP', model: 'PMN-2', quantity: 3, found_on: '2025-01-10', depth_cm: 'deep', operator: 'HALO' },
      geometry: { type: 'Point', coordinates: [103.1234567, 13.0512345] },
    });
    expect(pointOf({ lon: '103.1', lat: '' })).toBeNull();
  });

  it('keeps a click to 7 decimals, so a clicked point has the 6 the server asks for', () => {
    expect(clickedPoint(103.123456789, 13.05)).toEqual({ lon: '103.1234568', lat: '13.0500000' });
  });
});
