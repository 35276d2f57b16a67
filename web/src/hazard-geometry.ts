// Small geometry helpers for the browser only (drawing and camera moves); every figure that counts is PostGIS's.
import type { Feature, FeatureCollection, Geometry, Point, Position } from 'geojson';
import type { HazardCollection, HazardSummary, Release } from './api';

export type Bounds = [number, number, number, number];

function visitPositions(geometry: Geometry, visit: (position: Position) => void): void {
  switch (geometry.type) {
    case 'Point':
      visit(geometry.coordinates);
      break;
    case 'MultiPoint':
    case 'LineString':
      geometry.coordinates.forEach(visit);
      break;
    case 'MultiLineString':
    case 'Polygon':
      geometry.coordinates.forEach((line) => line.forEach(visit));
      break;
    case 'MultiPolygon':
      geometry.coordinates.forEach((polygon) => polygon.forEach((ring) => ring.forEach(visit)));
      break;
    case 'GeometryCollection':
      geometry.geometries.forEach((part) => visitPositions(part, visit));
      break;
  }
}

export function geometryBounds(geometry: Geometry): Bounds | null {
  let bounds: Bounds | null = null;
  visitPositions(geometry, ([lon = 0, lat = 0]) => {
    if (!bounds) bounds = [lon, lat, lon, lat];
    else bounds = [Math.min(bounds[0], lon), Math.min(bounds[1], lat), Math.max(bounds[2], lon), Math.max(bounds[3], lat)];
  });
  return bounds;
}

/** Planar centroid and signed area of one ring (shoelace formula); good enough to place a marker. */
function ringCentroid(ring: Position[]): { area: number; point: Position } | null {
  let twiceArea = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i + 1 < ring.length; i += 1) {
    const [x0 = 0, y0 = 0] = ring[i] ?? [];
    const [x1 = 0, y1 = 0] = ring[i + 1] ?? [];
    const cross = x0 * y1 - x1 * y0;
    twiceArea += cross;
    x += (x0 + x1) * cross;
    y += (y0 + y1) * cross;
  }
  if (twiceArea === 0) {
    const first = ring[0];
    return first ? { area: 0, point: first } : null;
  }
  return { area: Math.abs(twiceArea / 2), point: [x / (3 * twiceArea), y / (3 * twiceArea)] };
}

/** Where a marker for the area goes: the centroid of its largest outer ring. */
export function markerPosition(geometry: Geometry): Position | null {
  const outerRings: Position[][] =
    geometry.type === 'Polygon'
      ? geometry.coordinates.slice(0, 1)
      : geometry.type === 'MultiPolygon'
        ? geometry.coordinates.flatMap((polygon) => polygon.slice(0, 1))
        : [];
  let best: { area: number; point: Position } | null = null;
  for (const ring of outerRings) {
    const candidate = ringCentroid(ring);
    if (candidate && (!best || candidate.area > best.area)) best = candidate;
  }
  return best?.point ?? null;
}

/** One point per hazard, so that areas of a few hectares stay visible and clickable at national zoom. */
export function hazardMarkers(hazards: HazardCollection): FeatureCollection<Point, HazardSummary> {
  const features: Feature<Point, HazardSummary>[] = [];
  for (const hazard of hazards.features) {
    const position = markerPosition(hazard.geometry);
    if (position) features.push({ type: 'Feature', properties: hazard.properties, geometry: { type: 'Point', coordinates: position } });
  }
  return { type: 'FeatureCollection', features };
}

export function collectionBounds(collection: FeatureCollection): Bounds | null {
  let bounds: Bounds | null = null;
  for (const feature of collection.features) {
    const own = feature.geometry ? geometryBounds(feature.geometry) : null;
    if (!own) continue;
    bounds = bounds
      ? [Math.min(bounds[0], own[0]), Math.min(bounds[1], own[1]), Math.max(bounds[2], own[2]), Math.max(bounds[3], own[3])]
      : own;
  }
  return bounds;
}

/**
 * A hazard's releases as map features (those recorded with a geometry), for drawing over the hazard. Where
 * releases overlap, the one that ended first counts (then the smaller ref), so it is drawn last, on top.
 */
export function releaseFeatures(releases: Release[]): FeatureCollection<Geometry, { ref: string; kind: string }> {
  const counted = (release: Release) => `${release.end_date ?? '9999-12-31'} ${release.ref}`;
  const drawOrder = [...releases].sort((a, b) => (counted(a) < counted(b) ? 1 : counted(a) > counted(b) ? -1 : 0));
  const features: Feature<Geometry, { ref: string; kind: string }>[] = [];
  for (const release of drawOrder) {
    if (release.geometry) features.push({ type: 'Feature', properties: { ref: release.ref, kind: release.kind }, geometry: release.geometry });
  }
  return { type: 'FeatureCollection', features };
}
