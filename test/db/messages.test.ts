// Messages in the user's language: the API answers problems in the language of Accept-Language, the CLI in
// the one of --lang (or CLEARWAY_LANG), on the engine under test.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import { openEmbedded, type Database } from '../../src/db/engine.ts';
import { PROBLEM_CODES } from '../../src/domain/problems.ts';
import { createTestDatabase, engineUnderTest } from '../support/test-database.ts';
import { circle, collection, fixturesDir, hazardFeature } from '../support/fixtures.ts';

const KHMER = /[\u1780-\u17FF]/;
let db: Database;
let url: string | null;
let app: FastifyInstance;
let token: string;
let workDir: string;

beforeAll(async () => {
  ({ db, url } = await createTestDatabase());
  await addUser(db, { username: 'halo.viewer', role: 'operator_viewer', organisation: 'HALO', password: 'a-long-password' }, 'test');
  token = (await createApiToken(db, 'halo.viewer', 'test', 'test')).token;
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 1024 * 1024 });
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-messages-'));
});
afterAll(async () => {
  await app?.close();
  await db?.close();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('problems over HTTP', () => {
  it('have a Khmer title when Accept-Language asks for Khmer, and an English one otherwise', async () => {
    const ask = (language?: string) => app.inject({ method: 'GET', url: '/api/hazards/NOPE-1', headers: language ? { 'accept-language': language } : {} });
    const km = await ask('km-KH,km;q=0.9,en;q=0.5');
    expect(km.statusCode).toBe(404);
    expect(km.json()).toMatchObject({ code: 'not-found', title: PROBLEM_CODES['not-found'].km });
    expect((km.json() as { title: string }).title).toMatch(KHMER);
    expect(km.headers['content-language']).toBe('km');
    expect((await ask()).json()).toMatchObject({ title: 'Not found' });
    expect((await ask('en;q=0.9, km;q=0.4')).json()).toMatchObject({ title: 'Not found' });
    expect((await ask('fr')).json()).toMatchObject({ title: 'Not found' });
  });

  it('keep the one status of their code whatever the language', async () => {
    const forbidden = await app.inject({
      method: 'POST', url: '/api/imports/hazards', payload: collection([hazardFeature({ ref: 'MSG-1' }, circle(103.6, 13.2, 200))]),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/geo+json', 'accept-language': 'km' },
    });
    expect(forbidden.statusCode).toBe(PROBLEM_CODES['auth.forbidden'].status);
    expect(forbidden.json()).toMatchObject({ status: 403, code: 'auth.forbidden', title: PROBLEM_CODES['auth.forbidden'].km });
  });
});

function clearway(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = path.resolve(fixturesDir, '../..');
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['bin/clearway.mjs', ...args], { cwd: root, env, timeout: 240_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

describe('problems on the command line', () => {
  it('are printed in Khmer with --lang km or CLEARWAY_LANG=km, codes and field names kept as they are', async () => {
    const { DATABASE_URL: _unused, ...rest } = process.env;
    // The CLI opens its own store: the server engine's test database, or a data folder restored from the
    // embedded template (a new folder would cost half a minute of migrations and reference data).
    let env: NodeJS.ProcessEnv = { ...rest, DATABASE_URL: url ?? '' };
    if (engineUnderTest() === 'embedded') {
      const dataDir = path.join(workDir, 'data');
      const restored = await openEmbedded({ dataDir, loadDataDir: new Blob([fs.readFileSync(inject('templateTarball'))]) });
      await restored.close();
      env = { ...rest, CLEARWAY_DATA_DIR: dataDir };
    }
    const file = path.join(workDir, 'bad.geojson');
    fs.writeFileSync(file, collection([hazardFeature({ ref: 'MSG-2', type: 'XHA' }, circle(103.6, 13.2, 200))]));
    const km = await clearway(env, '--lang', 'km', 'import', 'hazards', file, '--dry-run');
    expect(km.code).toBe(1);
    expect(km.stdout).toContain(`កំហុស [type.unknown] ធាតុ 0, ref MSG-2 វាល type: ${PROBLEM_CODES['type.unknown'].km}`);
    const missing = await clearway({ ...env, CLEARWAY_LANG: 'km' }, 'import', 'hazards', path.join(workDir, 'missing.geojson'));
    expect(missing.stderr).toContain(`កំហុស [file.malformed]: ${PROBLEM_CODES['file.malformed'].km}`);
    const en = await clearway(env, 'import', 'hazards', path.join(workDir, 'missing.geojson'));
    expect(en.stderr).toContain('error [file.malformed]: No file at');
    expect(en.stderr).not.toMatch(KHMER);
    // The command line's own errors, raised before any option is parsed, too.
    const usage = await clearway(env, '--lang', 'km', 'import', 'hazards', file, '--bogus');
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain("កំហុស: ជម្រើសមិនស្គាល់ (unknown option '--bogus')");
    const usageEn = await clearway(env, 'import', 'hazards');
    expect(usageEn.stderr).toContain("error: missing required argument 'file'");
    expect(usageEn.stderr).not.toMatch(KHMER);
  });
});
