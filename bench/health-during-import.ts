// Benchmark: how GET /api/health answers while `clearway serve` imports a 100 MB GeoJSON file of hazards
// through the API, on both engines. Health is polled every 100 ms from the moment the upload starts until
// the import answers; each poll's time is measured from its own start (a blocked server shows as long polls).
//
//   node --max-old-space-size=8000 --import tsx bench/health-during-import.ts [--mb 100] [--engines server,embedded]
//
// Prints a table and writes bench/results/health-during-import-<date and time>.json. Not a test: figures, not verdicts.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { addUser, createApiToken } from '../src/app/accounts.ts';
import { loadProvinceOutlines } from '../src/app/demo-data.ts';
import { openClearway } from '../src/app/open.ts';
import { generateBenchData } from '../src/demo/generate-demo-data.ts';
import { MAX_ITEMS_PER_SUBMISSION } from '../src/domain/limits.ts';
import { openServer } from '../src/db/engine.ts';
import { freePort } from '../test/support/free-port.ts';
import { createTemplateDatabase, startPostgresServer, type PostgresServer } from '../test/support/postgres-server.ts';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '100' },
    engines: { type: 'string', default: 'server,embedded' },
  },
});
const targetBytes = Number(values.mb) * 1_000_000;
const engines = values.engines.split(',') as ('server' | 'embedded')[];
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-bench-health-'));

/**
 * A hazards file of about the target size. Its polygons have 150 to 400 vertices, so that 100 MB holds fewer
 * hazards than a submission takes (MAX_ITEMS_PER_SUBMISSION): the import is checked to its end and kept,
 * not refused for its size after it is read.
 */
function generateFile(): { file: string; hazards: number; bytes: number } {
  const provinces = loadProvinceOutlines();
  const shape = { minVertices: 150, maxVertices: 400, seed: 5 };
  const sample = JSON.stringify(generateBenchData({ provinces, hazardCount: 1_000, ...shape }).hazards).length / 1_000;
  const hazards = Math.floor((targetBytes * 0.98) / sample);
  if (hazards > MAX_ITEMS_PER_SUBMISSION) throw new Error(`${hazards} hazards: more than a submission takes (${MAX_ITEMS_PER_SUBMISSION}); use larger polygons`);
  const text = JSON.stringify(generateBenchData({ provinces, hazardCount: hazards, ...shape }).hazards);
  const file = path.join(work, 'hazards.geojson');
  fs.writeFileSync(file, text);
  return { file, hazards, bytes: Buffer.byteLength(text) };
}

async function startServe(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/clearway.mjs', 'serve', '--port', String(port)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serve exited: ${output}`);
    if (/Clearway is running at/.test(output)) return { child, url: `http://127.0.0.1:${port}` };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`serve did not start: ${output}`);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

interface Row {
  engine: string;
  megabytes: number;
  hazards: number;
  importSeconds: number;
  submitted: boolean;
  polls: number;
  healthP50Ms: number;
  healthP95Ms: number;
  healthMaxMs: number;
  pollsOver1s: number;
}

async function run(engine: 'server' | 'embedded', input: { file: string; hazards: number; bytes: number }, postgres: PostgresServer | null): Promise<Row> {
  const { DATABASE_URL: _unused, ...rest } = process.env;
  let env: NodeJS.ProcessEnv;
  if (engine === 'server') {
    const admin = await openServer(postgres!.url('postgres'), { maxConnections: 1 });
    await admin.query('create database bench_health template clearway_template');
    await admin.close();
    env = { ...rest, DATABASE_URL: postgres!.url('bench_health') };
  } else {
    env = { ...rest, CLEARWAY_DATA_DIR: path.join(work, 'data') };
  }
  env.CLEARWAY_MAX_UPLOAD_MB = String(Math.ceil(input.bytes / 1_048_576) + 10);
  const { db } = await openClearway({ databaseUrl: env.DATABASE_URL, dataDir: path.join(work, 'data') });
  let token: string;
  try {
    await addUser(db, { username: 'bench.officer', role: 'authority_data_officer', organisation: 'CMAA', password: 'a-long-password' }, 'bench');
    token = (await createApiToken(db, 'bench.officer', 'bench', 'bench')).token;
  } finally {
    await db.close();
  }
  const server = await startServe(env);
  try {
    const latencies: number[] = [];
    const polls: Promise<void>[] = [];
    const poll = () => {
      const started = performance.now();
      polls.push(fetch(`${server.url}/api/health`).then(async (response) => {
        await response.arrayBuffer();
        latencies.push(performance.now() - started);
      }));
    };
    const body = fs.readFileSync(input.file);
    const timer = setInterval(poll, 100);
    const started = performance.now();
    const response = await fetch(`${server.url}/api/imports/hazards`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/geo+json' }, body });
    // An API import is checked and kept as a submission for another person to approve (issue 8, point 5).
    const report = (await response.json()) as { stored?: boolean; submission_id?: number; accepted?: number; errors?: unknown[] };
    const importSeconds = (performance.now() - started) / 1000;
    clearInterval(timer);
    await Promise.all(polls);
    if (report.submission_id === undefined) console.error(`${engine}: import not kept as a submission: ${JSON.stringify(report).slice(0, 500)}`);
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      engine,
      megabytes: Number((input.bytes / 1_000_000).toFixed(1)),
      hazards: input.hazards,
      importSeconds: Number(importSeconds.toFixed(1)),
      submitted: report.submission_id !== undefined,
      polls: sorted.length,
      healthP50Ms: Math.round(percentile(sorted, 50)),
      healthP95Ms: Math.round(percentile(sorted, 95)),
      healthMaxMs: Math.round(sorted.at(-1) ?? NaN),
      pollsOver1s: sorted.filter((ms) => ms > 1_000).length,
    };
  } finally {
    await new Promise<void>((resolve) => {
      server.child.once('exit', () => resolve());
      server.child.kill('SIGINT');
    });
  }
}

async function main(): Promise<void> {
  const input = generateFile();
  console.log(`file: ${(input.bytes / 1_000_000).toFixed(1)} MB, ${input.hazards} hazards; machine: ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}`);
  let postgres: PostgresServer | null = null;
  const rows: Row[] = [];
  try {
    if (engines.includes('server')) {
      postgres = await startPostgresServer();
      await createTemplateDatabase(postgres);
    }
    console.log('engine     MB  hazards  import s  submitted  polls  p50 ms  p95 ms  max ms  >1 s');
    for (const engine of engines) {
      const row = await run(engine, input, postgres);
      rows.push(row);
      console.log(`${row.engine.padEnd(9)} ${String(row.megabytes).padStart(5)} ${String(row.hazards).padStart(8)} ${row.importSeconds.toFixed(1).padStart(9)} ${String(row.submitted).padStart(10)} ${String(row.polls).padStart(6)} ${String(row.healthP50Ms).padStart(7)} ${String(row.healthP95Ms).padStart(7)} ${String(row.healthMaxMs).padStart(7)} ${String(row.pollsOver1s).padStart(5)}`);
    }
  } finally {
    postgres?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const resultsDir = path.join(root, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `health-during-import-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), loadAverage: os.loadavg()[0] }, rows }, null, 2)}\n`);
  console.log(`results: ${path.relative(root, file)}`);
}

await main();
