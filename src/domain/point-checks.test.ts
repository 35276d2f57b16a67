import { describe, expect, it } from 'vitest';
import { checkPointCoordinates, decimalPlaces, keepsSixDecimals, latLonSwapped } from './point-checks.ts';

// Real places: Battambang town, Phnom Penh (Wat Phnom), Kep's Koh Tonsay, and Bangkok just outside the extent.
const BATTAMBANG = { lon: 103.198611, lat: 13.095278 };
const PHNOM_PENH = { lon: 104.923056, lat: 11.576111 };

describe('latitude and longitude swapped', () => {
  it('recognises a Cambodian point written latitude first', () => {
    expect(latLonSwapped(BATTAMBANG.lat, BATTAMBANG.lon)).toBe(true);
    expect(latLonSwapped(PHNOM_PENH.lat, PHNOM_PENH.lon)).toBe(true);
  });

  it('leaves points in the right order alone, in Cambodia or elsewhere', () => {
    expect(latLonSwapped(BATTAMBANG.lon, BATTAMBANG.lat)).toBe(false);
    expect(latLonSwapped(104.3533, 10.4567)).toBe(false); // Koh Tonsay, Kep
    expect(latLonSwapped(100.5018, 13.7563)).toBe(false); // Bangkok: outside, but not swapped
    expect(latLonSwapped(13.7563, 100.5018)).toBe(false); // Bangkok swapped lands nowhere near Cambodia either
  });
});

describe('decimal places as written', () => {
  it.each([
    ['104.916700', 6],
    ['104.9167', 4],
    ['104.9', 1],
    ['104', 0],
    ['-0.1234567', 7],
    ['1.049167e2', 4],
    ['1049167e-4', 4],
    [' 13.095278 ', 6],
  ])('%s has %i', (text, places) => {
    expect(decimalPlaces(text)).toBe(places);
  });

  it('is null for text that is not a number', () => {
    expect(decimalPlaces('13,095278')).toBeNull();
    expect(decimalPlaces('')).toBeNull();
    expect(decimalPlaces('abc')).toBeNull();
  });

  it('keeps six decimals only from six up, trailing zeros written counting', () => {
    expect(keepsSixDecimals('104.900000')).toBe(true);
    expect(keepsSixDecimals('104.90000')).toBe(false);
    expect(keepsSixDecimals(104.9166667)).toBe(true);
    // A JSON number has lost its trailing zeros: judged by what is left.
    expect(keepsSixDecimals(104.9)).toBe(false);
  });
});

describe('the problems of one point', () => {
  it('accepts a precise point in Cambodia with no problem', () => {
    expect(checkPointCoordinates({ ...BATTAMBANG, lonText: '103.198611', latText: '13.095278' })).toEqual([]);
  });

  it('refuses a swapped point, naming the field and both orders', () => {
    const problems = checkPointCoordinates({ lon: BATTAMBANG.lat, lat: BATTAMBANG.lon }, { lon: 'longitude', lat: 'latitude' });
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', code: 'geometry.swapped-coordinates', field: 'longitude' })]);
    expect(problems[0]!.reason).toContain('(103.198611, 13.095278)');
  });

  it('notes a coordinate with fewer than six decimals, with the precision lost, but does not refuse it', () => {
    const problems = checkPointCoordinates({ lon: 103.1986, lat: 13.095278, lonText: '103.1986', latText: '13.095278' });
    expect(problems).toEqual([expect.objectContaining({ severity: 'note', code: 'geometry.low-precision', field: 'lon' })]);
    expect(problems[0]!.reason).toBe('103.1986 has 4 decimal places (about 11 m); 6 keep about 0.1 m');
  });

  it('notes both coordinates of a point given to the kilometre', () => {
    const problems = checkPointCoordinates({ lon: 103.2, lat: 13.1 });
    expect(problems.map((p) => [p.field, p.severity])).toEqual([['lon', 'note'], ['lat', 'note']]);
    expect(problems[0]!.reason).toContain('about 11 km');
  });

  it('refuses numbers that are no coordinates', () => {
    expect(checkPointCoordinates({ lon: Number.NaN, lat: 13 })).toEqual([expect.objectContaining({ code: 'geometry.malformed', field: 'lon' })]);
    expect(checkPointCoordinates({ lon: 104, lat: -95 })).toEqual([expect.objectContaining({ code: 'geometry.malformed', field: 'lat' })]);
  });
});
