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
});
