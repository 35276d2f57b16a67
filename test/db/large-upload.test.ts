// A large upload (2 MB or more) is decoded and scanned off the server's thread (docs/decisions/0018), on the
// engine under test: what it says is read exactly as a small upload's, and what a small upload is refused
// for is refused the same way, naming the line or the record and field.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import { READ_IN_PLACE_BYTES } from '../../src/app/read-off-thread.ts';
import type { Database } from '../../src/db/engine.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { circle, collection, count, hazardFeature } from '../support/fixtures.ts';

let db: Database;
let app: FastifyInstance;
let token: string;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  await addUser(db, { username: 'cmaa.officer', role: 'authority_data_officer', organisation: 'CMAA', password: 'a-long-password' }, 'test');
  token = (await createApiToken(db, 'cmaa.officer', 'test', 'test')).token;
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 8 * 1024 * 1024 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

/** One hazard whose survey report (a property the exchange format does not read) makes the file 3 MB. */
function largeFile(ref: string, notes: string): string {
  const report = 'Technical survey: no further evidence beyond the marked area. '.repeat(50_000);
  const text = collection([hazardFeature({ ref, notes, survey_report: report }, circle(103.8, 13.4, 300))]);
  expect(text.length).toBeGreaterThan(READ_IN_PLACE_BYTES);
  return text;
}

const importFile = (payload: Buffer, contentType: string) =>
  app.inject({ method: 'POST', url: '/api/imports/hazards', payload, headers: { authorization: `Bearer ${token}`, 'content-type': contentType } });

describe('a large upload', () => {
  it('is read by its declared charset', async () => {
    // A Western Windows export: é is the byte 0xE9.
    const response = await importFile(Buffer.from(largeFile('BIG-1', 'caf\u00E9 r\u00E9sum\u00E9'), 'latin1'), 'application/geo+json; charset=windows-1252');
    // The API import is kept as a submission for another person to approve (issue 8, point 5): its item holds the text.
    expect(response.statusCode, response.body).toBe(202);
    const { submission_id: id } = response.json() as { submission_id: number };
    expect((await db.query(`select properties ->> 'notes' as notes from submission_item where submission_id = $1 and ref = 'BIG-1'`, [id])).rows).toEqual([{ notes: 'caf\u00E9 r\u00E9sum\u00E9' }]);
  });

  it('is refused, naming the line, when it is not UTF-8 and says nothing else', async () => {
    const response = await importFile(Buffer.from(largeFile('BIG-2', 'caf\u00E9'), 'latin1'), 'application/geo+json');
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'file.encoding', line: 1 });
    expect(await count(db, `hazard where ref = 'BIG-2'`)).toBe(0);
  });

  it('is refused, naming the record and field, when it holds text PostgreSQL cannot store', async () => {
    const response = await importFile(Buffer.from(largeFile('BIG-3', 'before\u0000after')), 'application/geo+json');
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'text.unstorable', feature: 0, field: 'notes' });
    expect(await count(db, `hazard where ref = 'BIG-3'`)).toBe(0);
  });
});
