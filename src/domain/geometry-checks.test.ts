import { describe, expect, it } from 'vitest';
import { checkPolygonGeometry } from './geometry-checks.ts';

const square = [[103, 13], [103.01, 13], [103.01, 13.01], [103, 13.01], [103, 13]];

describe('cheap polygon checks', () => {
  it('accepts a closed polygon and counts its vertices', () => {
    expect(checkPolygonGeometry({ type: 'Polygon', coordinates: [square] })).toMatchObject({ ok: true, vertexCount: 5 });
  });

  it.each([
    ['no geometry', null, 'geometry.missing'],
    ['a point', { type: 'Point', coordinates: [103, 13] }, 'geometry.type'],
    ['an unclosed ring', { type: 'Polygon', coordinates: [square.slice(0, 4)] }, 'geometry.unclosed-ring'],
    ['two distinct vertices', { type: 'Polygon', coordinates: [[[103, 13], [104, 13], [103, 13], [104, 13], [103, 13]]] }, 'geometry.too-few-vertices'],
    ['text coordinates', { type: 'Polygon', coordinates: [[['103', '13'], [104, 13], [104, 14], ['103', '13']]] }, 'geometry.malformed'],
    ['latitude first', { type: 'Polygon', coordinates: [square.map(([x, y]) => [y, x])] }, 'geometry.swapped-coordinates'],
    ['latitude beyond the pole', { type: 'Polygon', coordinates: [[[103, 95], [104, 95], [104, 96], [103, 95]]] }, 'geometry.malformed'],
  ])('refuses %s', (_label, geometry, code) => {
    expect(checkPolygonGeometry(geometry as never)).toMatchObject({ ok: false, code });
  });

  it('names the hole that is wrong', () => {
    const result = checkPolygonGeometry({ type: 'Polygon', coordinates: [square, [[103.002, 13.002], [103.004, 13.002], [103.004, 13.004]]] });
    expect(result).toMatchObject({ ok: false, code: 'geometry.unclosed-ring', reason: 'hole 1 does not end where it starts' });
  });
});
