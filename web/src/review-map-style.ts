// The review map: our own boundaries, then the official hazards an item overlaps, the official record it would
// change (before) and what the operator sent (after), each in its own colour, with the chosen item outlined.
import type { ExpressionSpecification, StyleSpecification } from 'maplibre-gl';
import { boundaryLayers, boundarySources, emptyCollection, mapColours } from './map-style';

export const reviewColours = {
  before: '#475569',
  after: '#0e7490',
  overlap: '#c026d3',
  selected: mapColours.selected,
} as const;

export const reviewSourceIds = {
  before: 'review-before',
  after: 'review-after',
  overlaps: 'review-overlaps',
} as const;

export const reviewLayerIds = {
  overlapFill: 'review-overlap-fill',
  overlapOutline: 'review-overlap-outline',
  beforeFill: 'review-before-fill',
  beforeOutline: 'review-before-outline',
  afterFill: 'review-after-fill',
  afterOutline: 'review-after-outline',
  selectedAfter: 'review-selected-after',
  selectedBefore: 'review-selected-before',
} as const;

/** Layers a click can choose an item from. */
export const reviewItemLayerIds: string[] = [reviewLayerIds.afterFill, reviewLayerIds.beforeFill];

export function itemFilter(item: number | null): ExpressionSpecification {
  return ['==', ['get', 'item'], item ?? -1];
}

export function buildReviewMapStyle(basemapUrl: string | null): StyleSpecification {
  const layers = boundaryLayers(basemapUrl !== null);
  layers.push(
    {
      id: reviewLayerIds.overlapFill,
      type: 'fill',
      source: reviewSourceIds.overlaps,
      paint: { 'fill-color': reviewColours.overlap, 'fill-opacity': 0.25 },
    },
    {
      id: reviewLayerIds.overlapOutline,
      type: 'line',
      source: reviewSourceIds.overlaps,
      paint: { 'line-color': reviewColours.overlap, 'line-width': 1.5 },
    },
    {
      id: reviewLayerIds.beforeFill,
      type: 'fill',
      source: reviewSourceIds.before,
      paint: { 'fill-color': reviewColours.before, 'fill-opacity': 0.2 },
    },
    // The official record is dashed: it is what the item would replace.
    {
      id: reviewLayerIds.beforeOutline,
      type: 'line',
      source: reviewSourceIds.before,
      paint: { 'line-color': reviewColours.before, 'line-width': 2, 'line-dasharray': [2, 1.5] },
    },
    {
      id: reviewLayerIds.afterFill,
      type: 'fill',
      source: reviewSourceIds.after,
      paint: { 'fill-color': reviewColours.after, 'fill-opacity': 0.35 },
    },
    {
      id: reviewLayerIds.afterOutline,
      type: 'line',
      source: reviewSourceIds.after,
      paint: { 'line-color': reviewColours.after, 'line-width': 2 },
    },
    {
      id: reviewLayerIds.selectedBefore,
      type: 'line',
      source: reviewSourceIds.before,
      filter: itemFilter(null),
      paint: { 'line-color': reviewColours.selected, 'line-width': 2, 'line-dasharray': [2, 1.5] },
    },
    {
      id: reviewLayerIds.selectedAfter,
      type: 'line',
      source: reviewSourceIds.after,
      filter: itemFilter(null),
      layout: { 'line-join': 'round' },
      paint: { 'line-color': reviewColours.selected, 'line-width': 3.5 },
    },
  );
  return {
    version: 8,
    sources: {
      ...boundarySources(basemapUrl),
      [reviewSourceIds.before]: { type: 'geojson', data: emptyCollection() },
      [reviewSourceIds.after]: { type: 'geojson', data: emptyCollection() },
      [reviewSourceIds.overlaps]: { type: 'geojson', data: emptyCollection() },
    },
    layers,
  };
}
