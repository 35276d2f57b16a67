// The README's first command as a newcomer meets it: `clearway start` on a new store creates the database,
// loads the reference and demo data and prints the URL; a second start reuses the data and answers quickly.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyServerDatabase, engineUnderTest } from '../support/test-database.ts';
import { freePort } from '../support/free-port.ts';
import { fixturesDir } from '../support/fixtures.ts';

const root = path.resolve(fixturesDir, '../..');
let workDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-start-'));
  const { DATABASE_URL: _unused, ...rest } = process.env;
  env = engineUnderTest() === 'server'
    ? { ...rest, DATABASE_URL: await createEmptyServerDatabase() }
    : { ...rest, CLEARWAY_DATA_DIR: path.join(workDir, 'data') };
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** Starts `clearway start` and resolves with what it printed once it says where it runs. */
/** The started server; `output` is everything it has printed so far, read again at each use. */
async function start(port: number): Promise<{ child: ChildProcess; readonly output: string; readySeconds: number }> {
  const child = spawn(process.execPath, ['bin/clearway.mjs', 'start'], { cwd: root, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${output}`)), 240_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /Clearway is running at (\S+) .*ready in ([\d.]+) s/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, get output() { return output; }, readySeconds: Number(ready[2]) });
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`start exited with ${code}:\n${output}`)));
  });
}

const stop = (child: ChildProcess) => new Promise<void>((resolve) => {
  child.removeAllListeners('exit');
  child.once('exit', () => resolve());
  child.kill('SIGINT');
});

describe('clearway start', () => {
  it('creates the store with reference and demo data, prints the URL, and starts again on the same data', async () => {
    const port = await freePort();
    const first = await start(port);
    try {
      expect(first.output).toContain(`Clearway is running at http://127.0.0.1:${port}/`);
      expect(first.output).toContain('Demo data: 3000 hazards');
      expect(first.output).toContain('all with the password "demo-password"');
      const hazards = (await (await fetch(`http://127.0.0.1:${port}/api/hazards?limit=1`)).json()) as { total: number };
      expect(hazards.total).toBe(3000);
      // Passwords are never logged: a demo account signs in, a wrong guess is refused, and neither password
      // appears in what the server prints (the banner names the demo password once, on purpose).
      const signIn = (password: string) => fetch(`http://127.0.0.1:${port}/api/session`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'cmaa.officer', password }),
      });
      expect((await signIn('demo-password')).status).toBe(200);
      expect((await signIn('wrong-guess-31415')).status).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(first.output).not.toContain('wrong-guess-31415');
      expect(first.output.split('demo-password')).toHaveLength(2);
    } finally {
      await stop(first.child);
    }
    const second = await start(port);
    try {
      expect(second.output).not.toContain('Loading the demo data');
      expect(second.readySeconds).toBeLessThanOrEqual(15);
      const hazards = (await (await fetch(`http://127.0.0.1:${port}/api/hazards?limit=1`)).json()) as { total: number };
      expect(hazards.total).toBe(3000);
    } finally {
      await stop(second.child);
    }
  });

  it('refuses `demo` on a store that already holds hazards', async () => {
    const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, ['bin/clearway.mjs', 'demo'], { cwd: root, env, timeout: 120_000 }, (error, _stdout, stderr) => resolve({ code: error ? 1 : 0, stderr }));
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('already holds hazards');
  });
});
