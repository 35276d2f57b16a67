// The map of the form's polygon: our own boundaries, then the hazard a release names (the land it must fall
// in), the polygon drawn or pasted, and while drawing, the path so far and its corners.
import type { ExpressionSpecification, StyleSpecification } from 'maplibre-gl';
import { boundaryLayers, boundarySources, emptyCollection, hazardColours } from './map-style';

export const polygonColours = {
  shape: '#0e7490',
  corner: '#ffffff',
} as const;

export const polygonSourceIds = {
  guide: 'form-hazard',
  shape: 'form-polygon',
  path: 'form-path',
  vertices: 'form-corners',
} as const;

export const polygonLayerIds = {
  guideFill: 'form-hazard-fill',
  guideOutline: 'form-hazard-outline',
  shapeFill: 'form-polygon-fill',
  shapeOutline: 'form-polygon-outline',
  path: 'form-path',
  vertices: 'form-corners',
} as const;

const guideColour: ExpressionSpecification = ['match', ['get', 'type'], 'CHA', hazardColours.CHA, hazardColours.SHA];

export function buildPolygonMapStyle(basemapUrl: string | null): StyleSpecification {
  const layers = boundaryLayers(basemapUrl !== null);
  layers.push(
    { id: polygonLayerIds.guideFill, type: 'fill', source: polygonSourceIds.guide, paint: { 'fill-color': guideColour, 'fill-opacity': 0.25 } },
    {
      id: polygonLayerIds.guideOutline,
      type: 'line',
      source: polygonSourceIds.guide,
      paint: { 'line-color': guideColour, 'line-width': 2, 'line-dasharray': [2, 1.5] },
    },
    { id: polygonLayerIds.shapeFill, type: 'fill', source: polygonSourceIds.shape, paint: { 'fill-color': polygonColours.shape, 'fill-opacity': 0.3 } },
    {
      id: polygonLayerIds.shapeOutline,
      type: 'line',
      source: polygonSourceIds.shape,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': polygonColours.shape, 'line-width': 2.5 },
    },
    {
      id: polygonLayerIds.path,
      type: 'line',
      source: polygonSourceIds.path,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': polygonColours.shape, 'line-width': 2, 'line-dasharray': [2, 1] },
    },
    {
      id: polygonLayerIds.vertices,
      type: 'circle',
      source: polygonSourceIds.vertices,
      paint: {
        // The first corner is bigger while clicking it would finish the polygon.
        'circle-radius': ['case', ['get', 'first'], 7, 4.5],
        'circle-color': polygonColours.corner,
        'circle-stroke-color': polygonColours.shape,
        'circle-stroke-width': 2,
      },
    },
  );
  return {
    version: 8,
    sources: {
      ...boundarySources(basemapUrl),
      [polygonSourceIds.guide]: { type: 'geojson', data: emptyCollection() },
      [polygonSourceIds.shape]: { type: 'geojson', data: emptyCollection() },
      [polygonSourceIds.path]: { type: 'geojson', data: emptyCollection() },
      [polygonSourceIds.vertices]: { type: 'geojson', data: emptyCollection() },
    },
    layers,
  };
}
