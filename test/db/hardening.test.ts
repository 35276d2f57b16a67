// What bad input and hostile clients meet, on the engine under test: every refusal is a clear 4xx with a
// stable code, nothing is half-written, and the server keeps answering.
import { Readable, Writable } from 'node:stream';
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import type { Database } from '../../src/db/engine.ts';
import type { Role } from '../../src/domain/roles.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { circle, collection, count, hazardFeature } from '../support/fixtures.ts';

let db: Database;
let app: FastifyInstance;
const tokens: Record<string, string> = {};
const PASSWORD = 'a-long-password';
const MB = 1024 * 1024;

const PEOPLE: [string, Role, string][] = [
  ['halo.officer', 'operator_data_officer', 'HALO'],
  ['cmaa.officer', 'authority_data_officer', 'CMAA'],
  ['cmaa.reviewer', 'authority_reviewer', 'CMAA'],
];

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  for (const [username, role, organisation] of PEOPLE) {
    await addUser(db, { username, role, organisation, password: PASSWORD }, 'test');
    tokens[username] = (await createApiToken(db, username, 'test', 'test')).token;
  }
  app = await buildServer(db, { basemapUrl: 'https://tiles.example.org/{z}/{x}/{y}.png', secureCookies: false, maxUploadBytes: 4 * MB, maxOperatorUploadBytes: 2 * MB });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

function call(who: string | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: string | Buffer | Readable, headers: Record<string, string> = {}) {
  return app.inject({ method, url, payload, headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), ...headers } });
}

const json = { 'content-type': 'application/json' };
const geojson = { 'content-type': 'application/geo+json' };
const signIn = (username: string, password: string, remoteAddress: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/session', remoteAddress, payload: JSON.stringify({ username, password }), headers: { ...json, ...headers } });

function multipart(fileName: string, contentType: string, content: Buffer | string): { payload: Buffer; headers: Record<string, string> } {
  const boundary = 'clearwayhardening';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${contentType}\r\n\r\n`),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A one-entry zip of `data` (already deflated) that declares `declaredSize` bytes unpacked, whatever it inflates to. */
function zipOf(name: string, deflated: Buffer, declaredSize: number): Buffer {
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(declaredSize, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(deflated.length, 20);
  central.writeUInt32LE(declaredSize, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(0, 42);
  const centralAt = local.length + nameBytes.length + deflated.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralAt, 16);
  return Buffer.concat([local, nameBytes, deflated, central, nameBytes, end]);
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('limits named in the README', () => {
  it('gives operators a lower upload limit than the authority, refused before the body is read', async () => {
    const body = Buffer.alloc(3 * MB, 0x20);
    const operator = await call('halo.officer', 'POST', '/api/submissions?kind=hazards', body, geojson);
    expect(operator.statusCode).toBe(413);
    expect(operator.json()).toMatchObject({ code: 'file.too-large', limit: 2 * MB, detail: expect.stringContaining('2 MB for a operator_data_officer') });
    const officer = await call('cmaa.officer', 'POST', '/api/imports/hazards?dry_run=true', body, geojson);
    expect(officer.statusCode).toBe(422);
    expect(officer.json()).toMatchObject({ stored: false, errors: [{ code: 'file.truncated' }] });
    // Sent without a length (chunked), the body is counted as it arrives and stopped at the limit.
    const chunked = await call('halo.officer', 'POST', '/api/submissions?kind=hazards', Readable.from([body.subarray(0, MB), body.subarray(MB)]), geojson);
    expect(chunked.statusCode).toBe(413);
    const upload = multipart('big.csv', 'text/csv', body);
    expect((await call('halo.officer', 'POST', '/api/submissions?kind=hazards', upload.payload, upload.headers)).statusCode).toBe(413);
    // A multipart body sent without a length: its file is stopped at the operator's limit as it is read.
    const streamed = await call('halo.officer', 'POST', '/api/submissions?kind=hazards', Readable.from([upload.payload]), upload.headers);
    expect(streamed.statusCode).toBe(413);
    expect(streamed.json()).toMatchObject({ code: 'file.too-large', limit: 2 * MB });
    expect(await count(db, 'submission')).toBe(0);
  });

  it('reads a multipart upload of many socket chunks over real HTTP, and stops one past the limit', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const post = (who: string, file: Buffer, url: string) => {
        const form = new FormData();
        form.append('file', new Blob([file], { type: 'application/geo+json' }), 'padded.geojson');
        return fetch(`${address}${url}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${tokens[who]}` } });
      };
      const padded = Buffer.from(`${' '.repeat(1.5 * MB)}{"type":"FeatureCollection","features":[]}`);
      const read = await post('halo.officer', padded, '/api/imports/hazards?dry_run=true');
      expect(read.status).toBe(403);
      const officer = await post('cmaa.officer', padded, '/api/imports/hazards?dry_run=true');
      expect(officer.status).toBe(422);
      expect(await officer.json()).toMatchObject({ errors: [{ code: 'file.empty' }] });
      const over = await post('halo.officer', Buffer.alloc(3 * MB, 0x20), '/api/submissions?kind=hazards');
      expect(over.status).toBe(413);
    } finally {
      await app.close();
      app = await buildServer(db, { basemapUrl: 'https://tiles.example.org/{z}/{x}/{y}.png', secureCookies: false, maxUploadBytes: 4 * MB, maxOperatorUploadBytes: 2 * MB });
    }
  });

  it('takes a sign-in body of a few kB only', async () => {
    const padded = JSON.stringify({ username: 'cmaa.officer', password: PASSWORD, padding: 'x'.repeat(5000) });
    const response = await app.inject({ method: 'POST', url: '/api/session', payload: padded, headers: json });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'request.too-large', limit: 4096 });
  });

  it('refuses compressed request bodies, which could inflate past every limit', async () => {
    const gzipped = zlib.gzipSync(JSON.stringify({ username: 'cmaa.officer', password: PASSWORD }));
    const response = await app.inject({ method: 'POST', url: '/api/session', payload: gzipped, headers: { ...json, 'content-encoding': 'gzip' } });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'request.encoding' });
    expect(response.cookies).toEqual([]);
  });
});

describe('a workbook is bounded by what it really inflates', () => {
  it('refuses a 1 MB file that declares 1 kB and inflates to 1 GB, without inflating it all', async () => {
    // 1,000 copies of 1 MB of spaces, each deflated on its own and flushed (not final), then a final empty block.
    const piece = zlib.deflateRawSync(Buffer.alloc(MB, 0x20), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const deflated = Buffer.concat([...Array.from({ length: 1000 }, () => piece), Buffer.from([0x03, 0x00])]);
    const bomb = zipOf('xl/worksheets/sheet1.xml', deflated, 1024);
    expect(bomb.length).toBeLessThan(2 * MB);
    const upload = multipart('bomb.xlsx', XLSX, bomb);
    const started = Date.now();
    const response = await call('halo.officer', 'POST', '/api/reports/discrepancy', upload.payload, upload.headers);
    const took = Date.now() - started;
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'file.too-large', detail: expect.stringContaining('unpacks to more than 32 MB') });
    // Inflating the whole gigabyte takes seconds; stopping at 32 MB takes a fraction of one.
    expect(took).toBeLessThan(1500);
    expect((await call(null, 'GET', '/api/health')).statusCode).toBe(200);
  });

  it('counts the rows of a worksheet while inflating it', async () => {
    const sheet = `<worksheet><sheetData>${'<row r="1"><c r="A1"><v>1</v></c></row>'.repeat(100_002)}</sheetData></worksheet>`;
    const zip = zipOf('xl/worksheets/sheet1.xml', zlib.deflateRawSync(Buffer.from(sheet)), sheet.length);
    const upload = multipart('rows.xlsx', XLSX, zip);
    const response = await call('halo.officer', 'POST', '/api/reports/discrepancy', upload.payload, upload.headers);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'file.too-large', detail: expect.stringContaining('more than 100000 rows') });
  });
});

describe('failed sign-ins', () => {
  it('slow the guesser at its address with growing delays, while the real user signs in from another', async () => {
    const first = await signIn('cmaa.reviewer', 'guess-number-one', '203.0.113.9');
    expect(first.statusCode).toBe(401);
    const again = await signIn('cmaa.reviewer', 'guess-number-two', '203.0.113.9');
    expect(again.statusCode).toBe(429);
    expect(again.json()).toMatchObject({ code: 'auth.rate-limited' });
    expect(again.headers['retry-after']).toBe('1');
    // Telling the server another address does not help: X-Forwarded-For is not trusted by default.
    const spoofed = await signIn('cmaa.reviewer', 'guess-number-three', '203.0.113.9', { 'x-forwarded-for': '198.51.100.1' });
    expect(spoofed.statusCode).toBe(429);
    const real = await signIn('cmaa.reviewer', PASSWORD, '192.0.2.20');
    expect(real.statusCode).toBe(200);
  });

  it('count the client behind a configured proxy, by address or by hops, and nobody else\'s word', async () => {
    const settings: (number | string[])[] = [['10.0.0.5'], 1];
    for (const trustProxy of settings) {
      const behind = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: MB, trustProxy });
      const attempt = (xff: string) => behind.inject({ method: 'POST', url: '/api/session', remoteAddress: '10.0.0.5', payload: JSON.stringify({ username: 'cmaa.reviewer', password: 'wrong-password' }), headers: { ...json, 'x-forwarded-for': xff } });
      expect((await attempt('198.51.100.7')).statusCode).toBe(401);
      expect((await attempt('198.51.100.7')).statusCode).toBe(429);
      // Another client behind the same proxy is another address: no delay for it.
      expect((await attempt('198.51.100.8')).statusCode).toBe(401);
      await behind.close();
    }
  });
});

describe('text PostgreSQL cannot store', () => {
  it('is a 422 naming the item and field, in JSON bodies, files, CSV cells and query parameters', async () => {
    const nul = collection([hazardFeature({ ref: 'NUL-1', notes: 'before\u0000after' }, circle(103.6, 13.2, 200))]);
    const items = await call('halo.officer', 'POST', '/api/submissions?kind=hazards', JSON.stringify({ items: JSON.parse(nul).features }), json);
    expect(items.statusCode).toBe(422);
    expect(items.json()).toMatchObject({ code: 'text.unstorable', item: 0, field: 'notes', detail: expect.stringContaining('items[0].properties.notes') });
    const file = await call('cmaa.officer', 'POST', '/api/imports/hazards', nul, geojson);
    expect(file.statusCode).toBe(422);
    expect(file.json()).toMatchObject({ code: 'text.unstorable', feature: 0, field: 'notes' });
    const csv = 'ref,type,contamination,source,recorded_on,notes,wkt\nNUL-2,SHA,ERW,community report,2024-01-01,a\u0000b,"POLYGON((103.7 13.2,103.702 13.2,103.702 13.202,103.7 13.2))"\n';
    const cell = await call('cmaa.officer', 'POST', '/api/imports/hazards', csv, { 'content-type': 'text/csv' });
    expect(cell.statusCode).toBe(422);
    expect(cell.json()).toMatchObject({ stored: false, errors: [{ code: 'text.unstorable', line: 2, field: 'notes', ref: 'NUL-2' }] });
    // The same file as an operator's draft: refused naming the line and field, and no draft is kept.
    const draft = await call('halo.officer', 'POST', '/api/submissions?kind=hazards', csv, { 'content-type': 'text/csv' });
    expect(draft.statusCode).toBe(422);
    expect(draft.json()).toMatchObject({ code: 'text.unstorable', line: 2, field: 'notes', ref: 'NUL-2' });
    // A NUL in the ref itself: said once, as unstorable text, not a second time as "the record has no ref".
    const refCell = await call('cmaa.officer', 'POST', '/api/imports/hazards', csv.replace('NUL-2', 'NUL\u00003'), { 'content-type': 'text/csv' });
    expect(refCell.statusCode).toBe(422);
    expect(refCell.json().errors.map((e: { code: string; field: string }) => `${e.code} ${e.field}`)).toEqual(['text.unstorable ref', 'text.unstorable notes']);
    const reason = await call('cmaa.reviewer', 'POST', '/api/submissions/1/return', JSON.stringify({ reasons: [{ item: 'X', reason: 'lone \ud800 half' }] }), json);
    expect(reason.statusCode).toBe(422);
    expect(reason.json()).toMatchObject({ code: 'text.unstorable', detail: expect.stringContaining('reasons[0].reason') });
    const query = await call('cmaa.reviewer', 'GET', '/api/audit?actor=a%00b');
    expect(query.statusCode).toBe(422);
    expect(query.json()).toMatchObject({ code: 'text.unstorable', field: 'actor' });
    const username = await app.inject({ method: 'POST', url: '/api/session', payload: JSON.stringify({ username: 'cmaa\u0000officer', password: PASSWORD }), headers: json });
    expect(username.statusCode).toBe(422);
    expect(await count(db, `hazard where ref like 'NUL-%'`)).toBe(0);
    expect(await count(db, 'submission')).toBe(0);
  });

  it('never reaches the log, nor does anything else a request sends', async () => {
    const lines: string[] = [];
    const logStream = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done(); } });
    const { db: closing } = await createTestDatabase();
    const logged = await buildServer(closing, { basemapUrl: null, secureCookies: false, maxUploadBytes: MB }, { logStream });
    await addUser(closing, { username: 'log.officer', role: 'authority_data_officer', organisation: 'CMAA', password: PASSWORD }, 'test');
    const secret = 'SECRET-b7f3c1';
    const send = (url: string, payload: string, headers = json) => logged.inject({ method: 'POST', url, payload, headers });
    await send('/api/session', JSON.stringify({ username: 'log.officer', password: secret }));
    await send('/api/session', `{"username":"log.officer","password":"${secret}"`);
    await send(`/api/session?token=${secret}`, JSON.stringify({ username: `nul\u0000${secret}`, password: secret }));
    await send('/api/imports/hazards', `ref,wkt\n${secret},x`, { 'content-type': 'text/csv' });
    // A failure of the server itself (its database gone) is logged, by kind and place.
    await closing.close();
    const failed = await send(`/api/session?why=${secret}`, JSON.stringify({ username: 'someone.else', password: secret }));
    expect(failed.statusCode).toBe(500);
    await logged.close();
    const log = lines.join('');
    expect(log).toContain('request failed');
    expect(log).not.toContain(secret);
  });
});

describe('malformed requests', () => {
  it('answer 400 to broken multipart bodies and JSON nested 10,000 levels, and keep answering', async () => {
    const cut = multipart('h.csv', 'text/csv', 'ref,wkt\n').payload.subarray(0, 60);
    const broken = [
      { payload: cut, headers: { 'content-type': 'multipart/form-data; boundary=clearwayhardening' } },
      { payload: Buffer.from('no boundary here'), headers: { 'content-type': 'multipart/form-data' } },
      { payload: Buffer.from('--other\r\nnot a header\r\n\r\nx\r\n--other--\r\n'), headers: { 'content-type': 'multipart/form-data; boundary=clearwayhardening' } },
    ];
    for (const { payload, headers } of broken) {
      const response = await call('cmaa.officer', 'POST', '/api/imports/hazards', payload, headers);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({ code: 'request.invalid' });
    }
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const asItems = await call('halo.officer', 'POST', '/api/submissions?kind=hazards', `{"items":${deep}}`, json);
    expect(asItems.statusCode).toBe(400);
    expect(asItems.json()).toMatchObject({ code: 'request.invalid', detail: expect.stringContaining('nested more than 64 levels') });
    const asFile = await call('cmaa.officer', 'POST', '/api/imports/hazards', `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"notes":${deep}},"geometry":null}]}`, geojson);
    expect(asFile.statusCode).toBe(400);
    expect((await call(null, 'GET', '/api/health')).statusCode).toBe(200);
  });

  it('set security headers on every answer: the API, its problems and the web page', async () => {
    for (const url of ['/api/health', '/api/hazards/NOPE-1', '/', '/no/such/page']) {
      const response = await call(null, 'GET', url);
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['x-frame-options'], url).toBe('DENY');
      const csp = String(response.headers['content-security-policy']);
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).toContain("worker-src 'self' blob:");
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain('img-src \'self\' data: blob: https://tiles.example.org');
    }
  });
});

describe('a CSV file not in UTF-8', () => {
  const row = (ref: string, notes: string) => `ref,type,contamination,source,recorded_on,notes,wkt\n${ref},SHA,ERW,community report,2024-01-01,${notes},"POLYGON((103.7 13.3,103.702 13.3,103.702 13.302,103.7 13.3))"\n`;

  it('is read by its declared charset or its byte-order mark, never stored with replacement characters', async () => {
    // Excel's "CSV" on a Western Windows: curly quotes are the bytes 0x93 and 0x94, é is 0xE9.
    const bytes = Buffer.from(row('ENC-1', '\x93mined\x94 caf\xE9'), 'latin1');
    const declared = await call('cmaa.officer', 'POST', '/api/imports/hazards', bytes, { 'content-type': 'text/csv; charset=windows-1252' });
    expect(declared.statusCode, declared.body).toBe(202);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(row('ENC-2', 'ភូមិ'), 'utf16le')]);
    const marked = await call('cmaa.officer', 'POST', '/api/imports/hazards', utf16, { 'content-type': 'text/csv' });
    expect(marked.statusCode, marked.body).toBe(202);
    // An API import is a submission another person approves (issue 8, point 5): the text survives that path too.
    for (const sent of [declared, marked]) {
      const approved = await call('cmaa.reviewer', 'POST', `/api/submissions/${(sent.json() as { submission_id: number }).submission_id}/approve`);
      expect(approved.statusCode, approved.body).toBe(200);
    }
    const stored = await db.query<{ ref: string; notes: string }>(`select ref, notes from hazard where ref like 'ENC-%' order by ref`);
    expect(stored.rows, JSON.stringify(stored.rows)).toEqual([{ ref: 'ENC-1', notes: '\u201Cmined\u201D caf\u00E9' }, { ref: 'ENC-2', notes: 'ភូមិ' }]);
  });

  it('is refused, naming the line, when it is neither UTF-8 nor declared', async () => {
    const bytes = Buffer.from(row('ENC-3', 'caf\u00E9'), 'latin1');
    const response = await call('cmaa.officer', 'POST', '/api/imports/hazards', bytes, { 'content-type': 'text/csv' });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'file.encoding', line: 2, detail: expect.stringContaining('line 2') });
    const upload = multipart('legacy.csv', 'text/csv', bytes);
    expect((await call('cmaa.officer', 'POST', '/api/imports/hazards', upload.payload, upload.headers)).json()).toMatchObject({ code: 'file.encoding', line: 2 });
    expect(await count(db, `hazard where ref = 'ENC-3'`)).toBe(0);
  });
});
