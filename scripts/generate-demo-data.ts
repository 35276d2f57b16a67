// Writes demo or benchmark data in Clearway's exchange format:
//
//   npx tsx scripts/generate-demo-data.ts --provinces reference/provinces.geojson --out demo-data
//       [--seed N] [--hazards N] [--as-of YYYY-MM-DD] [--villages <NCDD gazetteer .json>]
//       [--bench [--min-vertices 20] [--max-vertices 200]]
//
// Output: <out>/hazards.geojson and <out>/releases.geojson, one feature per line inside the FeatureCollection
// (easy to diff, and the benchmark's 100,000 features are streamed, never held as one string).

import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, statSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Feature } from 'geojson';
import {
  DEFAULT_AS_OF,
  DEFAULT_BENCH_HAZARD_COUNT,
  DEFAULT_DEMO_HAZARD_COUNT,
  DEFAULT_SEED,
  benchFeaturePairs,
  generateDemoData,
  provincesFromGeoJson,
  villagesFromGazetteer,
  type ProvinceCollection,
  type VillagesByProvince,
} from '../src/demo/generate-demo-data.ts';

const USAGE =
  'usage: npx tsx scripts/generate-demo-data.ts --provinces <provinces.geojson> --out <dir> ' +
  '[--seed N] [--hazards N] [--as-of YYYY-MM-DD] [--villages <gazetteer.json>] [--bench [--min-vertices N] [--max-vertices N]]';

/** Buffers lines and respects the stream's back-pressure, so memory stays flat however many features come. */
class FeatureCollectionWriter {
  private readonly stream: WriteStream;
  private buffer = '';
  private count = 0;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
    this.buffer = '{"type":"FeatureCollection","features":[\n';
  }

  async add(feature: Feature): Promise<void> {
    this.buffer += (this.count === 0 ? '' : ',\n') + JSON.stringify(feature);
    this.count += 1;
    if (this.buffer.length > 1 << 20) await this.flush();
  }

  async close(): Promise<number> {
    this.buffer += '\n]}\n';
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
    return this.count;
  }

  private async flush(): Promise<void> {
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }
}

interface Arguments {
  provinces: string;
  out: string;
  seed: number;
  hazards: number | undefined;
  asOf: string;
  villages: string | undefined;
  bench: boolean;
  minVertices: number;
  maxVertices: number;
}

function integerOption(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(value)) throw new Error(`--${name} must be an integer, got "${text}"\n${USAGE}`);
  return value;
}

function readArguments(): Arguments {
  const { values } = parseArgs({
    options: {
      provinces: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      hazards: { type: 'string' },
      'as-of': { type: 'string' },
      villages: { type: 'string' },
      bench: { type: 'boolean', default: false },
      'min-vertices': { type: 'string' },
      'max-vertices': { type: 'string' },
    },
    strict: true,
  });
  if (values.provinces === undefined || values.out === undefined) throw new Error(USAGE);
  return {
    provinces: values.provinces,
    out: values.out,
    seed: integerOption('seed', values.seed, DEFAULT_SEED),
    hazards: values.hazards === undefined ? undefined : integerOption('hazards', values.hazards, 0),
    asOf: values['as-of'] ?? DEFAULT_AS_OF,
    villages: values.villages,
    bench: values.bench ?? false,
    minVertices: integerOption('min-vertices', values['min-vertices'], 20),
    maxVertices: integerOption('max-vertices', values['max-vertices'], 200),
  };
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

async function writeDemo(args: Arguments, provinces: ProvinceCollection, villagesByProvince: VillagesByProvince): Promise<[number, number]> {
  const data = generateDemoData({
    provinces,
    villagesByProvince,
    seed: args.seed,
    hazardCount: args.hazards ?? DEFAULT_DEMO_HAZARD_COUNT,
    asOf: args.asOf,
  });
  const hazards = new FeatureCollectionWriter(join(args.out, 'hazards.geojson'));
  for (const feature of data.hazards.features) await hazards.add(feature);
  const releases = new FeatureCollectionWriter(join(args.out, 'releases.geojson'));
  for (const feature of data.releases.features) await releases.add(feature);
  return [await hazards.close(), await releases.close()];
}

async function writeBench(args: Arguments, provinces: ProvinceCollection, villagesByProvince: VillagesByProvince): Promise<[number, number]> {
  const hazards = new FeatureCollectionWriter(join(args.out, 'hazards.geojson'));
  const releases = new FeatureCollectionWriter(join(args.out, 'releases.geojson'));
  const pairs = benchFeaturePairs({
    provinces,
    villagesByProvince,
    seed: args.seed,
    hazardCount: args.hazards ?? DEFAULT_BENCH_HAZARD_COUNT,
    minVertices: args.minVertices,
    maxVertices: args.maxVertices,
    asOf: args.asOf,
  });
  for (const { hazard, release } of pairs) {
    await hazards.add(hazard);
    await releases.add(release);
  }
  return [await hazards.close(), await releases.close()];
}

function megabytes(path: string): string {
  return `${(statSync(path).size / 1_048_576).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  const args = readArguments();
  const provinces = provincesFromGeoJson(readJson(args.provinces));
  const villagesByProvince = args.villages === undefined ? {} : villagesFromGazetteer(readJson(args.villages));
  mkdirSync(args.out, { recursive: true });
  const started = performance.now();
  const [hazardCount, releaseCount] = args.bench
    ? await writeBench(args, provinces, villagesByProvince)
    : await writeDemo(args, provinces, villagesByProvince);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const hazardsPath = join(args.out, 'hazards.geojson');
  const releasesPath = join(args.out, 'releases.geojson');
  console.log(`${args.bench ? 'bench' : 'demo'} data, seed ${args.seed}, as of ${args.asOf}: ${seconds} s`);
  console.log(`  ${hazardsPath}: ${hazardCount} hazards, ${megabytes(hazardsPath)}`);
  console.log(`  ${releasesPath}: ${releaseCount} releases, ${megabytes(releasesPath)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
