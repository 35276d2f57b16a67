// The audit log keeps who did what whatever is sent to the database: raw SQL cannot change, remove or empty it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/engine.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { count, importFixture } from '../support/fixtures.ts';

let db: Database;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  expect((await importFixture(db, 'hazards', 'hazards-small.geojson')).stored).toBe(true);
});
afterAll(async () => db?.close());

describe('the audit log', () => {
  it('refuses an update, a delete and a truncate, and keeps every event', async () => {
    const before = await count(db, 'audit_event');
    expect(before).toBeGreaterThan(0);
    await expect(db.query(`update audit_event set actor = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(db.query('delete from audit_event')).rejects.toThrow(/append-only/);
    await expect(db.query('truncate audit_event')).rejects.toThrow(/append-only/);
    expect(await count(db, 'audit_event')).toBe(before);
    expect(await count(db, `audit_event where actor = 'someone else'`)).toBe(0);
  });
});
