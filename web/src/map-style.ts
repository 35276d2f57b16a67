// The map style is built here, in code, so that the map needs nothing from the internet: no glyphs, no sprites,
// no remote style. An online raster basemap is added beneath our layers only when the server configures one.
import type { FeatureCollection } from 'geojson';
import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';

export const hazardColours = { SHA: '#e8930c', CHA: '#c8102e' } as const;

/** The same colours as the land release bar in the details panel (styles.css). */
export const releaseColours = { cancelled: '#7aa6c2', reduced: '#4c8c6a', cleared: '#2f6b3f' } as const;

export const mapColours = {
  background: '#dde6ec',
  provinceFill: '#f8f6f0',
  provinceOutline: '#6b7280',
  districtOutline: '#b8bdc6',
  selected: '#1d4ed8',
} as const;

export const sourceIds = {
  basemap: 'basemap',
  provinces: 'provinces',
  districts: 'districts',
  hazards: 'hazards',
  hazardMarkers: 'hazard-markers',
  finds: 'finds',
  selectedReleases: 'selected-releases',
} as const;

export const layerIds = {
  background: 'background',
  basemap: 'basemap',
  provinceFill: 'province-fill',
  districtOutline: 'district-outline',
  provinceOutline: 'province-outline',
  hazardFill: 'hazard-fill',
  hazardOutlineOpen: 'hazard-outline-open',
  hazardOutlineInProgress: 'hazard-outline-in-progress',
  hazardOutlineReleased: 'hazard-outline-released',
  hazardMarkers: 'hazard-markers',
  finds: 'finds',
  releaseFill: 'release-fill',
  releaseOutline: 'release-outline',
  selectedOutline: 'hazard-selected-outline',
  selectedMarker: 'hazard-selected-marker',
} as const;

/** Layers a click or a hover can pick a hazard from. */
export const hazardLayerIds: string[] = [layerIds.hazardFill, layerIds.hazardMarkers];

/** Below this zoom a hazard is drawn as a marker as well as an area: most areas are smaller than a pixel there. */
export const markerMaxZoom = 11;

export function emptyCollection(): FeatureCollection {
  return { type: 'FeatureCollection', features: [] };
}

const colourByType: ExpressionSpecification = [
  'match',
  ['get', 'type'],
  'CHA',
  hazardColours.CHA,
  hazardColours.SHA,
];

// Open land is the work still to do, so it is drawn strongest; released land stays visible but faint.
const opacityByStatus: ExpressionSpecification = [
  'match',
  ['get', 'status'],
  'open',
  0.7,
  'in_progress',
  0.45,
  'released',
  0.12,
  0.7,
];

const colourByReleaseKind: ExpressionSpecification = [
  'match',
  ['get', 'kind'],
  'cancelled',
  releaseColours.cancelled,
  'reduced',
  releaseColours.reduced,
  releaseColours.cleared,
];

export const noSelection: ExpressionSpecification = ['==', ['get', 'ref'], ''];

export function selectionFilter(ref: string | null): ExpressionSpecification {
  return ref === null ? noSelection : ['==', ['get', 'ref'], ref];
}

/**
 * What every map of Clearway draws beneath its own data: our own province and district boundaries (offline), and
 * the online basemap under them when the server configures one.
 */
export function boundaryLayers(withBasemap: boolean): LayerSpecification[] {
  const layers: LayerSpecification[] = [
    { id: layerIds.background, type: 'background', paint: { 'background-color': mapColours.background } },
  ];
  if (withBasemap) {
    layers.push({ id: layerIds.basemap, type: 'raster', source: sourceIds.basemap, paint: { 'raster-opacity': 0.9 } });
  }
  layers.push(
    {
      id: layerIds.provinceFill,
      type: 'fill',
      source: sourceIds.provinces,
      // Over a basemap the province fill is only a tint, so the basemap shows through.
      paint: { 'fill-color': mapColours.provinceFill, 'fill-opacity': withBasemap ? 0.15 : 1 },
    },
    {
      id: layerIds.districtOutline,
      type: 'line',
      source: sourceIds.districts,
      minzoom: 6.5,
      paint: {
        'line-color': mapColours.districtOutline,
        'line-width': ['interpolate', ['linear'], ['zoom'], 7, 0.4, 12, 1.2],
      },
    },
    {
      id: layerIds.provinceOutline,
      type: 'line',
      source: sourceIds.provinces,
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': mapColours.provinceOutline,
        'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.9, 12, 2.4],
      },
    },
  );
  return layers;
}

/** The sources of boundaryLayers, empty until the boundaries arrive. */
export function boundarySources(basemapUrl: string | null): StyleSpecification['sources'] {
  return {
    ...(basemapUrl !== null
      ? {
          [sourceIds.basemap]: {
            type: 'raster',
            tiles: [basemapUrl],
            tileSize: 256,
            maxzoom: 19,
          },
        }
      : {}),
    [sourceIds.provinces]: { type: 'geojson', data: emptyCollection() },
    [sourceIds.districts]: { type: 'geojson', data: emptyCollection() },
  };
}

export function buildMapStyle(basemapUrl: string | null): StyleSpecification {
  const layers = boundaryLayers(basemapUrl !== null);
  layers.push(
    {
      id: layerIds.hazardFill,
      type: 'fill',
      source: sourceIds.hazards,
      paint: { 'fill-color': colourByType, 'fill-opacity': opacityByStatus },
    },
    {
      id: layerIds.hazardOutlineOpen,
      type: 'line',
      source: sourceIds.hazards,
      // Reopened land is open land again (drawn as open by the opacity's default too).
      filter: ['in', ['get', 'status'], ['literal', ['open', 'reopened']]],
      paint: { 'line-color': colourByType, 'line-width': 1.6 },
    },
    {
      id: layerIds.hazardOutlineInProgress,
      type: 'line',
      source: sourceIds.hazards,
      filter: ['==', ['get', 'status'], 'in_progress'],
      paint: { 'line-color': colourByType, 'line-width': 1.6, 'line-dasharray': [3, 2] },
    },
    {
      id: layerIds.hazardOutlineReleased,
      type: 'line',
      source: sourceIds.hazards,
      filter: ['==', ['get', 'status'], 'released'],
      paint: { 'line-color': colourByType, 'line-width': 1, 'line-opacity': 0.6, 'line-dasharray': [1, 2] },
    },
    {
      id: layerIds.hazardMarkers,
      type: 'circle',
      source: sourceIds.hazardMarkers,
      maxzoom: markerMaxZoom,
      paint: {
        'circle-color': colourByType,
        'circle-opacity': opacityByStatus,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 3.5, 10, 6],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 0.8,
        'circle-stroke-opacity': opacityByStatus,
      },
    },
    // The selected hazard's releases, drawn over it: where land was cancelled, reduced or cleared.
    {
      id: layerIds.releaseFill,
      type: 'fill',
      source: sourceIds.selectedReleases,
      paint: { 'fill-color': colourByReleaseKind, 'fill-opacity': 0.85 },
    },
    {
      id: layerIds.releaseOutline,
      type: 'line',
      source: sourceIds.selectedReleases,
      paint: { 'line-color': '#ffffff', 'line-width': 1.2, 'line-opacity': 0.9 },
    },
    // EO finds: small dark points, from district zoom on (thousands at national zoom would hide the hazards).
    {
      id: layerIds.finds,
      type: 'circle',
      source: sourceIds.finds,
      minzoom: 8,
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 2.5, 14, 6],
        'circle-color': '#111827',
        'circle-stroke-color': '#fbbf24',
        'circle-stroke-width': 1,
      },
    },
    {
      id: layerIds.selectedOutline,
      type: 'line',
      source: sourceIds.hazards,
      filter: noSelection,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': mapColours.selected, 'line-width': 3 },
    },
    {
      id: layerIds.selectedMarker,
      type: 'circle',
      source: sourceIds.hazardMarkers,
      maxzoom: markerMaxZoom,
      filter: noSelection,
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 6, 10, 9],
        'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-color': mapColours.selected,
        'circle-stroke-width': 2.5,
      },
    },
  );

  return {
    version: 8,
    sources: {
      ...boundarySources(basemapUrl),
      [sourceIds.hazards]: { type: 'geojson', data: emptyCollection() },
      [sourceIds.hazardMarkers]: { type: 'geojson', data: emptyCollection() },
      [sourceIds.finds]: { type: 'geojson', data: emptyCollection() },
      [sourceIds.selectedReleases]: { type: 'geojson', data: emptyCollection() },
    },
    layers,
  };
}
