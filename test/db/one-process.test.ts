// One process per data folder, as an administrator meets it: while `clearway serve` runs, `users disable`
// and `users token revoke` from the command line take effect in the server at once; on the embedded engine a
// second `serve` on the same folder is refused, naming the first, and other commands work through it; a lock
// left by a killed process is taken over.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import { openClearway } from '../../src/app/open.ts';
import { LOCK_FILE, type DataFolderHolder } from '../../src/db/data-folder-lock.ts';
import { createEmptyServerDatabase, engineUnderTest } from '../support/test-database.ts';
import { freePort } from '../support/free-port.ts';
import { fixturesDir } from '../support/fixtures.ts';

const root = path.resolve(fixturesDir, '../..');
let workDir: string;
let dataDir: string;
let env: NodeJS.ProcessEnv;
const tokens: Record<string, { id: number; token: string }> = {};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function clearway(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['bin/clearway.mjs', ...args], { cwd: root, env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

async function startServe(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/clearway.mjs', 'serve', '--port', String(port)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serve exited: ${output}`);
    if (/Clearway is running at/.test(output)) return { child, url, output: () => output };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`serve did not start: ${output}`);
}

const stopped = (child: ChildProcess, signal: NodeJS.Signals = 'SIGINT') => new Promise<void>((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) return resolve();
  child.once('exit', () => resolve());
  child.kill(signal);
});

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-one-process-'));
  dataDir = path.join(workDir, 'data');
  const { DATABASE_URL: _unused, ...rest } = process.env;
  env = engineUnderTest() === 'server' ? { ...rest, DATABASE_URL: await createEmptyServerDatabase() } : { ...rest, CLEARWAY_DATA_DIR: dataDir };
  const { db } = await openClearway({ databaseUrl: env.DATABASE_URL, dataDir });
  try {
    for (const username of ['halo.officer', 'cmac.officer']) {
      await addUser(db, { username, role: 'operator_data_officer', organisation: username.startsWith('halo') ? 'HALO' : 'CMAC', password: 'a-long-password' }, 'test');
      tokens[username] = await createApiToken(db, username, 'one-process test', 'test');
    }
  } finally {
    await db.close();
  }
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('while `clearway serve` runs', () => {
  it('`users disable` and `users token revoke` from the command line take effect at the very next request', async () => {
    const server = await startServe();
    try {
      const asToken = (username: string) => fetch(`${server.url}/api/session`, { headers: { authorization: `Bearer ${tokens[username]!.token}` } });
      // A browser session of the officer about to be disabled, and the other officer's API token.
      const signIn = await fetch(`${server.url}/api/session`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'halo.officer', password: 'a-long-password' }),
      });
      expect(signIn.status).toBe(200);
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
      const asSession = () => fetch(`${server.url}/api/session`, { headers: { cookie } });
      expect((await asSession()).status).toBe(200);
      expect((await asToken('halo.officer')).status).toBe(200);
      expect((await asToken('cmac.officer')).status).toBe(200);

      const disabled = await clearway('users', 'disable', 'halo.officer');
      expect(disabled.stderr).toBe('');
      expect(disabled.code).toBe(0);
      expect(disabled.stdout).toContain('Disabled halo.officer');
      expect((await asSession()).status).toBe(401);
      expect((await asToken('halo.officer')).status).toBe(401);

      const revoked = await clearway('users', 'token', 'revoke', String(tokens['cmac.officer']!.id));
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain(`Revoked token ${tokens['cmac.officer']!.id}`);
      expect((await asToken('cmac.officer')).status).toBe(401);
      // A token id that is no number is named as such, not handed to the database.
      const notAnId = await clearway('users', 'token', 'revoke', 'no-such-token');
      expect(notAnId.code).not.toBe(0);
      expect(notAnId.stderr).toContain("a token's id is a whole number");
      // And the server still answers: the command shared the store with it, it did not take it away.
      expect((await fetch(`${server.url}/api/hazards?limit=1`)).status).toBe(200);
    } finally {
      await stopped(server.child);
    }
    // The changes were the server's own: still there after it stopped.
    const list = await clearway('users', 'list');
    expect(list.stdout).toMatch(/^halo\.officer\s+.*disabled$/m);
  });
});

// The data folder is the embedded engine's: on a PostgreSQL server, several Clearway processes share the
// database by design, so these run on the embedded project only.
if (engineUnderTest() === 'embedded') {
  describe('one process per data folder (embedded engine)', () => {
    it('refuses a second serve, naming the first process, while other commands work through it', async () => {
      const first = await startServe();
      try {
        const holder = JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as DataFolderHolder;
        expect(holder.pid).toBe(first.child.pid);
        expect(holder.command).toMatch(/^clearway serve --port \d+$/);

        const second = await clearway('serve', '--port', String(await freePort()));
        expect(second.code).not.toBe(0);
        expect(second.stderr).toContain(`in use by process ${first.child.pid} (\`clearway serve --port`);
        expect(second.stderr).toContain(`since ${holder.since}`);
        expect(second.stdout).not.toContain('Clearway is running');

        // A write through the running server: stored, and seen by the server at once.
        const added = await clearway('orgs', 'add', 'LOCKT', 'Lock test operator');
        expect(added.stderr).toBe('');
        expect(added.code).toBe(0);
        const organisations = ((await (await fetch(`${first.url}/api/organisations`)).json()) as { items: { code: string }[] }).items;
        expect(organisations.map((o) => o.code)).toContain('LOCKT');
        // The first server is unharmed by the refused one.
        expect((await fetch(`${first.url}/api/health`)).status).toBe(200);
      } finally {
        await stopped(first.child);
      }
      expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
    });

    it('takes over the lock of a process that was killed, and keeps what it had committed', async () => {
      const killed = await startServe();
      const added = await clearway('orgs', 'add', 'KILLT', 'Added before the kill');
      expect(added.code).toBe(0);
      await stopped(killed.child, 'SIGKILL');
      // The lock of the dead process is still there, naming it.
      expect((JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as DataFolderHolder).pid).toBe(killed.child.pid);
      const list = await clearway('orgs', 'list');
      expect(list.stderr).toBe('');
      expect(list.stdout).toMatch(/^KILLT\s+operator\s+Added before the kill$/m);
      const next = await startServe();
      try {
        expect((JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as DataFolderHolder).pid).toBe(next.child.pid);
      } finally {
        await stopped(next.child);
      }
    });

    it('says a command failed, never that it succeeded, when the server stops under it', async () => {
      const server = await startServe();
      // The command is connected through the server when the server stops: it must fail, not claim success.
      const running = clearway('orgs', 'add', 'LATE', 'Added while the server stops');
      await stopped(server.child);
      const run = await running;
      if (run.code === 0) {
        // It finished before the server stopped: then the account must really be there.
        expect(run.stdout).toContain('Added operator LATE');
        expect((await clearway('orgs', 'list')).stdout).toMatch(/^LATE\s/m);
      } else {
        expect(run.stdout).not.toContain('Added');
        expect((await clearway('orgs', 'list')).stdout).not.toMatch(/^LATE\s/m);
      }
    });
  });
}
