// A fresh database for one test file, on the engine of the current test project, holding the schema and
// the reference data: a copy of the template made by global-setup.ts.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { openEmbedded, openServer, type Database } from '../../src/db/engine.ts';

export const engineUnderTest = (): 'embedded' | 'server' => inject('engine');

export interface TestDatabase {
  db: Database;
  /** The server URL of this database (server engine only), for child processes. */
  url: string | null;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (inject('engine') === 'embedded') {
    const tarball = fs.readFileSync(inject('templateTarball'));
    const db = await openEmbedded({ loadDataDir: new Blob([tarball]) });
    return { db, url: null };
  }
  const name = `clearway_test_${randomBytes(6).toString('hex')}`;
  const admin = await openServer(inject('serverUrl'), { maxConnections: 1 });
  await admin.query(`create database ${name} template clearway_template`);
  await admin.close();
  const url = inject('serverUrl').replace(/\/postgres$/, `/${name}`);
  return { db: await openServer(url), url };
}

/** A new, empty database on the test server (server engine only): what a first `clearway` run meets. */
export async function createEmptyServerDatabase(): Promise<string> {
  const name = `clearway_empty_${randomBytes(6).toString('hex')}`;
  const admin = await openServer(inject('serverUrl'), { maxConnections: 1 });
  await admin.query(`create database ${name}`);
  await admin.close();
  return inject('serverUrl').replace(/\/postgres$/, `/${name}`);
}
