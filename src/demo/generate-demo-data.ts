// Deterministic demo and benchmark data in Clearway's exchange format (GeoJSON hazards and land releases).
//
// Pure: no files, no network, no clock. The caller passes the province boundaries (and optionally the village
// codes of the gazetteer) and gets FeatureCollections back; the same options always give the same output.
// Every hazard draws from its own random stream (seed, hazard number), so asking for more hazards keeps the
// first ones unchanged, and the benchmark generator can stream features without holding them all in memory.
//
// The data is meant to look like Cambodia's contamination (see docs in DOMAIN.md): most hazards in the
// north-western provinces on the Thai border, mostly anti-personnel and anti-tank mines there, pushed towards
// the border (the K5 mine belt); cluster munition remnants and other ERW in the north-east and east.

import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import type {
  ContaminationType,
  DEVICE_CATEGORIES,
  Device,
  HazardProperties,
  HazardType,
  ReleaseKind,
  ReleaseMethod,
  ReleaseProperties,
} from '../domain/exchange-format.ts';
import { Random } from './random.ts';

// ---------------------------------------------------------------------------------------------------------
// Types: the records are the exchange format's own (src/domain/exchange-format.ts); the unions below narrow
// what this generator draws from.

type Contamination = ContaminationType;
type DeviceCategory = (typeof DEVICE_CATEGORIES)[number];
type HazardSource = 'baseline survey' | 'non-technical survey' | 'community report';
type ClearanceMethod = Extract<ReleaseMethod, 'manual' | 'mechanical' | 'mdd' | 'combined'>;
/** Operators that release land (reference/organisations.json); the authority, CMAA, never does. */
export type OperatorCode = 'CMAC' | 'HALO' | 'MAG' | 'NPA' | 'APOPO' | 'RCAF' | 'NPMEC';
export type AreaGeometry = Polygon | MultiPolygon;

export type HazardFeature = Feature<AreaGeometry, HazardProperties>;
export type ReleaseFeature = Feature<AreaGeometry, ReleaseProperties>;

export interface ExchangeData {
  hazards: FeatureCollection<AreaGeometry, HazardProperties>;
  releases: FeatureCollection<AreaGeometry, ReleaseProperties>;
}

export interface ProvinceProperties {
  code: string;
  name_en?: string;
}

export type ProvinceCollection = FeatureCollection<AreaGeometry, ProvinceProperties>;

/** Village codes (8-digit NCDD) per 2-digit province code. */
export type VillagesByProvince = Readonly<Record<string, readonly string[]>>;

export interface DemoOptions {
  provinces: ProvinceCollection;
  villagesByProvince?: VillagesByProvince;
  seed?: number;
  hazardCount?: number;
  /** The generator has no clock: every date is on or before this day (ISO "YYYY-MM-DD"). */
  asOf?: string;
}

export interface BenchOptions {
  provinces: ProvinceCollection;
  villagesByProvince?: VillagesByProvince;
  seed?: number;
  hazardCount?: number;
  minVertices?: number;
  maxVertices?: number;
  asOf?: string;
}

export interface BenchPair {
  hazard: HazardFeature;
  release: ReleaseFeature;
}

export const DEFAULT_SEED = 20261122;
export const DEFAULT_AS_OF = '2026-10-31';
export const DEFAULT_DEMO_HAZARD_COUNT = 3000;
export const DEFAULT_BENCH_HAZARD_COUNT = 10_000;

/** The seven north-western provinces where most of Cambodia's remaining mined land lies. */
export const NORTH_WEST_PROVINCE_CODES: readonly string[] = ['01', '02', '13', '15', '17', '22', '24'];

// ---------------------------------------------------------------------------------------------------------
// What Cambodia's contamination looks like (weights are relative shares, not probabilities)

type Region = 'north-west' | 'north-east' | 'other';
type ContaminationProfile = 'mine-belt' | 'mine-belt-and-cmr' | 'cmr-and-erw' | 'erw';
type BorderSide = 'west' | 'north';

interface ProvinceProfile {
  /** Relative share of hazards: the north-west sums to 75 of 100. */
  weight: number;
  region: Region;
  contamination: ContaminationProfile;
  /** Side of the province that faces the Thai border, where the K5 mine belt runs. */
  borderSide?: BorderSide;
}

const PROVINCE_PROFILES: Readonly<Record<string, ProvinceProfile>> = {
  '02': { weight: 22, region: 'north-west', contamination: 'mine-belt', borderSide: 'west' }, // Battambang
  '01': { weight: 14, region: 'north-west', contamination: 'mine-belt', borderSide: 'west' }, // Banteay Meanchey
  '22': { weight: 13, region: 'north-west', contamination: 'mine-belt', borderSide: 'north' }, // Oddar Meanchey
  '13': { weight: 8, region: 'north-west', contamination: 'mine-belt-and-cmr', borderSide: 'north' }, // Preah Vihear
  '24': { weight: 7, region: 'north-west', contamination: 'mine-belt', borderSide: 'west' }, // Pailin
  '15': { weight: 6, region: 'north-west', contamination: 'mine-belt', borderSide: 'west' }, // Pursat
  '17': { weight: 5, region: 'north-west', contamination: 'mine-belt', borderSide: 'north' }, // Siem Reap
  '19': { weight: 3, region: 'north-east', contamination: 'cmr-and-erw' }, // Stung Treng
  '16': { weight: 3, region: 'north-east', contamination: 'cmr-and-erw' }, // Ratanakiri
  '10': { weight: 3, region: 'north-east', contamination: 'cmr-and-erw' }, // Kratie
  '11': { weight: 2, region: 'north-east', contamination: 'cmr-and-erw' }, // Mondulkiri
  '03': { weight: 2, region: 'north-east', contamination: 'cmr-and-erw' }, // Kampong Cham
  '25': { weight: 2, region: 'north-east', contamination: 'cmr-and-erw' }, // Tbong Khmum
  '06': { weight: 3, region: 'other', contamination: 'erw' }, // Kampong Thom
  '04': { weight: 1.5, region: 'other', contamination: 'erw' }, // Kampong Chhnang
  '05': { weight: 1.5, region: 'other', contamination: 'erw' }, // Kampong Speu
  '09': { weight: 1, region: 'other', contamination: 'erw' }, // Koh Kong
  '07': { weight: 0.8, region: 'other', contamination: 'erw' }, // Kampot
  '14': { weight: 0.7, region: 'other', contamination: 'erw' }, // Prey Veng
  '20': { weight: 0.7, region: 'other', contamination: 'erw' }, // Svay Rieng
  '08': { weight: 0.3, region: 'other', contamination: 'erw' }, // Kandal
  '21': { weight: 0.3, region: 'other', contamination: 'erw' }, // Takeo
  '18': { weight: 0.2, region: 'other', contamination: 'erw' }, // Preah Sihanouk
  // Phnom Penh (12) and Kep (23) get no hazards.
};

const CONTAMINATION_WEIGHTS: Readonly<Record<ContaminationProfile, ReadonlyArray<readonly [Contamination, number]>>> = {
  'mine-belt': [['AP', 55], ['AT', 18], ['ERW', 20], ['CMR', 4], ['IED', 1]],
  'mine-belt-and-cmr': [['AP', 35], ['AT', 12], ['CMR', 30], ['ERW', 22], ['IED', 1]],
  'cmr-and-erw': [['CMR', 50], ['ERW', 40], ['AP', 5], ['AT', 4], ['IED', 1]],
  erw: [['ERW', 70], ['AP', 12], ['CMR', 10], ['AT', 6], ['IED', 2]],
};

const CONTAMINATION_ORDER: readonly Contamination[] = ['AP', 'AT', 'CMR', 'ERW', 'IED'];

/** Where each operator works: HALO and MAG in the north-west, NPA on cluster munitions in the north-east,
 *  CMAC everywhere, the army (RCAF, NPMEC) anywhere, APOPO with its dogs in both. */
const OPERATOR_WEIGHTS: Readonly<Record<Region, ReadonlyArray<readonly [OperatorCode, number]>>> = {
  'north-west': [['HALO', 30], ['CMAC', 30], ['MAG', 15], ['RCAF', 8], ['NPMEC', 6], ['APOPO', 6], ['NPA', 5]],
  'north-east': [['CMAC', 35], ['NPA', 30], ['MAG', 8], ['APOPO', 7], ['RCAF', 10], ['NPMEC', 10]],
  other: [['CMAC', 50], ['RCAF', 15], ['NPMEC', 15], ['NPA', 6], ['MAG', 6], ['APOPO', 6], ['HALO', 2]],
};

const CLEARANCE_METHOD_WEIGHTS: Readonly<Record<OperatorCode, ReadonlyArray<readonly [ClearanceMethod, number]>>> = {
  CMAC: [['manual', 40], ['mechanical', 20], ['mdd', 15], ['combined', 25]],
  HALO: [['manual', 50], ['mechanical', 25], ['combined', 25]],
  MAG: [['manual', 50], ['mechanical', 20], ['combined', 30]],
  NPA: [['manual', 40], ['mdd', 20], ['combined', 30], ['mechanical', 10]],
  APOPO: [['mdd', 80], ['combined', 20]],
  RCAF: [['manual', 50], ['mechanical', 40], ['combined', 10]],
  NPMEC: [['manual', 50], ['mechanical', 40], ['combined', 10]],
};

/** Real models found in Cambodia, weighted by how often they turn up (PMN-2 and Type 72A lead the mine finds),
 *  spelt as the reference list of models spells them (kinds/eo-models.ts), since the finds made from these devices
 *  are grouped by model. M42 and M46 are DPICM grenade submunitions. */
const DEVICE_MODELS: Readonly<Record<DeviceCategory, ReadonlyArray<readonly [string, number]>>> = {
  AP: [['PMN-2', 25], ['Type 72A', 25], ['PMN', 12], ['Type 69', 10], ['M14', 8], ['PMD-6', 8], ['POMZ-2', 6], ['MON-50', 3], ['M16A1', 3]],
  AT: [['TM-46', 35], ['TM-57', 25], ['TM-62M', 20], ['M15', 10], ['Type 72 AT', 10]],
  submunition: [['BLU-26', 35], ['BLU-61', 20], ['BLU-24', 15], ['M42', 15], ['M46', 15]],
  UXO: [['Mortar 82mm', 20], ['Mortar 60mm', 20], ['Projectile 105mm', 15], ['B-40', 15], ['M79 grenade', 15], ['Rocket 107mm', 10], ['Mk 82', 5]],
  abandoned: [['Hand grenade', 30], ['Small arms ammunition', 20], ['Mortar 82mm', 20], ['RPG-7', 20], ['Recoilless 75mm', 10]],
};

const NOTES: Readonly<Record<Contamination, readonly string[]>> = {
  AP: ['Former K5 mine belt', 'Mine accident reported nearby', 'Farmers avoid this area', 'Near a former military camp'],
  AT: ['Old road used by military convoys', 'Tractor struck a mine nearby', 'Blocks access to rice fields'],
  CMR: ['Cluster strike area', 'Submunitions seen by villagers', 'Near a cassava plantation'],
  ERW: ['Former artillery position', 'Bombing target area', 'Items found while digging a well'],
  IED: ['Reported improvised device', 'Booby-trapped area reported by villagers'],
};

// ---------------------------------------------------------------------------------------------------------
// Dates (whole days since 1970-01-01, UTC: no time zone can shift a date)

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const FIRST_RELEASE_DAY = dayNumber('2018-01-01');
const FIRST_RECORD_YEAR = 2000;

function utcDay(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

function dayNumber(iso: string): number {
  const match = ISO_DATE.exec(iso);
  if (match === null) throw new RangeError(`expected an ISO date YYYY-MM-DD, got "${iso}"`);
  const day = utcDay(Number(match[1]), Number(match[2]), Number(match[3]));
  if (isoDate(day) !== iso) throw new RangeError(`not a calendar date: "${iso}"`);
  return day;
}

function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

interface RecordYear {
  firstDay: number;
  lastDay: number;
}

/** Years a hazard can be recorded in, weighted: the national baseline survey (2009-2012) recorded most of
 *  them. Built once per run: date arithmetic per hazard was the benchmark's hottest spot. */
function recordYears(lastDay: number): ReadonlyArray<readonly [RecordYear, number]> {
  const lastYear = new Date(lastDay * DAY_MS).getUTCFullYear();
  const years: Array<readonly [RecordYear, number]> = [];
  for (let year = FIRST_RECORD_YEAR; year <= lastYear; year += 1) {
    const firstDay = utcDay(year, 1, 1);
    const yearLastDay = Math.min(utcDay(year, 12, 31), lastDay);
    const weight = year >= 2009 && year <= 2012 ? 10 : year < 2009 ? 2 : 3;
    years.push([{ firstDay, lastDay: yearLastDay }, (weight * (yearLastDay - firstDay + 1)) / 365]);
  }
  return years;
}

function sampleRecordDay(random: Random, years: ReadonlyArray<readonly [RecordYear, number]>): number {
  const year = random.weighted(years);
  return random.int(year.firstDay, year.lastDay);
}

function sourceForYear(random: Random, year: number): HazardSource {
  if (year >= 2009 && year <= 2013) {
    return random.weighted([['baseline survey', 75], ['non-technical survey', 15], ['community report', 10]]);
  }
  return random.weighted([['non-technical survey', 55], ['community report', 45]]);
}

// ---------------------------------------------------------------------------------------------------------
// Plane geometry on a small area: metres <-> degrees with the local scale, point in polygon, star polygons

const COORDINATE_SCALE = 1e6; // 6 decimals, about 0.1 m
const MIN_HAZARD_RADIUS_M = 20;
/** Rounding moves a vertex by up to ~0.08 m; at 15 m from the centre that is under 0.006 rad, well below the
 *  smallest angular step between vertices (~0.016 rad at 200 vertices), so rounding cannot reorder vertices. */
const MIN_RELEASE_RADIUS_M = 15;

function roundCoordinate(value: number): number {
  return Math.round(value * COORDINATE_SCALE) / COORDINATE_SCALE;
}

interface DegreeScale {
  metresPerDegreeLon: number;
  metresPerDegreeLat: number;
}

/** Length of a degree on the WGS84 ellipsoid at this latitude (standard series, good to centimetres). */
function degreeScale(latitude: number): DegreeScale {
  const phi = (latitude * Math.PI) / 180;
  return {
    metresPerDegreeLat: 111_132.92 - 559.82 * Math.cos(2 * phi) + 1.175 * Math.cos(4 * phi),
    metresPerDegreeLon: 111_412.84 * Math.cos(phi) - 93.5 * Math.cos(3 * phi),
  };
}

function offsetPosition(origin: Position, eastMetres: number, northMetres: number): Position {
  const scale = degreeScale(origin[1] as number);
  return [
    roundCoordinate((origin[0] as number) + eastMetres / scale.metresPerDegreeLon),
    roundCoordinate((origin[1] as number) + northMetres / scale.metresPerDegreeLat),
  ];
}

function ringsOf(geometry: AreaGeometry): Position[][] {
  return geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
}

/**
 * Even-odd point-in-polygon test over all rings of a (multi)polygon, with edges bucketed by latitude band so
 * that one test looks at a few dozen edges instead of the province's thousands: sampling 100,000 hazard centres
 * inside detailed province boundaries must stay fast.
 */
export class PointInAreaIndex {
  readonly minLon: number;
  readonly minLat: number;
  readonly maxLon: number;
  readonly maxLat: number;
  private readonly edges: Float64Array;
  private readonly bandStarts: Int32Array;
  private readonly bandEdges: Int32Array;
  private readonly bandHeight: number;
  private readonly bandCount: number;

  constructor(geometry: AreaGeometry, bandCount = 512) {
    const coordinates: number[] = [];
    for (const ring of ringsOf(geometry)) appendRingEdges(ring, coordinates);
    if (coordinates.length === 0) throw new RangeError('an area needs at least one ring with edges');
    this.edges = Float64Array.from(coordinates);
    let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
    for (let i = 0; i < this.edges.length; i += 2) {
      const lon = this.edges[i] as number, lat = this.edges[i + 1] as number;
      minLon = Math.min(minLon, lon); maxLon = Math.max(maxLon, lon);
      minLat = Math.min(minLat, lat); maxLat = Math.max(maxLat, lat);
    }
    this.minLon = minLon; this.minLat = minLat; this.maxLon = maxLon; this.maxLat = maxLat;
    this.bandCount = bandCount;
    this.bandHeight = (maxLat - minLat) / bandCount || 1;
    const edgeCount = this.edges.length / 4;
    const counts = new Int32Array(bandCount + 1);
    for (let edge = 0; edge < edgeCount; edge += 1) {
      const [first, last] = this.bandRange(edge);
      for (let band = first; band <= last; band += 1) counts[band + 1] = (counts[band + 1] as number) + 1;
    }
    for (let band = 0; band < bandCount; band += 1) counts[band + 1] = (counts[band + 1] as number) + (counts[band] as number);
    this.bandStarts = counts.slice();
    this.bandEdges = new Int32Array(counts[bandCount] as number);
    const cursor = counts.slice(0, bandCount);
    for (let edge = 0; edge < edgeCount; edge += 1) {
      const [first, last] = this.bandRange(edge);
      for (let band = first; band <= last; band += 1) {
        this.bandEdges[cursor[band] as number] = edge;
        cursor[band] = (cursor[band] as number) + 1;
      }
    }
  }

  contains(lon: number, lat: number): boolean {
    if (lon < this.minLon || lon > this.maxLon || lat < this.minLat || lat > this.maxLat) return false;
    const band = this.bandOf(lat);
    const edges = this.edges;
    let inside = false;
    for (let k = this.bandStarts[band] as number, end = this.bandStarts[band + 1] as number; k < end; k += 1) {
      const offset = (this.bandEdges[k] as number) * 4;
      const x1 = edges[offset] as number, y1 = edges[offset + 1] as number;
      const x2 = edges[offset + 2] as number, y2 = edges[offset + 3] as number;
      if (y1 > lat !== y2 > lat && lon < x1 + ((lat - y1) * (x2 - x1)) / (y2 - y1)) inside = !inside;
    }
    return inside;
  }

  private bandOf(lat: number): number {
    return Math.min(this.bandCount - 1, Math.max(0, Math.floor((lat - this.minLat) / this.bandHeight)));
  }

  private bandRange(edge: number): readonly [number, number] {
    const y1 = this.edges[edge * 4 + 1] as number, y2 = this.edges[edge * 4 + 3] as number;
    return [this.bandOf(Math.min(y1, y2)), this.bandOf(Math.max(y1, y2))];
  }
}

/** Appends [x1, y1, x2, y2] per edge; closes the ring if the file forgot to. */
function appendRingEdges(ring: Position[], out: number[]): void {
  const count = ring.length;
  if (count < 2) return;
  for (let i = 0; i < count; i += 1) {
    const from = ring[i] as Position;
    const to = ring[(i + 1) % count] as Position;
    if (i === count - 1 && from[0] === to[0] && from[1] === to[1]) break;
    out.push(from[0] as number, from[1] as number, to[0] as number, to[1] as number);
  }
}

/**
 * A star-shaped polygon: vertices at increasing angles around a centre, radius varying smoothly with angle.
 * Increasing angles with every step below pi guarantee a simple polygon, and any polygon built from the same
 * angles with radii scaled by factors <= 1 lies inside it (each sector's triangle shrinks towards the centre).
 */
interface StarShape {
  centre: Position;
  scale: DegreeScale;
  cos: Float64Array;
  sin: Float64Array;
  radii: Float64Array;
  minRadius: number;
  maxRadius: number;
}

/** Angles in [start, start + 2 pi) with steps between 0.5 and 1.5 times the mean: no step reaches pi for n >= 5. */
function starAngles(random: Random, vertexCount: number): Float64Array {
  const gaps = new Float64Array(vertexCount);
  let total = 0;
  for (let i = 0; i < vertexCount; i += 1) {
    gaps[i] = random.float(0.5, 1.5);
    total += gaps[i] as number;
  }
  const angles = new Float64Array(vertexCount);
  let angle = random.float(0, 2 * Math.PI);
  for (let i = 0; i < vertexCount; i += 1) {
    angles[i] = angle;
    angle += ((gaps[i] as number) / total) * 2 * Math.PI;
  }
  return angles;
}

/** Relative radius per vertex: a few low harmonics (a blob, like a surveyed boundary) plus small noise that
 *  shrinks as vertices get denser, so edges stay roughly tangential and scaled copies keep a margin. */
function radiusProfile(random: Random, angles: Float64Array): Float64Array {
  // Amplitudes sum to at most 0.45 and the noise to under 0.09: every relative radius stays above 0.46.
  const amplitude1 = random.float(0, 0.25), phase1 = random.float(0, 2 * Math.PI);
  const amplitude2 = random.float(0, 0.12), phase2 = random.float(0, 2 * Math.PI);
  const amplitude3 = random.float(0, 0.08), phase3 = random.float(0, 2 * Math.PI);
  const noise = 0.25 / Math.sqrt(angles.length);
  const profile = new Float64Array(angles.length);
  for (let i = 0; i < angles.length; i += 1) {
    const angle = angles[i] as number;
    profile[i] =
      1 +
      random.float(-noise, noise) +
      amplitude1 * Math.cos(angle + phase1) +
      amplitude2 * Math.cos(2 * angle + phase2) +
      amplitude3 * Math.cos(3 * angle + phase3);
  }
  return profile;
}

function starArea(profile: Float64Array, angles: Float64Array): number {
  let area = 0;
  for (let i = 0; i < angles.length; i += 1) {
    const next = (i + 1) % angles.length;
    const step = next === 0 ? (angles[0] as number) + 2 * Math.PI - (angles[i] as number) : (angles[next] as number) - (angles[i] as number);
    area += 0.5 * (profile[i] as number) * (profile[next] as number) * Math.sin(step);
  }
  return area;
}

function makeStarShape(random: Random, centre: Position, areaM2: number, vertexCount: number): StarShape {
  const angles = starAngles(random, vertexCount);
  const profile = radiusProfile(random, angles);
  const unitRadius = Math.sqrt(areaM2 / starArea(profile, angles));
  // Plain loops: this runs for every vertex of 100,000 benchmark hazards.
  const radii = new Float64Array(vertexCount);
  const cos = new Float64Array(vertexCount);
  const sin = new Float64Array(vertexCount);
  let minRadius = Infinity;
  let maxRadius = 0;
  for (let i = 0; i < vertexCount; i += 1) {
    const radius = Math.max(MIN_HAZARD_RADIUS_M, (profile[i] as number) * unitRadius);
    radii[i] = radius;
    cos[i] = Math.cos(angles[i] as number);
    sin[i] = Math.sin(angles[i] as number);
    minRadius = Math.min(minRadius, radius);
    maxRadius = Math.max(maxRadius, radius);
  }
  return { centre, scale: degreeScale(centre[1] as number), cos, sin, radii, minRadius, maxRadius };
}

function shapeVertex(shape: StarShape, index: number, factor: number): Position {
  const radius = (shape.radii[index] as number) * factor;
  return [
    roundCoordinate((shape.centre[0] as number) + (radius * (shape.cos[index] as number)) / shape.scale.metresPerDegreeLon),
    roundCoordinate((shape.centre[1] as number) + (radius * (shape.sin[index] as number)) / shape.scale.metresPerDegreeLat),
  ];
}

/**
 * Keeps only vertices whose angle around the centre strictly increases, so that rounding to 6 decimals can never
 * leave a duplicate vertex or a fold. A closed loop also needs the step back to the first vertex below pi.
 * By construction nothing is dropped; this is the guarantee, not the plan.
 */
function keepIncreasingAngles(centre: Position, vertices: Position[], closedLoop: boolean): Position[] {
  const cx = centre[0] as number, cy = centre[1] as number;
  const kept: Position[] = [];
  let firstAngle = 0;
  let previous = -1;
  for (const vertex of vertices) {
    const dx = (vertex[0] as number) - cx, dy = (vertex[1] as number) - cy;
    if (dx === 0 && dy === 0) continue;
    const angle = Math.atan2(dy, dx);
    if (kept.length === 0) firstAngle = angle;
    const relative = kept.length === 0 ? 0 : positiveAngle(angle - firstAngle);
    if (kept.length > 0 && (relative <= previous || relative - previous >= Math.PI)) continue;
    kept.push(vertex);
    previous = relative;
  }
  if (kept.length < 3 || (closedLoop && 2 * Math.PI - previous >= Math.PI)) {
    throw new Error('internal: a generated ring lost its shape when rounded');
  }
  return kept;
}

function positiveAngle(angle: number): number {
  const wrapped = angle % (2 * Math.PI);
  return wrapped < 0 ? wrapped + 2 * Math.PI : wrapped;
}

function closeRing(vertices: Position[]): Position[] {
  return [...vertices, [...(vertices[0] as Position)]];
}

/** The whole star with every radius multiplied by `factor`; counter-clockwise as RFC 7946 asks of outer rings. */
function scaledRing(shape: StarShape, factor: number): Position[] {
  const vertices: Position[] = [];
  for (let i = 0; i < shape.radii.length; i += 1) vertices.push(shapeVertex(shape, i, factor));
  return closeRing(keepIncreasingAngles(shape.centre, vertices, true));
}

/** A fan from the centre over `count` consecutive vertices: a slice of the hazard, like one team's sector. */
function sectorRing(shape: StarShape, first: number, count: number, factor: number): Position[] {
  const arc: Position[] = [];
  for (let k = 0; k < count; k += 1) arc.push(shapeVertex(shape, (first + k) % shape.radii.length, factor));
  return closeRing([[...shape.centre], ...keepIncreasingAngles(shape.centre, arc, false)]);
}

function areaGeometry(polygons: Position[][][]): AreaGeometry {
  return polygons.length === 1
    ? { type: 'Polygon', coordinates: polygons[0] as Position[][] }
    : { type: 'MultiPolygon', coordinates: polygons };
}

// ---------------------------------------------------------------------------------------------------------
// Provinces

interface ProvinceEntry {
  code: string;
  profile: ProvinceProfile;
  area: PointInAreaIndex;
  villages: readonly string[];
}

interface Atlas {
  provinces: ProvinceEntry[];
  choices: ReadonlyArray<readonly [ProvinceEntry, number]>;
}

function buildAtlas(collection: ProvinceCollection, villagesByProvince: VillagesByProvince): Atlas {
  const provinces: ProvinceEntry[] = [];
  for (const feature of collection.features) {
    const code = feature.properties.code;
    const profile = PROVINCE_PROFILES[code];
    if (profile === undefined || feature.geometry === null) continue;
    // Only codes of this province: a village code starts with its province's two digits.
    const villages = (villagesByProvince[code] ?? []).filter((village) => /^\d{8}$/.test(village) && village.startsWith(code));
    provinces.push({ code, profile, area: new PointInAreaIndex(feature.geometry), villages });
  }
  if (provinces.length === 0) {
    throw new RangeError('no usable province: expected features with properties.code "01".."25" and polygon geometry');
  }
  // Sorted by code, so the same boundaries give the same data whatever order the file lists them in.
  provinces.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return { provinces, choices: provinces.map((province) => [province, province.profile.weight] as const) };
}

/** Rejection sampling inside the province, optionally within the strip of its bounding box along the border. */
function samplePointIn(random: Random, province: ProvinceEntry, borderSide: BorderSide | undefined): Position {
  const { minLon, minLat, maxLon, maxLat } = province.area;
  const beltShare = 0.35;
  const east = borderSide === 'west' ? minLon + (maxLon - minLon) * beltShare : maxLon;
  const south = borderSide === 'north' ? maxLat - (maxLat - minLat) * beltShare : minLat;
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const lon = roundCoordinate(random.float(minLon, east));
    const lat = roundCoordinate(random.float(south, maxLat));
    if (province.area.contains(lon, lat)) return [lon, lat];
  }
  if (borderSide !== undefined) return samplePointIn(random, province, undefined);
  throw new RangeError(`could not find a point inside province ${province.code}`);
}

// ---------------------------------------------------------------------------------------------------------
// Hazards

interface GenerationSettings {
  seed: number;
  asOfDay: number;
  /** Leaves a month between recording and "as of", so every hazard can still get a release. */
  recordYears: ReadonlyArray<readonly [RecordYear, number]>;
  vertexRange: readonly [number, number];
  /** Share of hazards made of two separate polygons (a MultiPolygon). */
  multipartChance: number;
  releasePlan: 'demo' | 'bench';
}

interface HazardPlan {
  properties: HazardProperties;
  shapes: StarShape[];
  areaM2: number;
  region: Region;
  recordedDay: number;
}

function pickContamination(random: Random, profile: ContaminationProfile): Contamination[] {
  const weights = CONTAMINATION_WEIGHTS[profile];
  const chosen = new Set<Contamination>([random.weighted(weights)]);
  for (const extraChance of [0.35, 0.08]) {
    if (!random.chance(extraChance)) break;
    const remaining = weights.filter(([item]) => !chosen.has(item));
    if (remaining.length > 0) chosen.add(random.weighted(remaining));
  }
  return CONTAMINATION_ORDER.filter((item) => chosen.has(item));
}

/** Log-normal around 30,000 m2, kept between 2,000 and 500,000 m2 by resampling (clamping would pile up
 *  hazards at the bounds). */
function sampleHazardArea(random: Random): number {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const area = random.logNormal(30_000, 1.0);
    if (area >= 2_000 && area <= 500_000) return area;
  }
  return 30_000;
}

function hazardShapes(random: Random, centre: Position, areaM2: number, settings: GenerationSettings): StarShape[] {
  const [minVertices, maxVertices] = settings.vertexRange;
  if (!random.chance(settings.multipartChance)) {
    return [makeStarShape(random, centre, areaM2, random.int(minVertices, maxVertices))];
  }
  const firstShare = random.float(0.5, 0.8);
  const first = makeStarShape(random, centre, areaM2 * firstShare, random.int(minVertices, maxVertices));
  // Measure the second part before placing it, so the two parts can be kept apart (a MultiPolygon's parts must
  // not overlap).
  const second = makeStarShape(random, centre, areaM2 * (1 - firstShare), random.int(minVertices, maxVertices));
  const distance = (first.maxRadius + second.maxRadius) * random.float(1.3, 2.5);
  const bearing = random.float(0, 2 * Math.PI);
  const secondCentre = offsetPosition(centre, distance * Math.cos(bearing), distance * Math.sin(bearing));
  return [first, { ...second, centre: secondCentre, scale: degreeScale(secondCentre[1] as number) }];
}

function planHazard(random: Random, atlas: Atlas, index: number, settings: GenerationSettings): HazardPlan {
  const province = random.weighted(atlas.choices);
  const contamination = pickContamination(random, province.profile.contamination);
  const isMined = contamination.includes('AP') || contamination.includes('AT');
  // The K5 belt: most mined hazards of a border province lie in the strip along the Thai border.
  const towardsBorder = isMined && province.profile.borderSide !== undefined && random.chance(0.6);
  const centre = samplePointIn(random, province, towardsBorder ? province.profile.borderSide : undefined);
  const areaM2 = sampleHazardArea(random);
  const shapes = hazardShapes(random, centre, areaM2, settings);
  const recordedDay = sampleRecordDay(random, settings.recordYears);
  const recordedOn = isoDate(recordedDay);
  const properties: HazardProperties = {
    ref: `HZ-${province.code}-${String(index + 1).padStart(6, '0')}`,
    type: random.chance(0.6) ? 'SHA' : 'CHA',
    contamination,
    source: sourceForYear(random, Number(recordedOn.slice(0, 4))),
    recorded_on: recordedOn,
  };
  if (random.chance(0.8)) properties.operator = random.weighted(OPERATOR_WEIGHTS[province.profile.region]);
  if (province.villages.length > 0 && random.chance(0.6)) properties.village_code = random.pick(province.villages);
  if (random.chance(0.15)) properties.notes = random.pick(NOTES[random.pick(contamination)]);
  return { properties, shapes, areaM2, region: province.profile.region, recordedDay };
}

function hazardFeature(plan: HazardPlan): HazardFeature {
  return {
    type: 'Feature',
    properties: plan.properties,
    geometry: areaGeometry(plan.shapes.map((shape) => [scaledRing(shape, 1)])),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Releases

/** How a release's polygon is cut from its hazard. Factors scale the hazard's radii around its centre. */
type ReleaseShape =
  | { form: 'scaled'; factor: number }
  | { form: 'annulus'; outer: number; inner: number }
  | { form: 'sector'; first: number; count: number; factor: number };

interface ReleaseDraft {
  kind: ReleaseKind;
  shape: ReleaseShape;
  /** Which part of a MultiPolygon hazard the release covers; 'all' only for scaled releases. */
  part: number | 'all';
}

const KIND_ORDER: readonly ReleaseKind[] = ['cancelled', 'reduced', 'cleared'];

/** Suspected areas are mostly cancelled by survey, confirmed ones mostly cleared: about 40/20/40 overall. */
function pickKind(random: Random, type: HazardType): ReleaseKind {
  return type === 'SHA'
    ? random.weighted([['cancelled', 55], ['reduced', 20], ['cleared', 25]])
    : random.weighted([['cancelled', 18], ['reduced', 20], ['cleared', 62]]);
}

/** Smallest factor that keeps every release vertex at least MIN_RELEASE_RADIUS_M from the centre. */
function minimumFactor(shape: StarShape): number {
  return MIN_RELEASE_RADIUS_M / shape.minRadius;
}

function clampFactor(factor: number, shape: StarShape): number {
  return Math.max(factor, minimumFactor(shape));
}

function scaledFactorRange(kind: ReleaseKind): readonly [number, number] {
  if (kind === 'cancelled') return [0.55, 0.95];
  if (kind === 'reduced') return [0.4, 0.9];
  return [0.2, 0.85];
}

function randomScaled(random: Random, kind: ReleaseKind, shape: StarShape): ReleaseShape {
  const [low, high] = scaledFactorRange(kind);
  return { form: 'scaled', factor: clampFactor(random.float(low, high), shape) };
}

function randomSector(random: Random, shape: StarShape): ReleaseShape {
  const vertexCount = shape.radii.length;
  const count = Math.max(3, Math.round(vertexCount * random.float(0.25, 0.7)));
  return { form: 'sector', first: random.int(0, vertexCount - 1), count, factor: clampFactor(random.float(0.6, 0.95), shape) };
}

/** Independent shapes for each release: they overlap freely, which exercises the precedence rule. */
function overlappingDrafts(random: Random, kinds: ReleaseKind[], shapes: StarShape[]): ReleaseDraft[] {
  return kinds.map((kind) => {
    const part = random.int(0, shapes.length - 1);
    const shape = shapes[part] as StarShape;
    if (random.chance(0.55)) {
      const wholeHazard = shapes.length > 1 && random.chance(0.5);
      return { kind, shape: randomScaled(random, kind, wholeHazard ? smallestShape(shapes) : shape), part: wholeHazard ? 'all' : part };
    }
    return { kind, shape: randomSector(random, shape), part };
  });
}

function smallestShape(shapes: StarShape[]): StarShape {
  return shapes.reduce((smallest, shape) => (shape.minRadius < smallest.minRadius ? shape : smallest));
}

/** Survey cancels the rim, technical survey the next ring, clearance the core: nested rings that touch but do
 *  not overlap, the textbook land release sequence. Null when the hazard is too small for the rings. */
function nestedDrafts(random: Random, kinds: ReleaseKind[], shape: StarShape): ReleaseDraft[] | null {
  const boundaries = [random.float(0.85, 0.95)];
  for (let i = 1; i < kinds.length; i += 1) boundaries.push((boundaries[i - 1] as number) * random.float(0.45, 0.75));
  if ((boundaries[boundaries.length - 1] as number) < minimumFactor(shape)) return null;
  return kinds.map((kind, i) => {
    const outer = boundaries[i] as number;
    const inner = boundaries[i + 1];
    return { kind, part: 0, shape: inner === undefined ? { form: 'scaled', factor: outer } : { form: 'annulus', outer, inner } };
  });
}

/** Neighbouring slices of the hazard, one per release: they share edges but do not overlap. Null when the
 *  hazard has too few vertices to give every slice three. */
function sectorDrafts(random: Random, kinds: ReleaseKind[], shape: StarShape): ReleaseDraft[] | null {
  const vertexCount = shape.radii.length;
  const steps = Math.floor(vertexCount * random.float(0.5, 0.95));
  if (steps < 2 * kinds.length) return null;
  const first = random.int(0, vertexCount - 1);
  const cuts = [0];
  for (let i = 1; i < kinds.length; i += 1) cuts.push(Math.round((steps * i) / kinds.length));
  cuts.push(steps);
  const factor = clampFactor(random.float(0.7, 0.95), shape);
  return kinds.map((kind, i) => ({
    kind,
    part: 0,
    shape: { form: 'sector', first: first + (cuts[i] as number), count: (cuts[i + 1] as number) - (cuts[i] as number) + 1, factor },
  }));
}

function demoDrafts(random: Random, plan: HazardPlan): ReleaseDraft[] {
  if (!random.chance(0.6)) return [];
  const count = random.weighted([[1, 55], [2, 30], [3, 15]]);
  const kinds = Array.from({ length: count }, () => pickKind(random, plan.properties.type));
  kinds.sort((a, b) => KIND_ORDER.indexOf(a) - KIND_ORDER.indexOf(b));
  const main = plan.shapes[0] as StarShape;
  const pattern = count === 1 ? 'overlapping' : random.weighted([['nested', 40], ['sectors', 30], ['overlapping', 30]] as const);
  const drafts =
    (pattern === 'nested' ? nestedDrafts(random, kinds, main) : null) ??
    (pattern === 'sectors' ? sectorDrafts(random, kinds, main) : null) ??
    overlappingDrafts(random, kinds, plan.shapes);
  // About 3% reach a little outside their hazard, as real submissions do, so the importer's clipping shows.
  return drafts.map((draft) => (random.chance(0.03) ? reachOutside(random, draft) : draft));
}

function reachOutside(random: Random, draft: ReleaseDraft): ReleaseDraft {
  const factor = random.float(1.06, 1.2);
  const shape = draft.shape;
  if (shape.form === 'annulus') return { ...draft, shape: { ...shape, outer: factor } };
  return { ...draft, shape: { ...shape, factor } };
}

function benchDrafts(random: Random, plan: HazardPlan): ReleaseDraft[] {
  const shape = plan.shapes[0] as StarShape;
  return [{ kind: pickKind(random, plan.properties.type), part: 'all', shape: { form: 'scaled', factor: clampFactor(random.float(0.3, 0.95), shape) } }];
}

function releasePolygon(shape: StarShape, releaseShape: ReleaseShape): Position[][] {
  switch (releaseShape.form) {
    case 'scaled':
      return [scaledRing(shape, releaseShape.factor)];
    case 'annulus':
      // The hole runs clockwise, as RFC 7946 asks of inner rings.
      return [scaledRing(shape, releaseShape.outer), scaledRing(shape, releaseShape.inner).reverse()];
    case 'sector':
      return [sectorRing(shape, releaseShape.first, releaseShape.count, releaseShape.factor)];
  }
}

function releaseGeometry(shapes: StarShape[], draft: ReleaseDraft): AreaGeometry {
  const parts = draft.part === 'all' ? shapes : [shapes[draft.part] as StarShape];
  return areaGeometry(parts.map((shape) => releasePolygon(shape, draft.shape)));
}

/** Share of the hazard a release covers, for durations and device counts. */
function releaseShare(draft: ReleaseDraft, shapes: StarShape[]): number {
  const shape = draft.shape;
  const partShare = draft.part === 'all' ? 1 : 1 / shapes.length;
  if (shape.form === 'scaled') return partShare * shape.factor ** 2;
  if (shape.form === 'annulus') return partShare * (shape.outer ** 2 - shape.inner ** 2);
  const vertexCount = (shapes[draft.part === 'all' ? 0 : draft.part] as StarShape).radii.length;
  return partShare * shape.factor ** 2 * Math.min(1, (shape.count - 1) / vertexCount);
}

function durationDays(random: Random, kind: ReleaseKind, areaM2: number): number {
  if (kind === 'cancelled') return random.int(1, 15);
  if (kind === 'reduced') return random.int(5, 60);
  // Clearance goes at roughly 1,500 m2 a day per task, with wide spread.
  return Math.min(365, Math.max(3, Math.round(areaM2 / random.logNormal(1_500, 0.5))));
}

function pickMethod(random: Random, kind: ReleaseKind, operator: OperatorCode): ReleaseMethod {
  if (kind === 'cancelled') return 'nts';
  if (kind === 'reduced') return 'ts';
  return random.weighted(CLEARANCE_METHOD_WEIGHTS[operator]);
}

function deviceCategories(contamination: readonly Contamination[]): DeviceCategory[] {
  const categories: DeviceCategory[] = [];
  for (const item of contamination) {
    if (item === 'AP' || item === 'AT') categories.push(item);
    if (item === 'CMR') categories.push('submunition');
    if (item === 'ERW') categories.push('UXO', 'abandoned');
  }
  return categories;
}

/** Most clearance finds something, technical survey only sometimes; more land, more items. */
function pickDevices(random: Random, kind: ReleaseKind, contamination: readonly Contamination[], areaM2: number): Device[] | undefined {
  const categories = deviceCategories(contamination);
  const findChance = kind === 'cleared' ? 0.8 : kind === 'reduced' ? 0.08 : 0;
  if (categories.length === 0 || !random.chance(findChance)) return undefined;
  const hectares = areaM2 / 10_000;
  const lineCount = kind === 'cleared' ? random.weighted([[1, 55], [2, 30], [3, 15]]) : 1;
  const devices = new Map<string, Device>();
  for (let line = 0; line < lineCount; line += 1) {
    const category = random.pick(categories);
    const model = random.weighted(DEVICE_MODELS[category]);
    const quantity = kind === 'cleared' ? Math.min(500, Math.max(1, Math.round(random.logNormal(2 + hectares, 0.8)))) : random.int(1, 3);
    const key = `${category}|${model}`;
    const existing = devices.get(key);
    if (existing === undefined) devices.set(key, { category, model, quantity });
    else existing.quantity += quantity;
  }
  return [...devices.values()];
}

function releaseFeatures(random: Random, plan: HazardPlan, drafts: ReleaseDraft[], asOfDay: number, nextReleaseNumber: () => number): ReleaseFeature[] {
  const features: ReleaseFeature[] = [];
  const firstOperator = random.weighted(OPERATOR_WEIGHTS[plan.region]);
  let start = random.int(Math.max(FIRST_RELEASE_DAY, plan.recordedDay + 1), asOfDay - 1);
  for (const draft of drafts) {
    if (start > asOfDay) break; // no room left before "as of": this hazard keeps fewer releases
    const areaM2 = plan.areaM2 * releaseShare(draft, plan.shapes);
    const duration = durationDays(random, draft.kind, areaM2);
    const end = Math.min(asOfDay, start + duration);
    // One task usually runs survey and clearance with the same operator.
    const operator = random.chance(0.7) ? firstOperator : random.weighted(OPERATOR_WEIGHTS[plan.region]);
    const properties: ReleaseProperties = {
      ref: `LR-${String(nextReleaseNumber()).padStart(6, '0')}`,
      hazard_ref: plan.properties.ref,
      kind: draft.kind,
      method: pickMethod(random, draft.kind, operator),
      operator,
      start_date: isoDate(start),
      end_date: isoDate(end),
    };
    const devices = pickDevices(random, draft.kind, plan.properties.contamination, areaM2);
    if (devices !== undefined) properties.devices = devices;
    features.push({ type: 'Feature', properties, geometry: releaseGeometry(plan.shapes, draft) });
    // The next activity starts during or after this one, sometimes the same week, sometimes years later.
    start += random.int(0, duration + 400);
  }
  return features;
}

// ---------------------------------------------------------------------------------------------------------
// Public entry points

interface HazardWithReleases {
  hazard: HazardFeature;
  releases: ReleaseFeature[];
}

function* hazardsWithReleases(atlas: Atlas, settings: GenerationSettings, hazardCount: number): Generator<HazardWithReleases> {
  let releaseNumber = 0;
  const nextReleaseNumber = (): number => (releaseNumber += 1);
  for (let index = 0; index < hazardCount; index += 1) {
    // One stream per hazard: hazard i is the same whatever the count, and a change in one hazard's draws
    // cannot shift all the hazards after it.
    const random = new Random(settings.seed, index);
    const plan = planHazard(random, atlas, index, settings);
    const drafts = settings.releasePlan === 'demo' ? demoDrafts(random, plan) : benchDrafts(random, plan);
    yield { hazard: hazardFeature(plan), releases: releaseFeatures(random, plan, drafts, settings.asOfDay, nextReleaseNumber) };
  }
}

function checkCount(name: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum) throw new RangeError(`${name} must be an integer >= ${minimum}, got ${value}`);
  return value;
}

function checkAsOf(asOf: string): number {
  const day = dayNumber(asOf);
  if (day < FIRST_RELEASE_DAY + 180) throw new RangeError(`asOf must be on or after 2018-06-30 (releases run from 2018), got ${asOf}`);
  return day;
}

function settingsFor(
  options: { seed?: number; asOf?: string },
  shape: Pick<GenerationSettings, 'vertexRange' | 'multipartChance' | 'releasePlan'>,
): GenerationSettings {
  const asOfDay = checkAsOf(options.asOf ?? DEFAULT_AS_OF);
  return { seed: options.seed ?? DEFAULT_SEED, asOfDay, recordYears: recordYears(asOfDay - 30), ...shape };
}

export function generateDemoData(options: DemoOptions): ExchangeData {
  const hazardCount = checkCount('hazardCount', options.hazardCount ?? DEFAULT_DEMO_HAZARD_COUNT, 0);
  const settings = settingsFor(options, { vertexRange: [8, 36], multipartChance: 0.03, releasePlan: 'demo' });
  const atlas = buildAtlas(options.provinces, options.villagesByProvince ?? {});
  const hazards: HazardFeature[] = [];
  const releases: ReleaseFeature[] = [];
  for (const { hazard, releases: ofHazard } of hazardsWithReleases(atlas, settings, hazardCount)) {
    hazards.push(hazard);
    releases.push(...ofHazard);
  }
  return {
    hazards: { type: 'FeatureCollection', features: hazards },
    releases: { type: 'FeatureCollection', features: releases },
  };
}

/** Benchmark data, one hazard and its one release at a time, so 100,000 of each can be written as a stream. */
export function* benchFeaturePairs(options: BenchOptions): Generator<BenchPair> {
  const hazardCount = checkCount('hazardCount', options.hazardCount ?? DEFAULT_BENCH_HAZARD_COUNT, 0);
  const minVertices = checkCount('minVertices', options.minVertices ?? 20, 8);
  const maxVertices = checkCount('maxVertices', options.maxVertices ?? 200, minVertices);
  const settings = settingsFor(options, { vertexRange: [minVertices, maxVertices], multipartChance: 0, releasePlan: 'bench' });
  const atlas = buildAtlas(options.provinces, options.villagesByProvince ?? {});
  for (const { hazard, releases } of hazardsWithReleases(atlas, settings, hazardCount)) {
    const release = releases[0];
    if (release === undefined || releases.length !== 1) throw new Error(`internal: bench hazard ${hazard.properties.ref} needs exactly one release`);
    yield { hazard, release };
  }
}

export function generateBenchData(options: BenchOptions): ExchangeData {
  const hazards: HazardFeature[] = [];
  const releases: ReleaseFeature[] = [];
  for (const { hazard, release } of benchFeaturePairs(options)) {
    hazards.push(hazard);
    releases.push(release);
  }
  return {
    hazards: { type: 'FeatureCollection', features: hazards },
    releases: { type: 'FeatureCollection', features: releases },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reading the inputs (parsed JSON in, typed values out; the caller reads the files)

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** First string-or-number property among `names`, as a string. */
function propertyText(properties: Record<string, unknown>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = properties[name];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

/**
 * Province boundaries from parsed GeoJSON. Reads `code` (Clearway's reference/provinces.geojson) or the
 * NCDD code fields of the WFP/PRISM admin-1 layer (`Adm1_text`, `ADM1_CODE` as "KH01"), padded to two digits.
 */
export function provincesFromGeoJson(json: unknown): ProvinceCollection {
  if (!isRecord(json) || json.type !== 'FeatureCollection' || !Array.isArray(json.features)) {
    throw new RangeError('provinces: expected a GeoJSON FeatureCollection');
  }
  const features = json.features.map((feature: unknown, index: number): ProvinceCollection['features'][number] => {
    if (!isRecord(feature) || !isRecord(feature.geometry) || !isRecord(feature.properties)) {
      throw new RangeError(`provinces: feature ${index} has no geometry or properties`);
    }
    const geometry = feature.geometry;
    if ((geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') || !Array.isArray(geometry.coordinates)) {
      throw new RangeError(`provinces: feature ${index} geometry must be a Polygon or MultiPolygon`);
    }
    const rawCode = propertyText(feature.properties, ['code', 'Adm1_text', 'ADM1_CODE', 'Adm1_NCDD']);
    const code = rawCode?.replace(/^KH/i, '').padStart(2, '0');
    if (code === undefined || !/^\d{2}$/.test(code)) {
      throw new RangeError(`provinces: feature ${index} has no province code (properties.code "01".."25")`);
    }
    const nameEn = propertyText(feature.properties, ['name_en', 'Adm1_Name']);
    const properties: ProvinceProperties = nameEn === undefined ? { code } : { code, name_en: nameEn };
    return { type: 'Feature', properties, geometry: geometry as unknown as AreaGeometry };
  });
  return { type: 'FeatureCollection', features };
}

/**
 * Village codes per province from a gazetteer: Clearway's reference/gazetteer.json (`{villages: [{code}]}`) or
 * the nested NCDD scrape (`[{code, districts: [{communes: [{villages: [{code}]}]}]}]`). A village code's first
 * two digits are its province.
 */
export function villagesFromGazetteer(json: unknown): Record<string, string[]> {
  const byProvince: Record<string, string[]> = {};
  const add = (code: unknown): void => {
    if (typeof code === 'string' && /^\d{8}$/.test(code)) (byProvince[code.slice(0, 2)] ??= []).push(code);
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
      return;
    }
    if (!isRecord(node)) return;
    if (Array.isArray(node.villages)) {
      for (const village of node.villages) if (isRecord(village)) add(village.code);
    }
    walk(node.districts);
    walk(node.communes);
  };
  if (!Array.isArray(json) && !(isRecord(json) && Array.isArray(json.villages))) {
    throw new RangeError('gazetteer: expected {villages: [...]} or an array of provinces with districts');
  }
  walk(json);
  return byProvince;
}
