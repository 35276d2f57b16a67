// Benchmark: a submission of 1,000 and 10,000 hazard polygons (20 to 200 vertices) validated on upload
// (and its review page's API, 1,000 items) and approved, on both engines; then the same file submitted
// again, so that every item is an update of the hazard with its ref (reconciliation by ref, recounted). Targets on the server: 1,000 items validated in 5 s or less and approved in
// 5 s or less.
//
//   node --max-old-space-size=8000 --import tsx bench/submissions.ts [--sizes 1000,10000] [--engines server,embedded]
//
// Prints a table and writes bench/results/submissions-<date and time>.json. Not a test: figures, not verdicts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openServer, type Database } from '../src/db/engine.ts';
import { addUser } from '../src/app/accounts.ts';
import { openClearway } from '../src/app/open.ts';
import { approveSubmission, createSubmission, submitSubmission } from '../src/app/submissions.ts';
import { reviewSubmission } from '../src/app/submission-review.ts';
import { loadProvinceOutlines } from '../src/app/demo-data.ts';
import { generateBenchData } from '../src/demo/generate-demo-data.ts';
import type { Principal } from '../src/domain/roles.ts';
import { createTemplateDatabase, startPostgresServer } from '../test/support/postgres-server.ts';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,10000' }, engines: { type: 'string', default: 'server,embedded' } } });
const sizes = values.sizes.split(',').map(Number);
const engines = values.engines.split(',') as ('server' | 'embedded')[];
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-bench-submissions-'));

interface Row {
  engine: string;
  size: number;
  items: 'new' | 'update';
  validateSeconds: number;
  reviewSeconds: number;
  approveSeconds: number;
}
const rows: Row[] = [];
const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;

async function principals(db: Database): Promise<{ officer: Principal; reviewer: Principal }> {
  const officerId = await addUser(db, { username: 'halo.officer', role: 'operator_data_officer', organisation: 'HALO', password: 'bench-password' }, 'bench');
  const reviewerId = await addUser(db, { username: 'cmaa.reviewer', role: 'authority_reviewer', organisation: 'CMAA', password: 'bench-password' }, 'bench');
  return {
    officer: { userId: officerId, username: 'halo.officer', role: 'operator_data_officer', organisation: 'HALO', via: 'token' },
    reviewer: { userId: reviewerId, username: 'cmaa.reviewer', role: 'authority_reviewer', organisation: 'CMAA', via: 'token' },
  };
}

async function submitAndApprove(db: Database, people: { officer: Principal; reviewer: Principal }, engine: string, size: number, items: Row['items'], text: string): Promise<void> {
  let started = process.hrtime.bigint();
  const draft = await createSubmission(db, people.officer, { kind: 'hazards', fileName: `bench-${size}-${items}.geojson`, text });
  const validateSeconds = seconds(started);
  if (draft.validation.errorCount > 0) throw new Error(`bench data has errors: ${JSON.stringify(draft.validation.errors.slice(0, 3))}`);
  await submitSubmission(db, people.officer, draft.id);
  // The review page's API: the first 1,000 items beside the official record.
  started = process.hrtime.bigint();
  await reviewSubmission(db, people.reviewer, draft.id, { limit: 1000, offset: 0 });
  const reviewSeconds = seconds(started);
  started = process.hrtime.bigint();
  const approved = await approveSubmission(db, people.reviewer, draft.id);
  const approveSeconds = seconds(started);
  if (approved.state !== 'approved') throw new Error('not approved');
  rows.push({ engine, size, items, validateSeconds, reviewSeconds, approveSeconds });
  console.log(`${engine.padEnd(9)} ${String(size).padStart(6)} ${items.padEnd(6)} items  validate ${validateSeconds.toFixed(2).padStart(7)} s  review (1,000 items) ${reviewSeconds.toFixed(2).padStart(6)} s  approve ${approveSeconds.toFixed(2).padStart(7)} s${size === 1000 && engine === 'server' ? '  (targets: <= 5 s each)' : ''}`);
}

async function measure(db: Database, engine: string, size: number): Promise<void> {
  const people = await principals(db);
  const { hazards } = generateBenchData({ provinces: loadProvinceOutlines(), hazardCount: size, seed: 11 });
  // HALO's officer submits HALO's own work.
  for (const feature of hazards.features) (feature.properties as { operator?: string }).operator = 'HALO';
  const text = JSON.stringify(hazards);
  await submitAndApprove(db, people, engine, size, 'new', text);
  await submitAndApprove(db, people, engine, size, 'update', text);
}

async function main(): Promise<void> {
  const server = engines.includes('server') ? await startPostgresServer() : null;
  try {
    if (server) await createTemplateDatabase(server);
    for (const size of sizes) {
      if (server) {
        const admin = await openServer(server.url('postgres'), { maxConnections: 1 });
        await admin.query(`create database bench_${size} template clearway_template`);
        await admin.close();
        const db = await openServer(server.url(`bench_${size}`));
        await measure(db, 'server', size);
        await db.close();
      }
      if (engines.includes('embedded')) {
        const { db } = await openClearway({ dataDir: path.join(work, `embedded-${size}`) });
        await measure(db, 'embedded', size);
        await db.close();
      }
    }
  } finally {
    server?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `submissions-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine: { cores: os.cpus().length }, rows }, null, 2)}\n`);
  console.log(`saved ${path.relative(root, file)}`);
}

await main();
