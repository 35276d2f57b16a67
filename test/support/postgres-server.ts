// A real, throwaway PostgreSQL + PostGIS server for the server engine's tests: initdb into a temporary
// folder, started on 127.0.0.1 and a free port, stopped and removed at the end.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openServer } from '../../src/db/engine.ts';
import { migrate } from '../../src/db/migrate.ts';
import { loadReferenceData } from '../../src/db/reference-data.ts';
import { freePort } from './free-port.ts';

export { freePort };

export interface PostgresServer {
  url(database: string): string;
  stop(): void;
}

function findServerBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => Number(v) >= 15).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) {
    const bin = path.join(root, major, 'bin');
    if (fs.existsSync(path.join(bin, 'initdb')) && fs.existsSync(`/usr/share/postgresql/${major}/extension/postgis.control`)) return bin;
  }
  throw new Error('No PostgreSQL >= 15 server with PostGIS found: run `npm test` (it installs postgresql-15 and postgresql-15-postgis-3 when root) or install them yourself.');
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = findServerBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-pg-'));
  const dataDir = path.join(dir, 'data');
  // PostgreSQL refuses to run as root; when tests run as root, the server runs as the 'postgres' user the
  // Debian package creates.
  const asRoot = process.getuid?.() === 0;
  const runAs = (command: string, args: string[]) => {
    const full = asRoot ? ['-u', 'postgres', '--', command, ...args] : args;
    const program = asRoot ? 'runuser' : command;
    const result = spawnSync(program, full, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
  };
  if (asRoot) execFileSync('chown', ['-R', 'postgres', dir]);
  runAs(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c jit=off -c max_parallel_workers_per_gather=0`;
  runAs(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-o', options, '-l', path.join(dir, 'server.log'), '-w', 'start']);
  return {
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    stop() {
      try {
        runAs(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Creates database `name` on the server with the schema and the reference data, to copy from. */
export async function createTemplateDatabase(server: PostgresServer, name = 'clearway_template'): Promise<void> {
  const admin = await openServer(server.url('postgres'), { maxConnections: 1 });
  await admin.query(`create database ${name}`);
  await admin.close();
  const template = await openServer(server.url(name));
  try {
    await migrate(template);
    await loadReferenceData(template);
  } finally {
    await template.close();
  }
}
