// Benchmark: an operator's completion report of 10,000 items as one submission (4,000 new hazards, a release
// of each, 2,000 finds in those releases, each record saying its record_kind), validated on upload, its
// review page's API (500 items, the page the web asks for), and approved, on both engines.
// Targets on the server: validated in 5 s or less, approved in 5 s or less, a page of review in 0.5 s or less.
//
//   node --max-old-space-size=8000 --import tsx bench/mixed-submission.ts [--items 10000] [--engines server,embedded] [--runs 3]
//
// Prints a table and writes bench/results/mixed-submission-<date and time>.json. Not a test: figures, not verdicts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Feature, Polygon, MultiPolygon } from 'geojson';
import { openServer, type Database } from '../src/db/engine.ts';
import { warmUploadThreads } from '../src/api/decode-off-thread.ts';
import { addUser } from '../src/app/accounts.ts';
import { openClearway } from '../src/app/open.ts';
import { approveSubmission, createSubmission, submitSubmission } from '../src/app/submissions.ts';
import { reviewSubmission } from '../src/app/submission-review.ts';
import { loadProvinceOutlines } from '../src/app/demo-data.ts';
import { generateBenchData } from '../src/demo/generate-demo-data.ts';
import type { Principal } from '../src/domain/roles.ts';
import { createTemplateDatabase, startPostgresServer } from '../test/support/postgres-server.ts';

const { values } = parseArgs({ options: { items: { type: 'string', default: '10000' }, engines: { type: 'string', default: 'server,embedded' }, runs: { type: 'string', default: '3' } } });
// The machine's speed varies from run to run (a shared virtual machine: 25% between two runs is common), so
// each engine is measured several times, each on a fresh database, and the median is the figure.
const runs = Number(values.runs);
const total = Number(values.items);
const engines = values.engines.split(',') as ('server' | 'embedded')[];
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-bench-mixed-'));

interface Row {
  engine: string;
  run: number | 'median';
  items: number;
  hazards: number;
  releases: number;
  finds: number;
  validateSeconds: number;
  reviewPageSeconds: number;
  approveSeconds: number;
  /** CPU seconds of this process and of the PostgreSQL server while validating and approving. */
  validateCpu?: { node: number; postgres: number };
  approveCpu?: { node: number; postgres: number };
}
const rows: Row[] = [];
const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;
/** With CLEARWAY_LOG_SLOW_MS set, when each step starts, on the slow-statement log's clock (which statements belong to which step). */
const mark = (step: string) => {
  if (process.env.CLEARWAY_LOG_SLOW_MS) process.stderr.write(`step ${step} at ${(performance.now() / 1000).toFixed(2)} s\n`);
};

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

/**
 * CPU seconds used so far by this process (all its threads: the embedded engine runs in one) and by the
 * PostgreSQL server's processes: with 2 cores, the sum over the wall time says how busy both were. A server
 * process that ends between two readings takes its seconds with it (a figure can then be short, even below
 * zero), and any other PostgreSQL on the machine counts too: run it on a machine doing nothing else.
 */
function cpuSeconds(): { node: number; postgres: number } {
  let ticks = 0;
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  const usage = process.cpuUsage();
  return { node: (usage.user + usage.system) / 1e6, postgres: ticks / 100 };
}
const cpuSince = (before: ReturnType<typeof cpuSeconds>) => {
  const now = cpuSeconds();
  return { node: now.node - before.node, postgres: now.postgres - before.postgres };
};

async function measure(db: Database, engine: string, run: number, report: ReturnType<typeof completionReport>): Promise<void> {
  const officerId = await addUser(db, { username: 'halo.officer', role: 'operator_data_officer', organisation: 'HALO', password: 'bench-password' }, 'bench');
  const reviewerId = await addUser(db, { username: 'cmaa.reviewer', role: 'authority_reviewer', organisation: 'CMAA', password: 'bench-password' }, 'bench');
  const officer: Principal = { userId: officerId, username: 'halo.officer', role: 'operator_data_officer', organisation: 'HALO', via: 'token' };
  const reviewer: Principal = { userId: reviewerId, username: 'cmaa.reviewer', role: 'authority_reviewer', organisation: 'CMAA', via: 'token' };
  let cpu = cpuSeconds();
  mark('validate');
  let started = process.hrtime.bigint();
  const draft = await createSubmission(db, officer, { kind: 'mixed', fileName: 'completion-report.geojson', text: report.text });
  const validateSeconds = seconds(started);
  mark('validated');
  const validateCpu = cpuSince(cpu);
  if (draft.validation.errorCount > 0) throw new Error(`bench data has errors: ${JSON.stringify(draft.validation.errors.slice(0, 3))}`);
  await submitSubmission(db, officer, draft.id);
  started = process.hrtime.bigint();
  await reviewSubmission(db, reviewer, draft.id, { limit: 500, offset: 4_000 });
  const reviewPageSeconds = seconds(started);
  cpu = cpuSeconds();
  mark('approve');
  started = process.hrtime.bigint();
  const approved = await approveSubmission(db, reviewer, draft.id);
  const approveSeconds = seconds(started);
  mark('approved');
  const approveCpu = cpuSince(cpu);
  if (approved.state !== 'approved') throw new Error('not approved');
  rows.push({ engine, run, items: total, hazards: report.hazards, releases: report.releases, finds: report.finds, validateSeconds, reviewPageSeconds, approveSeconds, validateCpu, approveCpu });
  print(rows.at(-1)!);
}

function print(row: Row): void {
  const figure = (value: number, width: number) => value.toFixed(2).padStart(width);
  const cpu = (used?: { node: number; postgres: number }) => (used ? ` (cpu: node ${used.node.toFixed(1)} s, postgres ${used.postgres.toFixed(1)} s)` : '');
  console.log(`${row.engine.padEnd(9)} ${String(row.run).padStart(6)}  ${row.items} items (${row.hazards} hazards, ${row.releases} releases, ${row.finds} finds)  validate ${figure(row.validateSeconds, 6)} s${cpu(row.validateCpu)}  review page (500) ${figure(row.reviewPageSeconds, 5)} s  approve ${figure(row.approveSeconds, 6)} s${cpu(row.approveCpu)}`);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function addMedian(engine: string): void {
  const measured = rows.filter((row) => row.engine === engine && row.run !== 'median');
  if (measured.length < 2) return;
  const { validateCpu: _v, approveCpu: _a, ...first } = measured[0]!;
  const row: Row = {
    ...first, run: 'median',
    validateSeconds: median(measured.map((r) => r.validateSeconds)),
    reviewPageSeconds: median(measured.map((r) => r.reviewPageSeconds)),
    approveSeconds: median(measured.map((r) => r.approveSeconds)),
  };
  rows.push(row);
  print(row);
}

async function main(): Promise<void> {
  const report = completionReport();
  // A running server has its upload threads started (`clearway start` starts them as it listens).
  warmUploadThreads();
  const server = engines.includes('server') ? await startPostgresServer() : null;
  try {
    if (server) {
      await createTemplateDatabase(server);
      for (let run = 1; run <= runs; run++) {
        const admin = await openServer(server.url('postgres'), { maxConnections: 1 });
        await admin.query(`create database bench_mixed_${run} template clearway_template`);
        await admin.close();
        const db = await openServer(server.url(`bench_mixed_${run}`));
        await measure(db, 'server', run, report);
        await db.close();
      }
      addMedian('server');
    }
    if (engines.includes('embedded')) {
      for (let run = 1; run <= runs; run++) {
        const { db } = await openClearway({ dataDir: path.join(work, `embedded-${run}`) });
        await measure(db, 'embedded', run, report);
        await db.close();
      }
      addMedian('embedded');
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
