import { describe, expect, it } from 'vitest';
import { polygonToWkbHex } from './wkb.ts';

// Expected values are what PostGIS writes: select encode(st_asbinary(st_geomfromtext('...')), 'hex').
describe('polygons as WKB', () => {
  it('writes a polygon as PostGIS does', () => {
    const hex = polygonToWkbHex({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] });
    expect(hex).toBe(
      '0103000000010000000400000000000000000000000000000000000000000000000000f03f0000000000000000000000000000f03f000000000000f03f00000000000000000000000000000000',
    );
  });

  it('writes a multipolygon with a hole and drops a third coordinate', () => {
    const hex = polygonToWkbHex({
      type: 'MultiPolygon',
      coordinates: [[[[0, 0, 5], [4, 0, 5], [4, 4, 5], [0, 0, 5]], [[1, 1], [2, 1], [2, 2], [1, 1]]], [[[10, 10], [11, 10], [11, 11], [10, 10]]]],
    });
    expect(hex.slice(0, 18)).toBe('010600000002000000');
    expect(hex.length / 2).toBe(9 + (9 + 4 + 64 + 4 + 64) + (9 + 4 + 64));
  });
});
