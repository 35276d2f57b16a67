// A first `clearway start` killed while it loads the demo data leaves a store without demo data, never half
// of it, and the next start loads all of it, on the engine under test.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClearway } from '../../src/app/open.ts';
import { DEMO_USERS } from '../../src/app/demo-data.ts';
import { createEmptyServerDatabase, engineUnderTest } from '../support/test-database.ts';
import { freePort } from '../support/free-port.ts';
import { fixturesDir } from '../support/fixtures.ts';

const root = path.resolve(fixturesDir, '../..');
let workDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-interrupted-'));
  const { DATABASE_URL: _unused, ...rest } = process.env;
  env = engineUnderTest() === 'server' ? { ...rest, DATABASE_URL: await createEmptyServerDatabase() } : { ...rest, CLEARWAY_DATA_DIR: path.join(workDir, 'data') };
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** Starts `clearway start`; resolves once its output matches `until`. */
function start(port: number, until: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['bin/clearway.mjs', 'start', '--port', String(port)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`never printed ${until}:\n${output}`)), 240_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (until.test(output)) {
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`start exited with ${code}:\n${output}`)));
  });
}

const ended = (child: ChildProcess, signal: NodeJS.Signals) => new Promise<void>((resolve) => {
  child.removeAllListeners('exit');
  if (child.exitCode !== null || child.signalCode !== null) return resolve();
  child.once('exit', () => resolve());
  child.kill(signal);
});

interface Counts {
  hazards: number;
  hazardFirstVersions: number;
  releases: number;
  demoBatches: number;
  demoUsers: number;
}

async function counts(): Promise<Counts> {
  const { db } = await openClearway({ databaseUrl: env.DATABASE_URL, dataDir: path.join(workDir, 'data') });
  try {
    const n = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params)).rows[0]!.n;
    return {
      hazards: await n('select count(*)::int as n from hazard'),
      hazardFirstVersions: await n('select count(*)::int as n from hazard_version where version = 1'),
      releases: await n('select count(*)::int as n from land_release'),
      demoBatches: await n(`select count(*)::int as n from change_batch where made_by = 'demo'`),
      demoUsers: await n('select count(*)::int as n from app_user where username = any($1::text[])', [DEMO_USERS.map((u) => u.username)]),
    };
  } finally {
    await db.close();
  }
}

describe('a first start killed during the demo load', () => {
  it('leaves no demo data at all, and the next start loads all of it', async () => {
    const port = await freePort();
    const first = await start(port, /Loading the demo data/);
    // Well into the load (the hazards alone take several seconds), then killed without warning.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await ended(first.child, 'SIGKILL');
    expect(first.output()).not.toContain('Demo data:');

    expect(await counts()).toEqual({ hazards: 0, hazardFirstVersions: 0, releases: 0, demoBatches: 0, demoUsers: 0 });

    const second = await start(port, /Clearway is running at/);
    await ended(second.child, 'SIGINT');
    const printed = /Demo data: (\d+) hazards, (\d+) land releases/.exec(second.output());
    expect(printed).not.toBeNull();
    expect(Number(printed![1])).toBe(3000);
    // What an uninterrupted start holds: every hazard once with one first version, every release, the two import
    // batches and the demo accounts; nothing left from the killed attempt.
    expect(await counts()).toEqual({ hazards: 3000, hazardFirstVersions: 3000, releases: Number(printed![2]), demoBatches: 2, demoUsers: DEMO_USERS.length });
  }, 480_000);
});
