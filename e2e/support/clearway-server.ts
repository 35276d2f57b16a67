// Starts the real Clearway server for browser tests: a fresh data folder, the small fixtures imported through the
// CLI exactly as an officer would, then `clearway serve` on a free port.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/support/free-port.ts';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

const cli = join('bin', 'clearway.mjs');

export interface ClearwayServer {
  baseUrl: string;
  dataDir: string | null;
  /** Everything the server printed so far: attach it to a failure to see what the server saw. */
  output(): string;
  stop(): Promise<void>;
}

export interface Account {
  username: string;
  role: string;
  organisation: string;
  password: string;
}

export interface StartOptions {
  hazards?: string;
  releases?: string;
  /** Accounts to add through `clearway users add`, as an administrator would. */
  accounts?: Account[];
  /** How long to wait for /api/health after `serve` starts. */
  readyTimeoutMs?: number;
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { cwd: repositoryRoot, timeout: 240_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`clearway ${args.join(' ')} failed: ${error.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
        } else {
          resolve();
        }
      },
    );
  });
}

function keepTail(chunks: string[], chunk: string, limit = 200): void {
  chunks.push(chunk);
  if (chunks.length > limit) chunks.splice(0, chunks.length - limit);
}

async function waitForHealth(baseUrl: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`clearway serve exited (${child.exitCode ?? child.signalCode}) before it was ready\n${output()}`);
    }
    try {
      const response = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      lastProblem = `GET /api/health answered ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`clearway serve was not ready after ${timeoutMs} ms (${lastProblem})\n${output()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The server under test. CLEARWAY_E2E_BASE_URL points the tests at a server that is already running
 * (say, one a developer started by hand); otherwise a fresh one is started with the small fixtures.
 */
export async function startClearwayServer(options: StartOptions = {}): Promise<ClearwayServer> {
  const existing = process.env['CLEARWAY_E2E_BASE_URL'];
  if (existing) {
    return { baseUrl: existing.replace(/\/+$/, ''), dataDir: null, output: () => '', stop: async () => {} };
  }

  const hazards = options.hazards ?? join('test', 'fixtures', 'hazards-small.geojson');
  const releases = options.releases ?? join('test', 'fixtures', 'releases-small.geojson');
  const dataDir = await mkdtemp(join(tmpdir(), 'clearway-e2e-'));
  try {
    await runCli(['import', 'hazards', hazards, '--data-dir', dataDir]);
    await runCli(['import', 'releases', releases, '--data-dir', dataDir]);
    for (const account of options.accounts ?? []) {
      // The password goes through the environment, never the command line, as the CLI asks.
      const args = ['users', 'add', account.username, '--role', account.role, '--org', account.organisation, '--data-dir', dataDir];
      await runCli(args, { CLEARWAY_PASSWORD: account.password });
    }
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const printed: string[] = [];
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--data-dir', dataDir], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => keepTail(printed, chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => keepTail(printed, chunk));
  const output = () => printed.join('');

  const stop = async () => {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(baseUrl, child, options.readyTimeoutMs ?? 180_000, output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, dataDir, output, stop };
}
