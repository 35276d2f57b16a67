// Each database project runs on the engine it is named after: without this, a setup mistake could run the
// "server" tests on the embedded engine and nobody would notice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/engine.ts';
import { createTestDatabase, engineUnderTest } from '../support/test-database.ts';

let db: Database;
beforeAll(async () => {
  ({ db } = await createTestDatabase());
});
afterAll(async () => {
  await db?.close();
});

describe('the engine under test', () => {
  it('is the one the project names', async () => {
    const named = process.env['CLEARWAY_TEST_ENGINE'];
    expect(named === 'embedded' || named === 'server').toBe(true);
    expect(engineUnderTest()).toBe(named);
    expect(db.engine).toBe(named);
    // A real server answers with its own server version string; PGlite reports itself as compiled for wasm.
    const version = (await db.query<{ v: string }>('select version() as v')).rows[0]!.v;
    if (named === 'server') expect(version).not.toMatch(/wasm|emscripten/i);
    else expect(version).toMatch(/wasm|emscripten/i);
  });

  it('gives imports a check connection that refuses writes, on the server only', async () => {
    if (db.engine === 'embedded') {
      expect(db.readOnlyConnection).toBeUndefined();
      return;
    }
    const checks = (await db.readOnlyConnection!())!;
    try {
      await expect(checks.query(`insert into organisation (code, name, kind) values ('RO', 'Read only', 'other')`)).rejects.toThrow(/read-only transaction/);
      expect((await checks.query<{ n: number }>('select count(*)::int as n from admin_unit')).rows[0]!.n).toBeGreaterThan(0);
    } finally {
      checks.release();
    }
  });
});
