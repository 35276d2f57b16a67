// Heavy work never blocks the server: while a 100 MB upload is read and checked (an import, a submission),
// GET /api/health answers within 1 s every time it is polled, on the engine under test. Every byte of the
// file goes through what runs in JavaScript (decoding, the depth and NUL scans, JSON parsing, the records
// handed back, the file and the items stored); to keep the test to seconds, most of the bytes are long
// survey notes rather than polygons, so the database's own work (off the server's thread anyway) is that of
// 2,000 hazards. The 100 MB of polygons (37,000 hazards) is bench/health-during-import.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import { openClearway } from '../../src/app/open.ts';
import { loadProvinceOutlines } from '../../src/app/demo-data.ts';
import { generateBenchData } from '../../src/demo/generate-demo-data.ts';
import { createEmptyServerDatabase, engineUnderTest } from '../support/test-database.ts';
import { freePort } from '../support/free-port.ts';
import { fixturesDir } from '../support/fixtures.ts';

const root = path.resolve(fixturesDir, '../..');
const HAZARDS = 2_000;
const FILE_BYTES = 100_000_000;
let workDir: string;
let env: NodeJS.ProcessEnv;
let server: { child: ChildProcess; url: string };
const tokens: Record<string, string> = {};
let hazardsFile: string;

async function startServe(extra: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/clearway.mjs', 'serve', '--port', String(port)], { cwd: root, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serve exited: ${output}`);
    if (/Clearway is running at/.test(output)) return { child, url: `http://127.0.0.1:${port}` };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`serve did not start: ${output}`);
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-responsive-'));
  const { DATABASE_URL: _unused, ...rest } = process.env;
  env = engineUnderTest() === 'server' ? { ...rest, DATABASE_URL: await createEmptyServerDatabase() } : { ...rest, CLEARWAY_DATA_DIR: path.join(workDir, 'data') };
  const { db } = await openClearway({ databaseUrl: env.DATABASE_URL, dataDir: path.join(workDir, 'data') });
  try {
    await addUser(db, { username: 'cmaa.officer', role: 'authority_data_officer', organisation: 'CMAA', password: 'a-long-password' }, 'test');
    await addUser(db, { username: 'halo.officer', role: 'operator_data_officer', organisation: 'HALO', password: 'a-long-password' }, 'test');
    tokens.authority = (await createApiToken(db, 'cmaa.officer', 'responsiveness test', 'test')).token;
    tokens.operator = (await createApiToken(db, 'halo.officer', 'responsiveness test', 'test')).token;
  } finally {
    await db.close();
  }
  const { hazards } = generateBenchData({ provinces: loadProvinceOutlines(), hazardCount: HAZARDS, seed: 11 });
  // HALO's officer may submit HALO's own work only. Each hazard carries the longest notes allowed and a
  // survey report the exchange format does not read (kept with the submission's items), up to 100 MB in all.
  const notes = 'Surveyed with the village chief; '.repeat(400).slice(0, 10_000);
  for (const feature of hazards.features) Object.assign(feature.properties!, { operator: 'HALO', notes });
  const padding = Math.ceil((FILE_BYTES - JSON.stringify(hazards).length) / HAZARDS) - 19;
  const report = 'Technical survey: no further evidence of mines beyond the marked area. '.repeat(Math.ceil(padding / 70)).slice(0, padding);
  for (const feature of hazards.features) Object.assign(feature.properties!, { survey_report: report });
  hazardsFile = path.join(workDir, 'hazards.geojson');
  fs.writeFileSync(hazardsFile, JSON.stringify(hazards));
  // Operators may send 20 MB by default: this server lets them send the 100 MB an authority officer may.
  server = await startServe({ CLEARWAY_MAX_UPLOAD_MB_OPERATOR: '100' });
});
afterAll(async () => {
  if (server && server.child.exitCode === null) {
    await new Promise<void>((resolve) => {
      server.child.once('exit', () => resolve());
      server.child.kill('SIGINT');
    });
  }
  fs.rmSync(workDir, { recursive: true, force: true });
});

/** Polls GET /api/health every 100 ms until `work` settles; returns each answer's time in ms. */
async function healthWhile<T>(work: Promise<T>): Promise<{ result: T; latencies: number[]; slow: string[] }> {
  let done = false;
  const finished = work.finally(() => (done = true));
  const latencies: number[] = [];
  // Polls over 300 ms and when they were sent, for the failure message: what was the server doing then?
  const slow: string[] = [];
  const began = performance.now();
  while (!done) {
    const started = performance.now();
    const response = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(30_000) });
    expect(response.status).toBe(200);
    await response.json();
    latencies.push(performance.now() - started);
    if (latencies.at(-1)! > 300) slow.push(`${Math.round(latencies.at(-1)!)} ms at ${((started - began) / 1000).toFixed(1)} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { result: await finished, latencies, slow };
}

/**
 * The target (issue 8, point 9): 95 polls in 100 answer within 1 s, and none waits 2 s (a thread held by
 * one long step would). The bound is p95, not every poll: on a machine shared with other work the
 * operating system alone can hold a poll back now and then.
 */
function expectResponsive({ latencies, slow }: { latencies: number[]; slow: string[] }): void {
  const sorted = [...latencies].sort((a, b) => a - b);
  const p95 = sorted[Math.ceil(sorted.length * 0.95) - 1]!;
  const figures = `${sorted.length} polls, p95 ${Math.round(p95)} ms, max ${Math.round(sorted.at(-1)!)} ms; slow: ${slow.join(', ') || 'none'}`;
  // The work lasted several seconds (many polls).
  expect(sorted.length, figures).toBeGreaterThanOrEqual(15);
  expect(p95, figures).toBeLessThanOrEqual(1_000);
  expect(sorted.at(-1), figures).toBeLessThanOrEqual(2_000);
}

const upload = (pathAndQuery: string, token: string) =>
  fetch(`${server.url}${pathAndQuery}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/geo+json' },
    body: fs.readFileSync(hazardsFile),
  });

describe('GET /api/health during heavy work', () => {
  it(`answers within 1 s (p95) while an import of ${HAZARDS} hazards (100 MB) is read and checked`, async () => {
    expect(fs.statSync(hazardsFile).size).toBeGreaterThanOrEqual(FILE_BYTES);
    const { result, ...polls } = await healthWhile(upload('/api/imports/hazards', tokens.authority!).then(async (r) => ({ status: r.status, body: (await r.json()) as { stored: boolean; accepted: number } })));
    // Checked whole and kept as a submission for another person to approve (issue 8, point 5).
    expect(result.status).toBe(202);
    expect(result.body).toMatchObject({ stored: false, accepted: HAZARDS, submission_id: expect.any(Number) });
    expectResponsive(polls);
  });

  it('answers within 1 s (p95) while a submission of the same size is validated', async () => {
    // Validation runs every item through the import's checks and writes, in a transaction it rolls back.
    const { result, ...polls } = await healthWhile(upload('/api/submissions?kind=hazards', tokens.operator!).then(async (r) => ({ status: r.status, body: (await r.json()) as { id?: number } })));
    expect(result.status).toBe(201);
    expect(result.body.id).toBeGreaterThan(0);
    expectResponsive(polls);
  });
});
