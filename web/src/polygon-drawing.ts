// A polygon drawn corner by corner on the map, or pasted as text: the pure steps (add a corner, undo, finish,
// clear) and the polygon they make. The map component (polygon-map.tsx) only turns clicks into these steps.
import type { Feature, FeatureCollection, LineString, Point, Position } from 'geojson';
import { parsePastedGeometry } from './pasted-geometry';
import type { PastedGeometry, PolygonalGeometry } from './pasted-geometry';

export interface Drawing {
  /** The corners in the order they were clicked, [longitude, latitude]. */
  vertices: Position[];
  /** Finished: clicks on the map no longer add corners (undo opens it again). */
  finished: boolean;
}

export const emptyDrawing: Drawing = { vertices: [], finished: false };

/** 7 decimal places is about 1 cm: finer than a click can point, so nothing is lost and the file stays readable. */
const coordinateDecimals = 7;

export function roundPosition(position: Position): Position {
  const factor = 10 ** coordinateDecimals;
  return [Math.round((position[0] ?? 0) * factor) / factor, Math.round((position[1] ?? 0) * factor) / factor];
}

function samePosition(a: Position | undefined, b: Position | undefined): boolean {
  return a !== undefined && b !== undefined && a[0] === b[0] && a[1] === b[1];
}

/** A polygon needs three corners. */
export const minimumCorners = 3;

/** One more corner; a repeat of the last one (the second click of a double click) adds nothing. */
export function addVertex(drawing: Drawing, position: Position): Drawing {
  if (drawing.finished) return drawing;
  const vertex = roundPosition(position);
  if (samePosition(drawing.vertices[drawing.vertices.length - 1], vertex)) return drawing;
  return { vertices: [...drawing.vertices, vertex], finished: false };
}

export function mayFinish(drawing: Drawing): boolean {
  return !drawing.finished && drawing.vertices.length >= minimumCorners;
}

export function finishDrawing(drawing: Drawing): Drawing {
  return mayFinish(drawing) ? { ...drawing, finished: true } : drawing;
}

/** Undo the last step: a finished polygon opens again; otherwise its last corner goes. */
export function undoDrawing(drawing: Drawing): Drawing {
  if (drawing.finished) return { ...drawing, finished: false };
  return { vertices: drawing.vertices.slice(0, -1), finished: false };
}

/** The polygon the corners make (its ring closed), from the third corner on, finished or not. */
export function drawingPolygon(drawing: Drawing): PolygonalGeometry | null {
  const [first] = drawing.vertices;
  if (!first || drawing.vertices.length < minimumCorners) return null;
  return { type: 'Polygon', coordinates: [[...drawing.vertices, first]] };
}

/** What the map shows while drawing: the corners (the first marked, as clicking it finishes) and the open path. */
export function drawingFeatures(drawing: Drawing): { path: FeatureCollection<LineString>; vertices: FeatureCollection<Point, { first: boolean }> } {
  const vertices: Feature<Point, { first: boolean }>[] = drawing.vertices.map((position, index) => ({
    type: 'Feature',
    properties: { first: index === 0 && mayFinish(drawing) },
    geometry: { type: 'Point', coordinates: position },
  }));
  const path: Feature<LineString>[] =
    !drawing.finished && drawing.vertices.length >= 2 ? [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: drawing.vertices } }] : [];
  return { path: { type: 'FeatureCollection', features: path }, vertices: { type: 'FeatureCollection', features: vertices } };
}

/** How the officer gives the polygon: drawn on the map, or pasted. Both are kept, so switching loses nothing. */
export interface PolygonInput {
  mode: 'draw' | 'paste';
  drawing: Drawing;
  pasted: string;
}

export const emptyPolygonInput: PolygonInput = { mode: 'draw', drawing: emptyDrawing, pasted: '' };

/** The polygon of the input as it stands, and for pasted text that cannot be read, why. */
export function inputPolygon(input: PolygonInput): { geometry: PolygonalGeometry | null; pasted: PastedGeometry | null } {
  if (input.mode === 'draw') return { geometry: drawingPolygon(input.drawing), pasted: null };
  if (input.pasted.trim() === '') return { geometry: null, pasted: null };
  const pasted = parsePastedGeometry(input.pasted);
  return { geometry: pasted.valid ? pasted.geometry : null, pasted };
}
