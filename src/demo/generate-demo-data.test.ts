import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Geometry, Position } from 'geojson';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPolygonGeometry } from '../domain/geometry-checks.ts';
import { METHODS_BY_KIND, checkDates, parseHazardProperties, parseReleaseProperties } from '../domain/exchange-format.ts';
import { knownModel } from '../kinds/eo-models.ts';
import {
  NORTH_WEST_PROVINCE_CODES,
  PointInAreaIndex,
  benchFeaturePairs,
  generateBenchData,
  generateDemoData,
  provincesFromGeoJson,
  villagesFromGazetteer,
  type ExchangeData,
  type HazardFeature,
  type ProvinceCollection,
  type ReleaseFeature,
} from './generate-demo-data.ts';
import { Random } from './random.ts';

// ---------------------------------------------------------------------------------------------------------
// Fixtures: the reference data Clearway ships

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AS_OF = '2026-10-31';
const NORTH_EAST_EAST = ['19', '16', '10', '11', '03', '25'];
const WEST_BORDER_PROVINCES = ['01', '02', '15', '24'];

function readReference(name: string): unknown {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'reference', name), 'utf8'));
}

/** Synthetic village codes for every province: eight digits starting with the province code, plus one stray
 *  code from another province that the generator must ignore. */
function syntheticVillages(provinces: ProvinceCollection): Record<string, string[]> {
  const villages: Record<string, string[]> = {};
  for (const { properties } of provinces.features) {
    villages[properties.code] = [`${properties.code}010101`, `${properties.code}010102`, `${properties.code}020301`, '99999999'];
  }
  return villages;
}

// ---------------------------------------------------------------------------------------------------------
// Exact planar geometry on integer micro-degrees (6-decimal coordinates times 1e6): orientation tests on
// integers below 2^53 are exact, so "simple" and "inside" mean exactly that, with no tolerance to tune.

type Point = readonly [number, number];
type Ring = Point[];
type Area = Ring[][]; // polygons, each an outer ring then holes

function toPoint(position: Position): Point {
  return [Math.round((position[0] as number) * 1e6), Math.round((position[1] as number) * 1e6)];
}

function areaOf(geometry: Geometry): Area {
  if (geometry.type === 'Polygon') return [geometry.coordinates.map((ring) => ring.map(toPoint))];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates.map((polygon) => polygon.map((ring) => ring.map(toPoint)));
  throw new Error(`unexpected geometry ${geometry.type}`);
}

function cross(a: Point, b: Point, c: Point): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

function onSegment(a: Point, b: Point, p: Point): boolean {
  return (
    cross(a, b, p) === 0 &&
    Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1])
  );
}

function segmentsTouch(a: Point, b: Point, c: Point, d: Point): boolean {
  const d1 = Math.sign(cross(c, d, a)), d2 = Math.sign(cross(c, d, b));
  const d3 = Math.sign(cross(a, b, c)), d4 = Math.sign(cross(a, b, d));
  if (d1 * d2 < 0 && d3 * d4 < 0) return true;
  return onSegment(c, d, a) || onSegment(c, d, b) || onSegment(a, b, c) || onSegment(a, b, d);
}

function segmentsCrossProperly(a: Point, b: Point, c: Point, d: Point): boolean {
  return Math.sign(cross(c, d, a)) * Math.sign(cross(c, d, b)) < 0 && Math.sign(cross(a, b, c)) * Math.sign(cross(a, b, d)) < 0;
}

function isClosed(ring: Ring): boolean {
  const first = ring[0], last = ring[ring.length - 1];
  return first !== undefined && last !== undefined && first[0] === last[0] && first[1] === last[1];
}

function distinctVertexCount(ring: Ring): number {
  return new Set(ring.map(([x, y]) => `${x},${y}`)).size;
}

/** Simple: no two edges meet except neighbours at their shared vertex, and neighbours do not fold back. */
function isSimpleRing(ring: Ring): boolean {
  const edgeCount = ring.length - 1;
  for (let i = 0; i < edgeCount; i += 1) {
    const a = ring[i] as Point, b = ring[i + 1] as Point;
    for (let j = i + 1; j < edgeCount; j += 1) {
      const c = ring[j] as Point, d = ring[j + 1] as Point;
      const neighbours = j === i + 1 || (i === 0 && j === edgeCount - 1);
      if (!neighbours) {
        if (segmentsTouch(a, b, c, d)) return false;
        continue;
      }
      // Neighbours share one vertex; they overlap only if collinear and pointing back along each other.
      const [shared, p, q] = j === i + 1 ? [b, a, d] : [a, b, c];
      const dot = (p[0] - shared[0]) * (q[0] - shared[0]) + (p[1] - shared[1]) * (q[1] - shared[1]);
      if (cross(p, shared, q) === 0 && dot > 0) return false;
    }
  }
  return true;
}

function signedArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0; i < ring.length - 1; i += 1) {
    const a = ring[i] as Point, b = ring[i + 1] as Point;
    sum += a[0] * b[1] - b[0] * a[1];
  }
  return sum / 2;
}

type Placement = 'inside' | 'boundary' | 'outside';

function placeInRing(point: Point, ring: Ring): Placement {
  let inside = false;
  for (let i = 0; i < ring.length - 1; i += 1) {
    const a = ring[i] as Point, b = ring[i + 1] as Point;
    if (onSegment(a, b, point)) return 'boundary';
    if (a[1] > point[1] !== b[1] > point[1] && point[0] < a[0] + ((point[1] - a[1]) * (b[0] - a[0])) / (b[1] - a[1])) inside = !inside;
  }
  return inside ? 'inside' : 'outside';
}

function placeInArea(point: Point, area: Area): Placement {
  let result: Placement = 'outside';
  for (const [outer, ...holes] of area) {
    if (outer === undefined) continue;
    const inOuter = placeInRing(point, outer);
    if (inOuter === 'outside') continue;
    if (inOuter === 'boundary') { result = 'boundary'; continue; }
    const inHole = holes.map((hole) => placeInRing(point, hole));
    if (inHole.includes('boundary')) result = 'boundary';
    else if (!inHole.includes('inside')) return 'inside';
  }
  return result;
}

function edgesOf(area: Area): Array<readonly [Point, Point]> {
  const edges: Array<readonly [Point, Point]> = [];
  for (const polygon of area) for (const ring of polygon) for (let i = 0; i < ring.length - 1; i += 1) edges.push([ring[i] as Point, ring[i + 1] as Point]);
  return edges;
}

function verticesOf(area: Area): Point[] {
  return area.flat().flatMap((ring) => ring.slice(0, -1));
}

/** Vertices and edge midpoints: enough probes to see that two polygons' interiors meet. */
function probesOf(area: Area): Point[] {
  return [...verticesOf(area), ...edgesOf(area).map(([a, b]): Point => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2])];
}

function isWithin(inner: Area, outer: Area): boolean {
  if (verticesOf(inner).some((point) => placeInArea(point, outer) === 'outside')) return false;
  const outerEdges = edgesOf(outer);
  return edgesOf(inner).every(([a, b]) => outerEdges.every(([c, d]) => !segmentsCrossProperly(a, b, c, d)));
}

function touches(first: Area, second: Area): boolean {
  if (verticesOf(first).some((point) => placeInArea(point, second) !== 'outside')) return true;
  return verticesOf(second).some((point) => placeInArea(point, first) !== 'outside');
}

function interiorsOverlap(first: Area, second: Area): boolean {
  if (probesOf(first).some((point) => placeInArea(point, second) === 'inside')) return true;
  if (probesOf(second).some((point) => placeInArea(point, first) === 'inside')) return true;
  const secondEdges = edgesOf(second);
  return edgesOf(first).some(([a, b]) => secondEdges.some(([c, d]) => segmentsCrossProperly(a, b, c, d)));
}

/** Planar area in m2 with the local degree lengths: close enough to the geodesic area at hazard scale. */
function areaSquareMetres(area: Area): number {
  let square = 0;
  for (const polygon of area) for (const ring of polygon) square += signedArea(ring);
  const latitude = ((area[0]?.[0]?.[0]?.[1] ?? 0) / 1e6) * (Math.PI / 180);
  return Math.abs(square) * 1e-12 * 110_600 * 111_320 * Math.cos(latitude);
}

// Province outlines for "where is this point" checks, written independently of the generator's index.
interface ProvinceOutline {
  code: string;
  area: Area;
  minX: number; minY: number; maxX: number; maxY: number;
}

function outlinesOf(provinces: ProvinceCollection): ProvinceOutline[] {
  return provinces.features.map(({ properties, geometry }) => {
    const area = areaOf(geometry);
    const points = verticesOf(area);
    return {
      code: properties.code,
      area,
      minX: Math.min(...points.map((p) => p[0])), minY: Math.min(...points.map((p) => p[1])),
      maxX: Math.max(...points.map((p) => p[0])), maxY: Math.max(...points.map((p) => p[1])),
    };
  });
}

function provincesAt(point: Point, outlines: ProvinceOutline[]): string[] {
  return outlines
    .filter((o) => point[0] >= o.minX && point[0] <= o.maxX && point[1] >= o.minY && point[1] <= o.maxY)
    .filter((o) => placeInArea(point, o.area) !== 'outside')
    .map((o) => o.code);
}

function provinceOfRef(hazardRef: string): string {
  return hazardRef.slice(3, 5);
}

function share<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  return items.length === 0 ? 0 : items.filter(predicate).length / items.length;
}

// ---------------------------------------------------------------------------------------------------------

let provinces: ProvinceCollection;
let outlines: ProvinceOutline[];
let demo: ExchangeData;
let hazardsByRef: Map<string, HazardFeature>;
let releasesByHazard: Map<string, ReleaseFeature[]>;

beforeAll(() => {
  provinces = provincesFromGeoJson(readReference('provinces.geojson'));
  outlines = outlinesOf(provinces);
  demo = generateDemoData({ provinces, villagesByProvince: syntheticVillages(provinces) });
  hazardsByRef = new Map(demo.hazards.features.map((hazard) => [hazard.properties.ref, hazard]));
  releasesByHazard = new Map();
  for (const release of demo.releases.features) {
    const list = releasesByHazard.get(release.properties.hazard_ref) ?? [];
    list.push(release);
    releasesByHazard.set(release.properties.hazard_ref, list);
  }
});

function hazardOf(release: ReleaseFeature): HazardFeature {
  const hazard = hazardsByRef.get(release.properties.hazard_ref);
  if (hazard === undefined) throw new Error(`release ${release.properties.ref} names unknown hazard ${release.properties.hazard_ref}`);
  return hazard;
}

describe('Random', () => {
  it('repeats the same stream for the same seed and a different one for another seed', () => {
    const draw = (random: Random): number[] => Array.from({ length: 20 }, () => random.nextUint32());
    expect(draw(new Random(7))).toEqual(draw(new Random(7)));
    expect(draw(new Random(7))).not.toEqual(draw(new Random(8)));
    expect(draw(new Random(7, 1))).not.toEqual(draw(new Random(7, 2)));
  });

  it('keeps int() within its bounds, both included, and weighted() close to its weights', () => {
    const random = new Random(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i += 1) seen.add(random.int(3, 6));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
    const picks = Array.from({ length: 20_000 }, () => random.weighted([['a', 1], ['b', 3], ['never', 0]] as const));
    expect(share(picks, (pick) => pick === 'b')).toBeCloseTo(0.75, 1);
    expect(picks).not.toContain('never');
  });

  it('draws normals with the asked mean and spread', () => {
    const random = new Random(2);
    const values = Array.from({ length: 20_000 }, () => random.normal(10, 2));
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
    expect(mean).toBeCloseTo(10, 1);
    expect(Math.sqrt(variance)).toBeCloseTo(2, 1);
  });

  it('refuses seeds it cannot reproduce exactly', () => {
    expect(() => new Random(1.5)).toThrow(RangeError);
    expect(() => new Random()).toThrow(RangeError);
  });
});

describe('the geometry checks these tests rely on', () => {
  const square: Ring = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]];

  it('see a bow-tie, a spike folding back and a repeated vertex as not simple', () => {
    expect(isSimpleRing(square)).toBe(true);
    expect(isSimpleRing([[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]])).toBe(false);
    expect(isSimpleRing([[0, 0], [10, 0], [5, 0], [5, 5], [0, 0]])).toBe(false);
    expect(isSimpleRing([[0, 0], [10, 0], [10, 10], [10, 0], [0, 10], [0, 0]])).toBe(false);
  });

  it('tell inside from touching from overlapping', () => {
    const inner: Ring = [[2, 2], [8, 2], [8, 8], [2, 8], [2, 2]];
    const halfOut: Ring = [[5, 5], [15, 5], [15, 15], [5, 15], [5, 5]];
    const neighbour: Ring = [[10, 0], [20, 0], [20, 10], [10, 10], [10, 0]];
    expect(isWithin([[inner]], [[square]])).toBe(true);
    expect(isWithin([[halfOut]], [[square]])).toBe(false);
    expect(interiorsOverlap([[halfOut]], [[square]])).toBe(true);
    expect(interiorsOverlap([[neighbour]], [[square]])).toBe(false);
    expect(touches([[neighbour]], [[square]])).toBe(true);
    expect(placeInArea([5, 5], [[square, inner]])).toBe('outside'); // in the hole
  });
});

describe('reading the inputs', () => {
  it('reads province codes from code or from the WFP layer fields', () => {
    const square = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] };
    const collection = provincesFromGeoJson({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { code: '02', name_en: 'Battambang' }, geometry: square },
        { type: 'Feature', properties: { Adm1_text: '13', Adm1_Name: 'Preah Vihear' }, geometry: square },
        { type: 'Feature', properties: { ADM1_CODE: 'KH05' }, geometry: square },
      ],
    });
    expect(collection.features.map((feature) => feature.properties)).toEqual([
      { code: '02', name_en: 'Battambang' },
      { code: '13', name_en: 'Preah Vihear' },
      { code: '05' },
    ]);
  });

  it('names the feature that has no province code', () => {
    const feature = { type: 'Feature', properties: { name: 'x' }, geometry: { type: 'Polygon', coordinates: [] } };
    expect(() => provincesFromGeoJson({ type: 'FeatureCollection', features: [feature] })).toThrow(/feature 0 has no province code/);
  });

  it('collects village codes per province from the reference gazetteer and from the nested NCDD scrape', () => {
    const flat = { provinces: [{ code: '01' }], villages: [{ code: '01020101' }, { code: '01020102' }, { code: '24010101' }] };
    const nested = [
      { code: '01', districts: [{ code: '0102', communes: [{ code: '010201', villages: [{ code: '01020101' }, { code: '01020102' }] }] }] },
      { code: '24', districts: [{ code: '2401', communes: [{ code: '240101', villages: [{ code: '24010101' }] }] }] },
    ];
    const expected = { '01': ['01020101', '01020102'], '24': ['24010101'] };
    expect(villagesFromGazetteer(flat)).toEqual(expected);
    expect(villagesFromGazetteer(nested)).toEqual(expected);
    expect(() => villagesFromGazetteer({ rows: [] })).toThrow(/gazetteer/);
  });

  it('answers point-in-province the same way as a plain ray cast', () => {
    const random = new Random(3);
    for (const feature of provinces.features.slice(0, 6)) {
      const index = new PointInAreaIndex(feature.geometry);
      const area = areaOf(feature.geometry);
      for (let i = 0; i < 300; i += 1) {
        const lon = Math.round(random.float(index.minLon, index.maxLon) * 1e6) / 1e6;
        const lat = Math.round(random.float(index.minLat, index.maxLat) * 1e6) / 1e6;
        const expected = placeInArea(toPoint([lon, lat]), area);
        if (expected !== 'boundary') expect(index.contains(lon, lat)).toBe(expected === 'inside');
      }
    }
  });
});

describe('demo data', () => {
  it('is the same for the same seed and differs for another seed', () => {
    const first = generateDemoData({ provinces, hazardCount: 300 });
    const again = generateDemoData({ provinces, hazardCount: 300 });
    const other = generateDemoData({ provinces, hazardCount: 300, seed: 1 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(first));
  });

  it('does not depend on the order of the province features', () => {
    const reversed: ProvinceCollection = { ...provinces, features: [...provinces.features].reverse() };
    expect(generateDemoData({ provinces: reversed, hazardCount: 100 })).toEqual(generateDemoData({ provinces, hazardCount: 100 }));
  });

  it('keeps the first hazards and their releases when more hazards are asked for', () => {
    const small = generateDemoData({ provinces, hazardCount: 200, villagesByProvince: syntheticVillages(provinces) });
    expect(demo.hazards.features.slice(0, 200)).toEqual(small.hazards.features);
    expect(demo.releases.features.slice(0, small.releases.features.length)).toEqual(small.releases.features);
  });

  it('has the asked number of hazards with unique refs, and releases for about 60% of them', () => {
    expect(demo.hazards.features).toHaveLength(3000);
    expect(hazardsByRef.size).toBe(3000);
    expect(new Set(demo.releases.features.map((release) => release.properties.ref)).size).toBe(demo.releases.features.length);
    expect(releasesByHazard.size / 3000).toBeGreaterThan(0.5);
    expect(releasesByHazard.size / 3000).toBeLessThan(0.7);
    for (const list of releasesByHazard.values()) expect(list.length).toBeLessThanOrEqual(3);
    for (const release of demo.releases.features) hazardOf(release);
  });

  it('puts three quarters of the hazards in the north-west', () => {
    const northWest = share(demo.hazards.features, (hazard) => NORTH_WEST_PROVINCE_CODES.includes(provinceOfRef(hazard.properties.ref)));
    expect(northWest).toBeGreaterThanOrEqual(0.65);
    expect(northWest).toBeLessThanOrEqual(0.85);
    // The province in the ref is where the hazard lies (a star polygon's vertex mean sits near its centre).
    const located = share(demo.hazards.features, (hazard) => {
      const points = verticesOf(areaOf(hazard.geometry));
      const mean: Point = [points.reduce((s, p) => s + p[0], 0) / points.length, points.reduce((s, p) => s + p[1], 0) / points.length];
      return provincesAt(mean, outlines).includes(provinceOfRef(hazard.properties.ref));
    });
    expect(located).toBeGreaterThan(0.95);
  });

  it('has mines in the north-west and cluster munitions in the north-east and east', () => {
    const hazards = demo.hazards.features;
    const inProvinces = (codes: readonly string[]) => hazards.filter((h) => codes.includes(provinceOfRef(h.properties.ref)));
    const mined = (h: HazardFeature) => h.properties.contamination.includes('AP') || h.properties.contamination.includes('AT');
    const cmr = (h: HazardFeature) => h.properties.contamination.includes('CMR');
    expect(share(inProvinces(NORTH_WEST_PROVINCE_CODES), mined)).toBeGreaterThan(0.6);
    expect(share(inProvinces(NORTH_EAST_EAST), cmr)).toBeGreaterThan(0.4);
    expect(share(inProvinces(NORTH_EAST_EAST), mined)).toBeLessThan(0.25);
    expect(share(inProvinces(['01', '02', '22', '24']), cmr)).toBeLessThan(0.15);
  });

  it('pushes mined hazards of the western border provinces towards the Thai border (the K5 belt)', () => {
    const boxes = new Map(outlines.map((o) => [o.code, o]));
    const mined = demo.hazards.features.filter(
      (h) => WEST_BORDER_PROVINCES.includes(provinceOfRef(h.properties.ref)) && h.properties.contamination.includes('AP'),
    );
    const inWesternStrip = share(mined, (hazard) => {
      const box = boxes.get(provinceOfRef(hazard.properties.ref)) as ProvinceOutline;
      const first = verticesOf(areaOf(hazard.geometry))[0] as Point;
      return (first[0] - box.minX) / (box.maxX - box.minX) < 0.4;
    });
    expect(inWesternStrip).toBeGreaterThan(0.5);
  });

  it('has hazard properties in the exchange format', () => {
    const types = demo.hazards.features.map((h) => h.properties.type);
    expect(share(types, (type) => type === 'SHA')).toBeGreaterThan(0.55);
    expect(share(types, (type) => type === 'SHA')).toBeLessThan(0.65);
    const years = new Set<string>();
    for (const { properties } of demo.hazards.features) {
      expect(properties.ref).toMatch(/^HZ-\d{2}-\d{6}$/);
      expect(['SHA', 'CHA']).toContain(properties.type);
      expect(properties.contamination.length).toBeGreaterThan(0);
      for (const item of properties.contamination) expect(['AP', 'AT', 'CMR', 'ERW', 'IED']).toContain(item);
      expect(['baseline survey', 'non-technical survey', 'community report']).toContain(properties.source);
      expect(properties.recorded_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(properties.recorded_on >= '2000-01-01' && properties.recorded_on <= AS_OF).toBe(true);
      if (properties.operator !== undefined) expect(['CMAC', 'HALO', 'MAG', 'NPA', 'APOPO', 'RCAF', 'NPMEC']).toContain(properties.operator);
      years.add(properties.recorded_on.slice(0, 4));
    }
    expect(years.size).toBeGreaterThanOrEqual(25);
  });

  it('names a village of the hazard\'s own province on about 60% of hazards', () => {
    const withVillage = demo.hazards.features.filter((h) => h.properties.village_code !== undefined);
    expect(withVillage.length / 3000).toBeGreaterThan(0.55);
    expect(withVillage.length / 3000).toBeLessThan(0.65);
    for (const hazard of withVillage) {
      expect(hazard.properties.village_code).toMatch(/^\d{8}$/);
      expect(hazard.properties.village_code?.slice(0, 2)).toBe(provinceOfRef(hazard.properties.ref));
    }
  });

  it('has hazard sizes from about 2,000 to 500,000 m2 around a median of about 30,000 m2', () => {
    const areas = demo.hazards.features.map((h) => areaSquareMetres(areaOf(h.geometry))).sort((a, b) => a - b);
    expect(areas[Math.floor(areas.length / 2)]).toBeGreaterThan(22_000);
    expect(areas[Math.floor(areas.length / 2)]).toBeLessThan(40_000);
    expect(areas[0]).toBeGreaterThan(1_500);
    expect(areas[areas.length - 1]).toBeLessThan(650_000);
  });

  it('draws every polygon closed, simple, with at least 3 distinct vertices, outer rings counter-clockwise', () => {
    const features = [...demo.hazards.features, ...demo.releases.features];
    for (const feature of features) {
      for (const [outer, ...holes] of areaOf(feature.geometry)) {
        for (const ring of [outer as Ring, ...holes]) {
          expect(isClosed(ring), feature.properties.ref).toBe(true);
          expect(distinctVertexCount(ring), feature.properties.ref).toBeGreaterThanOrEqual(3);
          expect(isSimpleRing(ring), feature.properties.ref).toBe(true);
        }
        expect(signedArea(outer as Ring), feature.properties.ref).toBeGreaterThan(0);
        for (const hole of holes) {
          expect(signedArea(hole), feature.properties.ref).toBeLessThan(0);
          expect(isWithin([[hole]], [[outer as Ring]]), feature.properties.ref).toBe(true);
        }
      }
    }
  });

  it('keeps the parts of multi-part hazards apart, and a few hazards are multi-part', () => {
    const multipart = demo.hazards.features.filter((h) => h.geometry.type === 'MultiPolygon');
    expect(multipart.length).toBeGreaterThan(30);
    for (const hazard of multipart) {
      const [first, second] = areaOf(hazard.geometry);
      expect(interiorsOverlap([first as Ring[]], [second as Ring[]]) || touches([first as Ring[]], [second as Ring[]])).toBe(false);
    }
  });

  it('keeps every hazard within a few kilometres of Cambodia, a handful straddling a province border', () => {
    let straddling = 0;
    for (const hazard of demo.hazards.features) {
      const points = verticesOf(areaOf(hazard.geometry));
      const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
      // Diameter under ~5 km, and one vertex inside a province: nothing can be 10 km outside the country.
      expect(Math.max(...xs) - Math.min(...xs)).toBeLessThan(45_000);
      expect(Math.max(...ys) - Math.min(...ys)).toBeLessThan(45_000);
      const codes = new Set(points.filter((_, i) => i % 4 === 0).flatMap((p) => provincesAt(p, outlines)));
      expect(codes.size, hazard.properties.ref).toBeGreaterThan(0);
      if (codes.size > 1) straddling += 1;
    }
    console.info(`demo: ${straddling} of 3000 hazards straddle a province border`);
    expect(straddling).toBeGreaterThan(0);
    expect(straddling).toBeLessThan(150);
  });
});

describe('demo releases', () => {
  it('uses only the kind and method pairs the importer accepts, about 40/20/40', () => {
    const releases = demo.releases.features;
    for (const { properties } of releases) {
      expect(METHODS_BY_KIND[properties.kind]).toContain(properties.method);
      expect(['CMAC', 'HALO', 'MAG', 'NPA', 'APOPO', 'RCAF', 'NPMEC']).toContain(properties.operator);
      expect(properties.ref).toMatch(/^LR-\d{6}$/);
    }
    const kinds = releases.map((release) => release.properties.kind);
    expect(share(kinds, (kind) => kind === 'cancelled')).toBeGreaterThan(0.33);
    expect(share(kinds, (kind) => kind === 'cancelled')).toBeLessThan(0.47);
    expect(share(kinds, (kind) => kind === 'reduced')).toBeGreaterThan(0.14);
    expect(share(kinds, (kind) => kind === 'reduced')).toBeLessThan(0.26);
    expect(share(kinds, (kind) => kind === 'cleared')).toBeGreaterThan(0.33);
    expect(share(kinds, (kind) => kind === 'cleared')).toBeLessThan(0.47);
  });

  it('has ordered ISO dates from 2018, after the hazard was recorded, never after the as-of date', () => {
    const years = new Set<string>();
    for (const release of demo.releases.features) {
      const { start_date: start, end_date: end } = release.properties;
      expect(start).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(end).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(new Date(`${start}T00:00:00Z`).toISOString().slice(0, 10)).toBe(start);
      expect(start >= '2018-01-01' && start <= end && end <= AS_OF).toBe(true);
      expect(start > hazardOf(release).properties.recorded_on).toBe(true);
      years.add(start.slice(0, 4));
    }
    expect([...years].sort()).toEqual(['2018', '2019', '2020', '2021', '2022', '2023', '2024', '2025', '2026']);
  });

  it('sends each operator to its home region', () => {
    const releases = demo.releases.features;
    const inNorthWest = (release: ReleaseFeature) => NORTH_WEST_PROVINCE_CODES.includes(provinceOfRef(release.properties.hazard_ref));
    const inNorthEast = (release: ReleaseFeature) => NORTH_EAST_EAST.includes(provinceOfRef(release.properties.hazard_ref));
    const byOperator = (code: string) => releases.filter((release) => release.properties.operator === code);
    expect(share(byOperator('HALO'), inNorthWest)).toBeGreaterThan(0.95);
    expect(share(byOperator('MAG'), inNorthWest)).toBeGreaterThan(0.75);
    expect(share(byOperator('NPA'), inNorthEast)).toBeGreaterThan(0.4);
    expect(new Set(releases.map((release) => release.properties.operator)).size).toBe(7);
    for (const release of byOperator('APOPO')) {
      if (release.properties.kind === 'cleared') expect(['mdd', 'combined']).toContain(release.properties.method);
    }
  });

  it('records devices on most clearance, a few technical surveys, never on cancelled land', () => {
    const releases = demo.releases.features;
    const hasDevices = (release: ReleaseFeature) => (release.properties.devices?.length ?? 0) > 0;
    const ofKind = (kind: string) => releases.filter((release) => release.properties.kind === kind);
    expect(share(ofKind('cleared'), hasDevices)).toBeGreaterThan(0.6);
    expect(share(ofKind('reduced'), hasDevices)).toBeGreaterThan(0);
    expect(share(ofKind('reduced'), hasDevices)).toBeLessThan(0.2);
    expect(share(ofKind('cancelled'), hasDevices)).toBe(0);
    const lines = releases.flatMap((release) => (release.properties.devices ?? []).map((device) => ({ device, release })));
    for (const { device } of lines) {
      expect(['AP', 'AT', 'submunition', 'UXO', 'abandoned']).toContain(device.category);
      // Spelt as the reference list spells it, so the finds made from these devices group by model.
      expect(knownModel(device.model)?.model).toBe(device.model);
      expect(Number.isInteger(device.quantity) && device.quantity > 0).toBe(true);
    }
    const region = (codes: readonly string[]) => ({ release }: { release: ReleaseFeature }) => codes.includes(provinceOfRef(release.properties.hazard_ref));
    expect(share(lines.filter(({ device }) => device.category === 'AP'), region(NORTH_WEST_PROVINCE_CODES))).toBeGreaterThan(0.8);
    expect(share(lines.filter(({ device }) => device.category === 'submunition'), region([...NORTH_EAST_EAST, '13']))).toBeGreaterThan(0.6);
  });

  it('keeps releases inside their hazard, except about 3% that reach a little outside; every one touches it', () => {
    let outside = 0;
    for (const release of demo.releases.features) {
      const releaseArea = areaOf(release.geometry);
      const hazardArea = areaOf(hazardOf(release).geometry);
      expect(touches(releaseArea, hazardArea), release.properties.ref).toBe(true);
      if (!isWithin(releaseArea, hazardArea)) outside += 1;
    }
    const outsideShare = outside / demo.releases.features.length;
    console.info(`demo: ${outside} of ${demo.releases.features.length} releases reach outside their hazard`);
    expect(outsideShare).toBeGreaterThan(0.01);
    expect(outsideShare).toBeLessThan(0.06);
  });

  it('has releases of the same hazard that overlap, and others that only share edges', () => {
    let overlapping = 0, apart = 0;
    for (const list of releasesByHazard.values()) {
      for (let i = 0; i < list.length; i += 1) {
        for (let j = i + 1; j < list.length; j += 1) {
          if (interiorsOverlap(areaOf((list[i] as ReleaseFeature).geometry), areaOf((list[j] as ReleaseFeature).geometry))) overlapping += 1;
          else apart += 1;
        }
      }
    }
    console.info(`demo: ${overlapping} overlapping and ${apart} separate pairs of releases on the same hazard`);
    expect(overlapping).toBeGreaterThan(50);
    expect(apart).toBeGreaterThan(50);
  });

  it('includes releases with a hole (survey cancelled the rim, clearance took the core)', () => {
    const withHole = demo.releases.features.filter((release) => areaOf(release.geometry).some((polygon) => polygon.length > 1));
    expect(withHole.length).toBeGreaterThan(20);
  });
});

describe('what the importer will say', () => {
  it('accepts every record\'s properties, dates and geometry by the exchange format\'s own checks', () => {
    demo.hazards.features.forEach((hazard, feature) => {
      const parsed = parseHazardProperties({ ...hazard.properties }, { feature });
      expect(parsed.ok ? [] : parsed.problems).toEqual([]);
      expect(checkDates([{ field: 'recorded_on', value: hazard.properties.recorded_on }], AS_OF, { feature })).toEqual([]);
      expect(checkPolygonGeometry(hazard.geometry).ok, hazard.properties.ref).toBe(true);
    });
    demo.releases.features.forEach((release, feature) => {
      const parsed = parseReleaseProperties({ ...release.properties }, { feature });
      expect(parsed.ok ? [] : parsed.problems).toEqual([]);
      const dates = [
        { field: 'start_date', value: release.properties.start_date },
        { field: 'end_date', value: release.properties.end_date },
      ];
      expect(checkDates(dates, AS_OF, { feature })).toEqual([]);
      expect(checkPolygonGeometry(release.geometry).ok, release.properties.ref).toBe(true);
    });
  });

  it('uses only operators and villages that the reference data knows', () => {
    const organisations = readReference('organisations.json') as Array<{ code: string; kind: string }>;
    const operators = new Set(organisations.filter((o) => o.kind === 'operator').map((o) => o.code));
    for (const release of demo.releases.features) expect(operators.has(release.properties.operator)).toBe(true);
    for (const hazard of demo.hazards.features) {
      if (hazard.properties.operator !== undefined) expect(operators.has(hazard.properties.operator)).toBe(true);
    }
    const villagesByProvince = villagesFromGazetteer(readReference('gazetteer.json'));
    const known = new Set(Object.values(villagesByProvince).flat());
    const withRealVillages = generateDemoData({ provinces, villagesByProvince, hazardCount: 300 });
    const named = withRealVillages.hazards.features.flatMap((hazard) => hazard.properties.village_code ?? []);
    expect(named.length).toBeGreaterThan(120);
    for (const code of named) expect(known.has(code)).toBe(true);
  });
});

describe('bench data', () => {
  const options = () => ({ provinces, seed: 5, hazardCount: 300 });

  it('streams exactly what generateBenchData returns, the same for the same seed', () => {
    const streamed = [...benchFeaturePairs(options())];
    const collected = generateBenchData(options());
    expect(collected.hazards.features).toEqual(streamed.map((pair) => pair.hazard));
    expect(collected.releases.features).toEqual(streamed.map((pair) => pair.release));
    expect(JSON.stringify(generateBenchData({ ...options(), seed: 6 }))).not.toBe(JSON.stringify(collected));
  });

  it('gives each hazard 20 to 200 vertices and exactly one simple release inside it, with valid dates', () => {
    const { hazards, releases } = generateBenchData(options());
    expect(hazards.features).toHaveLength(300);
    expect(releases.features).toHaveLength(300);
    const vertexCounts: number[] = [];
    hazards.features.forEach((hazard, index) => {
      const release = releases.features[index] as ReleaseFeature;
      expect(release.properties.hazard_ref).toBe(hazard.properties.ref);
      expect(METHODS_BY_KIND[release.properties.kind]).toContain(release.properties.method);
      expect(release.properties.start_date <= release.properties.end_date && release.properties.end_date <= AS_OF).toBe(true);
      const hazardArea = areaOf(hazard.geometry);
      const releaseArea = areaOf(release.geometry);
      const outer = hazardArea[0]?.[0] as Ring;
      vertexCounts.push(outer.length - 1);
      expect(distinctVertexCount(outer)).toBe(outer.length - 1);
      expect(isSimpleRing(outer), hazard.properties.ref).toBe(true);
      expect(isSimpleRing(releaseArea[0]?.[0] as Ring), release.properties.ref).toBe(true);
      expect(isWithin(releaseArea, hazardArea), release.properties.ref).toBe(true);
    });
    expect(Math.min(...vertexCounts)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...vertexCounts)).toBeLessThanOrEqual(200);
    expect(Math.max(...vertexCounts) - Math.min(...vertexCounts)).toBeGreaterThan(150);
  });

  it('refuses a vertex range it cannot draw', () => {
    expect(() => generateBenchData({ provinces, hazardCount: 1, minVertices: 4 })).toThrow(RangeError);
    expect(() => generateBenchData({ provinces, hazardCount: 1, minVertices: 30, maxVertices: 20 })).toThrow(RangeError);
    expect(() => generateDemoData({ provinces, hazardCount: 1, asOf: '2026-02-30' })).toThrow(RangeError);
  });
});
