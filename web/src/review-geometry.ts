// The review map's data: for each item of a submission, the official record it would change (before), what the
// operator sent (after), and the official hazards it overlaps, as three feature collections.
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { ReviewItem } from './submission-api';

export interface ReviewFeatureProperties {
  item: number;
  ref: string;
}

export interface ReviewFeatures {
  before: FeatureCollection<Geometry, ReviewFeatureProperties>;
  after: FeatureCollection<Geometry, ReviewFeatureProperties>;
  overlaps: FeatureCollection<Geometry, ReviewFeatureProperties & { overlap_m2: number }>;
}

function isDrawable(geometry: unknown): geometry is Geometry {
  return typeof geometry === 'object' && geometry !== null && 'type' in geometry && ('coordinates' in geometry || 'geometries' in geometry);
}

export function reviewFeatures(items: ReviewItem[]): ReviewFeatures {
  const before: Feature<Geometry, ReviewFeatureProperties>[] = [];
  const after: Feature<Geometry, ReviewFeatureProperties>[] = [];
  const overlaps: Feature<Geometry, ReviewFeatureProperties & { overlap_m2: number }>[] = [];
  // A hazard that several items overlap is drawn once (with the first item that overlaps it).
  const overlapRefs = new Set<string>();
  for (const item of items) {
    const ref = item.ref ?? '';
    if (isDrawable(item.after.geometry)) after.push({ type: 'Feature', properties: { item: item.item, ref }, geometry: item.after.geometry });
    if (item.before && isDrawable(item.before.geometry)) {
      before.push({ type: 'Feature', properties: { item: item.item, ref: item.before.ref }, geometry: item.before.geometry });
    }
    for (const overlap of item.overlaps) {
      if (overlapRefs.has(overlap.ref) || !isDrawable(overlap.geometry)) continue;
      overlapRefs.add(overlap.ref);
      overlaps.push({ type: 'Feature', properties: { item: item.item, ref: overlap.ref, overlap_m2: overlap.overlap_m2 }, geometry: overlap.geometry });
    }
  }
  return {
    before: { type: 'FeatureCollection', features: before },
    after: { type: 'FeatureCollection', features: after },
    overlaps: { type: 'FeatureCollection', features: overlaps },
  };
}
