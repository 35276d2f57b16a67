// Benchmark: an operator's completion report of 10,000 items as one submission (4,000 new hazards, a release
// of each, 2,000 finds in those releases, each record saying its record_kind), validated on upload, its
// review page's API (500 items, the page the web asks for), and approved, on both engines.
// Targets on the server: validated in 5 s or less, approved in 5 s or less, a page of review in 0.5 s or less.
//
//   node --max-old-space-size=8000 --import tsx bench/mixed-submission.ts [--items 10000] [--engines server,embedded]
//
// Prints a table and writes bench/results/mixed-submission-<date and time>.json. Not a test: figures, not verdicts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Feature, Polygon, MultiPolygon } from 'geojson';
import { openServer, type Database } from '../src/db/engine.ts';
import { addUser } from '../src/app/accounts.ts';
import { openClearway } from '../src/app/open.ts';
import { approveSubmission, createSubmission, submitSubmission } from '../src/app/submissions.ts';
import { reviewSubmission } from '../src/app/submission-review.ts';
import { loadProvinceOutlines } from '../src/app/demo-data.ts';
import { generateBenchData } from '../src/demo/generate-demo-data.ts';
import type { Principal } from '../src/domain/roles.ts';
import { createTemplateDatabase, startPostgresServer } from '../test/support/postgres-server.ts';

const { values } = parseArgs({ options: { items: { type: 'string', default: '10000' }, engines: { type: 'string', default: 'server,embedded' } } });
const total = Number(values.items);
const engines = values.engines.split(',') as ('server' | 'embedded')[];
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-bench-mixed-'));

interface Row {
  engine: string;
  items: number;
  hazards: number;
  releases: number;
  finds: number;
  validateSeconds: number;
  reviewPageSeconds: number;
  approveSeconds: number;
}
const rows: Row[] = [];
const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;

/** The completion report: hazards and their releases from the bench generator, finds on each release's first vertex. */
function completionReport(): { text: string; hazards: number; releases: number; finds: number } {
  const pairs = Math.round(total * 0.4);
  const findCount = total - 2 * pairs;
  const { hazards, releases } = generateBenchData({ provinces: loadProvinceOutlines(), hazardCount: pairs, seed: 17 });
  const features: Feature[] = [];
  for (const feature of hazards.features) features.push({ ...feature, properties: { ...feature.properties, operator: 'HALO', record_kind: 'hazard' } });
  for (const feature of releases.features) features.push({ ...feature, properties: { ...feature.properties, operator: 'HALO', record_kind: 'release' } });
  for (let i = 0; i < findCount; i++) {
    const release = releases.features[i % releases.features.length]!;
    const geometry = release.geometry as Polygon | MultiPolygon;
    const ring = geometry.type === 'Polygon' ? geometry.coordinates[0]! : geometry.coordinates[0]![0]!;
    const [lon, lat] = ring[0]!;
    features.push({
      type: 'Feature',
      properties: { record_kind: 'find', ref: `BENCH-F-${i}`, category: 'AP', model: 'PMN-2', quantity: 1 + (i % 3), found_on: String(release.properties?.['end_date']), destroyed_on: String(release.properties?.['end_date']), destruction_method: 'in situ', release_ref: release.properties?.['ref'] },
      geometry: { type: 'Point', coordinates: [lon!, lat!] },
    });
  }
  return { text: JSON.stringify({ type: 'FeatureCollection', features }), hazards: pairs, releases: pairs, finds: findCount };
}

async function measure(db: Database, engine: string, report: ReturnType<typeof completionReport>): Promise<void> {
  const officerId = await addUser(db, { username: 'halo.officer', role: 'operator_data_officer', organisation: 'HALO', password: 'bench-password' }, 'bench');
  const reviewerId = await addUser(db, { username: 'cmaa.reviewer', role: 'authority_reviewer', organisation: 'CMAA', password: 'bench-password' }, 'bench');
  const officer: Principal = { userId: officerId, username: 'halo.officer', role: 'operator_data_officer', organisation: 'HALO', via: 'token' };
  const reviewer: Principal = { userId: reviewerId, username: 'cmaa.reviewer', role: 'authority_reviewer', organisation: 'CMAA', via: 'token' };
  let started = process.hrtime.bigint();
  const draft = await createSubmission(db, officer, { kind: 'mixed', fileName: 'completion-report.geojson', text: report.text });
  const validateSeconds = seconds(started);
  if (draft.validation.errorCount > 0) throw new Error(`bench data has errors: ${JSON.stringify(draft.validation.errors.slice(0, 3))}`);
  await submitSubmission(db, officer, draft.id);
  started = process.hrtime.bigint();
  await reviewSubmission(db, reviewer, draft.id, { limit: 500, offset: 4_000 });
  const reviewPageSeconds = seconds(started);
  started = process.hrtime.bigint();
  const approved = await approveSubmission(db, reviewer, draft.id);
  const approveSeconds = seconds(started);
  if (approved.state !== 'approved') throw new Error('not approved');
  rows.push({ engine, items: total, hazards: report.hazards, releases: report.releases, finds: report.finds, validateSeconds, reviewPageSeconds, approveSeconds });
  console.log(`${engine.padEnd(9)} ${String(total).padStart(6)} items (${report.hazards} hazards, ${report.releases} releases, ${report.finds} finds)  validate ${validateSeconds.toFixed(2).padStart(6)} s  review page (500) ${reviewPageSeconds.toFixed(2).padStart(5)} s  approve ${approveSeconds.toFixed(2).padStart(6)} s`);
}

async function main(): Promise<void> {
  const report = completionReport();
  const server = engines.includes('server') ? await startPostgresServer() : null;
  try {
    if (server) {
      await createTemplateDatabase(server);
      const admin = await openServer(server.url('postgres'), { maxConnections: 1 });
      await admin.query('create database bench_mixed template clearway_template');
      await admin.close();
      const db = await openServer(server.url('bench_mixed'));
      await measure(db, 'server', report);
      await db.close();
    }
    if (engines.includes('embedded')) {
      const { db } = await openClearway({ dataDir: path.join(work, 'embedded') });
      await measure(db, 'embedded', report);
      await db.close();
    }
  } finally {
    server?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `mixed-submission-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine: { cores: os.cpus().length }, targets: { validateSeconds: 5, approveSeconds: 5, reviewPageSeconds: 0.5 }, rows }, null, 2)}\n`);
  console.log(`saved ${path.relative(root, file)}`);
}

await main();
