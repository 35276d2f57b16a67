import { describe, expect, it } from 'vitest';
import { addVertex, drawingFeatures, drawingPolygon, emptyDrawing, finishDrawing, inputPolygon, mayFinish, undoDrawing } from './polygon-drawing';
import type { Drawing } from './polygon-drawing';

function drawn(...positions: [number, number][]): Drawing {
  return positions.reduce<Drawing>((drawing, position) => addVertex(drawing, position), emptyDrawing);
}

describe('a polygon drawn corner by corner', () => {
  it('becomes a closed polygon from its third corner', () => {
    expect(drawingPolygon(drawn([103.1, 13.05], [103.11, 13.05]))).toBeNull();
    expect(drawingPolygon(drawn([103.1, 13.05], [103.11, 13.05], [103.11, 13.06]))).toEqual({
      type: 'Polygon',
      coordinates: [[[103.1, 13.05], [103.11, 13.05], [103.11, 13.06], [103.1, 13.05]]],
    });
  });

  it('keeps a click to 7 decimal places (about a centimetre)', () => {
    expect(drawn([103.123456789, 13.987654321]).vertices).toEqual([[103.1234568, 13.9876543]]);
  });

  it('ignores the second click of a double click', () => {
    expect(drawn([103.1, 13.05], [103.1, 13.05]).vertices).toHaveLength(1);
  });

  it('finishes from three corners, and then takes no more', () => {
    const two = drawn([103.1, 13.05], [103.11, 13.05]);
    expect(mayFinish(two)).toBe(false);
    expect(finishDrawing(two)).toBe(two);
    const finished = finishDrawing(addVertex(two, [103.11, 13.06]));
    expect(finished.finished).toBe(true);
    expect(mayFinish(finished)).toBe(false);
    expect(addVertex(finished, [103.2, 13.2])).toBe(finished);
  });

  it('undoes a finish first, then the corners one by one, last first', () => {
    const finished = finishDrawing(drawn([103.1, 13.05], [103.11, 13.05], [103.11, 13.06]));
    const reopened = undoDrawing(finished);
    expect(reopened).toEqual({ vertices: finished.vertices, finished: false });
    expect(undoDrawing(reopened).vertices).toEqual([[103.1, 13.05], [103.11, 13.05]]);
    expect(undoDrawing(emptyDrawing)).toEqual(emptyDrawing);
  });

  it('shows the corners, the first marked once clicking it would finish, and the open path', () => {
    const three = drawn([103.1, 13.05], [103.11, 13.05], [103.11, 13.06]);
    const features = drawingFeatures(three);
    expect(features.vertices.features.map((feature) => feature.properties.first)).toEqual([true, false, false]);
    expect(features.path.features[0]?.geometry.coordinates).toEqual(three.vertices);
    const finished = drawingFeatures(finishDrawing(three));
    expect(finished.path.features).toEqual([]);
    expect(finished.vertices.features.map((feature) => feature.properties.first)).toEqual([false, false, false]);
  });
});

describe('the polygon of the form', () => {
  it('is the drawn one or the pasted one, as the officer chose', () => {
    const drawing = drawn([103.1, 13.05], [103.11, 13.05], [103.11, 13.06]);
    const pasted = 'POLYGON((102.948 13.048,102.952 13.048,102.952 13.052,102.948 13.048))';
    expect(inputPolygon({ mode: 'draw', drawing, pasted }).geometry?.coordinates).toEqual([[...drawing.vertices, [103.1, 13.05]]]);
    const fromText = inputPolygon({ mode: 'paste', drawing, pasted });
    expect(fromText.geometry?.coordinates).toEqual([[[102.948, 13.048], [102.952, 13.048], [102.952, 13.052], [102.948, 13.048]]]);
    expect(fromText.pasted?.valid).toBe(true);
  });

  it('is missing while nothing is pasted, and says why a pasted text is not read', () => {
    expect(inputPolygon({ mode: 'paste', drawing: emptyDrawing, pasted: ' ' })).toEqual({ geometry: null, pasted: null });
    expect(inputPolygon({ mode: 'paste', drawing: emptyDrawing, pasted: 'POINT(1 2)' })).toMatchObject({ geometry: null, pasted: { valid: false, reason: 'not-polygon' } });
  });
});
