// Killing the server (SIGKILL) in the middle of an approval leaves either the old record or the new one,
// never a mix, on the engine under test.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbedded, openServer, type Database } from '../../src/db/engine.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import { openClearway } from '../../src/app/open.ts';
import { generateBenchData } from '../../src/demo/generate-demo-data.ts';
import { loadProvinceOutlines } from '../../src/app/demo-data.ts';
import { createEmptyServerDatabase, engineUnderTest } from '../support/test-database.ts';
import { freePort } from '../support/postgres-server.ts';
import { fixturesDir } from '../support/fixtures.ts';

const root = path.resolve(fixturesDir, '../..');
let workDir: string;
let env: NodeJS.ProcessEnv;
const tokens: Record<string, string> = {};

async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const db = engineUnderTest() === 'server' ? await openServer(env.DATABASE_URL!) : await openEmbedded({ dataDir: env.CLEARWAY_DATA_DIR! });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/clearway.mjs', 'serve', '--port', String(port)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${output}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { child, url };
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the server did not start: ${output}`);
}

const killed = (child: ChildProcess) => new Promise<void>((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) return resolve();
  child.once('exit', () => resolve());
  child.kill('SIGKILL');
});

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-crash-'));
  const { DATABASE_URL: _unused, ...rest } = process.env;
  env = engineUnderTest() === 'server'
    ? { ...rest, DATABASE_URL: await createEmptyServerDatabase() }
    : { ...rest, CLEARWAY_DATA_DIR: path.join(workDir, 'data') };
  // The schema and reference data, two accounts and their tokens, made before any server runs.
  const { db } = await openClearway({ databaseUrl: env.DATABASE_URL, dataDir: env.CLEARWAY_DATA_DIR ?? path.join(workDir, 'unused') });
  try {
    await addUser(db, { username: 'halo.officer', role: 'operator_data_officer', organisation: 'HALO', password: 'a-long-password' }, 'test');
    await addUser(db, { username: 'cmaa.reviewer', role: 'authority_reviewer', organisation: 'CMAA', password: 'a-long-password' }, 'test');
    tokens.officer = (await createApiToken(db, 'halo.officer', 'crash test', 'test')).token;
    tokens.reviewer = (await createApiToken(db, 'cmaa.reviewer', 'crash test', 'test')).token;
  } finally {
    await db.close();
  }
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('a server killed during an approval', () => {
  it('leaves the whole submission applied or none of it, and starts again', async () => {
    const { hazards } = generateBenchData({ provinces: loadProvinceOutlines(), hazardCount: 6_000, seed: 7 });
    // HALO's officer submits HALO's own work.
    for (const feature of hazards.features) (feature.properties as { operator?: string }).operator = 'HALO';
    const refs = hazards.features.map((f) => f.properties.ref);
    let server = await startServer();
    const headers = (who: 'officer' | 'reviewer', type?: string) => ({ authorization: `Bearer ${tokens[who]}`, ...(type ? { 'content-type': type } : {}) });
    const created = await fetch(`${server.url}/api/submissions?kind=hazards`, { method: 'POST', headers: headers('officer', 'application/geo+json'), body: JSON.stringify(hazards) });
    const { id } = (await created.json()) as { id: number };
    expect((await fetch(`${server.url}/api/submissions/${id}/submit`, { method: 'POST', headers: headers('officer') })).status).toBe(200);

    // Kill while the approval is under way: its answer must never arrive.
    const approval = fetch(`${server.url}/api/submissions/${id}/approve`, { method: 'POST', headers: headers('reviewer') }).then(
      (response) => `answered ${response.status}`,
      () => 'cut off',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await killed(server.child);
    expect(await approval).toBe('cut off');

    // The store opens again, and holds all of the submission or none of it, with a state that agrees.
    const after = await withDatabase(async (db) => {
      const stored = await db.query<{ n: number }>('select count(*)::int as n from hazard where ref = any($1::text[])', [refs]);
      const versions = await db.query<{ n: number }>('select count(*)::int as n from hazard_version where ref = any($1::text[])', [refs]);
      const state = await db.query<{ state: string }>('select state from submission where id = $1', [id]);
      return { stored: stored.rows[0]!.n, versions: versions.rows[0]!.n, state: state.rows[0]!.state };
    });
    expect([0, refs.length]).toContain(after.stored);
    expect(after.versions).toBe(after.stored);
    expect(after.state).toBe(after.stored === 0 ? 'submitted' : 'approved');

    // And the approval can be made again on the restarted server when it was cut off.
    server = await startServer();
    try {
      if (after.state === 'submitted') {
        const again = await fetch(`${server.url}/api/submissions/${id}/approve`, { method: 'POST', headers: headers('reviewer') });
        expect(again.status).toBe(200);
      }
      const health = await fetch(`${server.url}/api/hazards?limit=1`);
      expect(((await health.json()) as { total: number }).total).toBe(refs.length);
    } finally {
      await killed(server.child);
    }
  });
});
