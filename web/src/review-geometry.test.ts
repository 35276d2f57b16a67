import { describe, expect, it } from 'vitest';
import type { Polygon } from 'geojson';
import { reviewFeatures } from './review-geometry';
import type { ReviewItem } from './submission-api';

const square = (lon: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[[lon, 13], [lon + 0.01, 13], [lon + 0.01, 13.01], [lon, 13.01], [lon, 13]]],
});

function item(index: number, overrides: Partial<ReviewItem> = {}): ReviewItem {
  return {
    item: index,
    feature: index,
    ref: `HZ-${index}`,
    reconciliation: { action: 'new', targets: [], chosen: 'default' },
    after: { properties: { ref: `HZ-${index}` }, geometry: square(103 + index / 10) },
    before: null,
    overlaps: [],
    problems: [],
    ...overrides,
  };
}

describe('the review map data', () => {
  it('draws each item as sent, the record it would change, and each overlapped hazard once', () => {
    const overlap = { ref: 'HZ-OLD', version: 3, overlap_m2: 120, geometry: square(103.005) };
    const features = reviewFeatures([
      item(0, { before: { ref: 'HZ-0', version: 2, attributes: {}, geometry: square(102.99) }, overlaps: [overlap] }),
      item(1, { overlaps: [overlap] }),
      item(2, { after: { properties: {}, geometry: null } }),
    ]);
    expect(features.after.features.map((feature) => feature.properties)).toEqual([{ item: 0, ref: 'HZ-0' }, { item: 1, ref: 'HZ-1' }]);
    expect(features.before.features.map((feature) => feature.properties)).toEqual([{ item: 0, ref: 'HZ-0' }]);
    expect(features.overlaps.features.map((feature) => feature.properties)).toEqual([{ item: 0, ref: 'HZ-OLD', overlap_m2: 120 }]);
  });

  it('skips an overlap that came without its geometry', () => {
    expect(reviewFeatures([item(0, { overlaps: [{ ref: 'HZ-OLD', version: 1, overlap_m2: 5 }] })]).overlaps.features).toEqual([]);
  });
});
