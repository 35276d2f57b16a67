import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import {
  blankHazard,
  blankRelease,
  hazardFeature,
  hazardValuesOf,
  methodFitsKind,
  methodForKind,
  methodsFor,
  missingHazardFields,
  missingReleaseFields,
  releaseFeature,
  releaseValuesOf,
} from './record-form';
import type { HazardFormValues, ReleaseFormValues } from './record-form';

const square: Polygon = { type: 'Polygon', coordinates: [[[103.1, 13.05], [103.11, 13.05], [103.11, 13.06], [103.1, 13.05]]] };

const hazard: HazardFormValues = {
  ref: ' HZ-HALO-0001 ',
  type: 'CHA',
  contamination: ['IED', 'AP'],
  source: 'technical survey',
  recorded_on: '2025-01-15',
  operator: 'HALO',
  village_code: '',
  notes: '  ',
};

const release: ReleaseFormValues = {
  ref: 'LR-HALO-0001',
  hazard_ref: 'HZ-BB-0002',
  kind: 'cleared',
  method: 'manual',
  operator: 'HALO',
  start_date: '2025-02-01',
  end_date: '2025-03-10',
  devices: [],
};

describe('the method of a land release', () => {
  it('is offered only among those that fit its kind (IMAS 07.11)', () => {
    expect(methodsFor('cancelled')).toEqual(['nts']);
    expect(methodsFor('reduced')).toEqual(['ts']);
    expect(methodsFor('cleared')).toEqual(['manual', 'mechanical', 'mdd', 'combined']);
    expect(methodsFor('')).toEqual([]);
    expect(methodFitsKind('cleared', 'mdd')).toBe(true);
    expect(methodFitsKind('cleared', 'nts')).toBe(false);
    expect(methodFitsKind('cancelled', '')).toBe(false);
  });

  it('follows a change of kind: kept when it fits, the only one when there is one, else chosen again', () => {
    expect(methodForKind('cleared', 'mdd')).toBe('mdd');
    expect(methodForKind('reduced', 'mdd')).toBe('ts');
    expect(methodForKind('cancelled', '')).toBe('nts');
    expect(methodForKind('cleared', 'ts')).toBe('');
    expect(methodForKind('', 'ts')).toBe('');
  });
});

describe('the light checks before sending', () => {
  it('name the required fields left empty, and a missing polygon', () => {
    expect(missingHazardFields(blankHazard('HALO'), null)).toEqual(['ref', 'type', 'contamination', 'source', 'recorded_on', 'geometry']);
    expect(missingHazardFields(hazard, square)).toEqual([]);
    expect(missingReleaseFields(blankRelease('HALO'), square)).toEqual(['ref', 'hazard_ref', 'kind', 'method', 'start_date', 'end_date']);
    expect(missingReleaseFields({ ...release, operator: ' ' }, null)).toEqual(['operator', 'geometry']);
  });

  it('leave the rest to the server: an end before the start is sent as it is', () => {
    expect(missingReleaseFields({ ...release, end_date: '2024-01-01' }, square)).toEqual([]);
  });
});

describe('the Feature a form sends', () => {
  it('holds a hazard\'s fields trimmed, contamination in the format\'s order, empty optional fields left out', () => {
    expect(hazardFeature(hazard, square)).toEqual({
      type: 'Feature',
      properties: { ref: 'HZ-HALO-0001', type: 'CHA', contamination: ['AP', 'IED'], source: 'technical survey', recorded_on: '2025-01-15', operator: 'HALO' },
      geometry: square,
    });
    const withVillage = hazardFeature({ ...hazard, village_code: '2010203', notes: 'Near the school', operator: '' }, square);
    expect(withVillage.properties).toMatchObject({ village_code: '2010203', notes: 'Near the school' });
    expect(withVillage.properties).not.toHaveProperty('operator');
  });

  it('holds a release\'s fields, without devices when none are given', () => {
    const feature = releaseFeature(release, square);
    expect(feature.properties).toEqual({
      ref: 'LR-HALO-0001',
      hazard_ref: 'HZ-BB-0002',
      kind: 'cleared',
      method: 'manual',
      operator: 'HALO',
      start_date: '2025-02-01',
      end_date: '2025-03-10',
    });
    expect(feature.geometry).toBe(square);
    expect(releaseFeature({ ...release, devices: [{ category: '', model: ' ', quantity: '' }] }, square).properties).not.toHaveProperty('devices');
  });

  it('holds the devices found, quantities as numbers, and anything else as typed for the server to name', () => {
    const devices = [
      { category: 'AP' as const, model: ' PMN-2 ', quantity: '3' },
      { category: 'UXO' as const, model: '', quantity: 'many' },
    ];
    expect(releaseFeature({ ...release, devices }, square).properties['devices']).toEqual([
      { category: 'AP', model: 'PMN-2', quantity: 3 },
      { category: 'UXO', quantity: 'many' },
    ]);
  });
});

describe('a record sent from the form, read back to correct it', () => {
  it('gives the form the values it sent (text as sent: trimmed, blanks empty)', () => {
    const sent = hazardFeature(hazard, square).properties;
    expect(hazardValuesOf(sent, 'CMAC')).toEqual({ ...hazard, ref: 'HZ-HALO-0001', contamination: ['AP', 'IED'], notes: '' });
    const withDevices = { ...release, devices: [{ category: 'AP' as const, model: 'PMN-2', quantity: '3' }] };
    expect(releaseValuesOf(releaseFeature(withDevices, square).properties, 'CMAC')).toEqual(withDevices);
  });

  it('leaves empty what the form cannot show, and takes the organisation when no operator was given', () => {
    expect(hazardValuesOf({ ref: 'X', type: 'XHA', contamination: 'AP' }, 'HALO')).toMatchObject({ type: '', contamination: [], operator: 'HALO' });
    expect(releaseValuesOf({ kind: 'burnt', method: 'nts', devices: [{ category: 'tank', quantity: 2 }] }, 'HALO')).toMatchObject({
      kind: '', method: 'nts', devices: [{ category: '', model: '', quantity: '2' }],
    });
  });
});
