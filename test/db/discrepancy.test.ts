// The discrepancy report as HALO and the authority meet it: HALO's own monthly summary, written as a real
// Excel workbook (and CSV, and JSON), compared with a known official record and HALO's submissions in every
// state; each difference explained to the cm2 against areas PostGIS computes here independently.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import type { Database } from '../../src/db/engine.ts';
import type { Role } from '../../src/domain/roles.ts';
import { createTestDatabase, engineUnderTest } from '../support/test-database.ts';
import { circle, collection, fixturesDir, hazardFeature, importText, releaseFeature, type Ring } from '../support/fixtures.ts';

let db: Database;
let databaseUrl: string | null;
let app: FastifyInstance;
let workDir: string;
const tokens: Record<string, string> = {};

const PEOPLE: [string, Role, string][] = [
  ['halo.officer', 'operator_data_officer', 'HALO'],
  ['halo.viewer', 'operator_viewer', 'HALO'],
  ['cmac.officer', 'operator_data_officer', 'CMAC'],
  ['cmaa.reviewer', 'authority_reviewer', 'CMAA'],
  ['admin', 'administrator', 'CMAA'],
  ['donor.viewer', 'donor_viewer', 'UNDP'],
];

// Hazards in Battambang (02) and Pailin (24); releases inside them, one partly outside (D1), one over an
// earlier one (D2).
const HAZARDS: Record<string, Ring> = {
  'DX-A': circle(103.0, 13.0, 300),
  'DX-B': circle(103.05, 13.0, 300),
  'DX-C': circle(102.6, 12.9, 300),
  'DX-D': circle(103.1, 13.0, 300),
  'DX-E': circle(102.62, 12.9, 300),
};
const RINGS = {
  A1: circle(103.0, 13.0, 100),
  B1: circle(103.05, 13.0, 100),
  C1: circle(102.6, 12.9, 100),
  D1: circle(103.1027, 13.0, 100), // 293 m from the hazard's centre, radius 100 m: partly outside
  D2: circle(103.1015, 13.0, 80), // inside, over D1, which ended first
  E1: circle(102.62, 12.9, 100),
  X: circle(103.0, 13.002, 60), // before the summary's period
  Y: circle(103.05, 13.002, 60), // MAG's
  P1: circle(103.052, 13.0, 50), // submitted, pending review
  R1: circle(102.602, 12.9, 50), // returned
  J1: circle(103.1, 13.0015, 50), // rejected
  G1: circle(103.002, 13.0, 50), // a draft never submitted
  G2: circle(103.2, 13.1, 40), // a draft naming a hazard not in the record: placed by its own polygon (Battambang)
  A1X: circle(103.0, 13.0, 120), // a draft changing DX-A1, which the record already counts
};

const area: Record<string, number> = {};
const submissionIds: Record<string, number> = {};
let counted = { D1: 0, D2: 0 };

function call(who: string | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: string | Buffer, contentType = 'application/json', extra: Record<string, string> = {}) {
  return app.inject({ method, url, payload, headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), ...(payload !== undefined ? { 'content-type': contentType } : {}), ...extra } });
}

function multipart(fileName: string, bytes: Buffer, contentType: string): { payload: Buffer; contentType: string } {
  const boundary = 'clearwaydiscrepancyboundary';
  return {
    payload: Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${contentType}\r\n\r\n`),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function upload(who: string | null, file: string, query = '', extra: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const name = path.basename(file);
  const body = multipart(name, fs.readFileSync(file), name.endsWith('.csv') ? 'text/csv' : XLSX);
  return call(who, 'POST', `/api/reports/discrepancy${query}`, body.payload, body.contentType, extra);
}

async function writeWorkbook(name: string, rows: unknown[][]): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Summary 2024');
  for (const row of rows) sheet.addRow(row);
  const file = path.join(workDir, name);
  await workbook.xlsx.writeFile(file);
  return file;
}

const geojson = (ring: Ring) => JSON.stringify({ type: 'Polygon', coordinates: [ring] });
const cents = (m2: number) => Math.round(m2 * 100);
const round2 = (m2: number) => cents(m2) / 100;

/** A release submission by HALO's officer, taken to `state` (the authority's reviewer decides). */
async function submission(features: unknown[], state: 'draft' | 'submitted' | 'returned' | 'rejected' | 'approved'): Promise<number> {
  const created = await call('halo.officer', 'POST', '/api/submissions?kind=releases', collection(features), 'application/geo+json');
  const body = created.json() as { id: number; validation: { errorCount: number; errors: unknown[] } };
  expect(body.validation.errors).toEqual([]);
  if (state === 'draft') return body.id;
  expect((await call('halo.officer', 'POST', `/api/submissions/${body.id}/submit`)).statusCode).toBe(200);
  if (state === 'returned') await call('cmaa.reviewer', 'POST', `/api/submissions/${body.id}/return`, JSON.stringify({ reasons: [{ item: 'DX-R1', reason: 'end date?' }] }));
  if (state === 'rejected') await call('cmaa.reviewer', 'POST', `/api/submissions/${body.id}/reject`, JSON.stringify({ reason: 'duplicate' }));
  if (state === 'approved') await call('cmaa.reviewer', 'POST', `/api/submissions/${body.id}/approve`);
  expect((await call('halo.officer', 'GET', `/api/submissions/${body.id}`)).json()).toMatchObject({ state });
  return body.id;
}

const release = (ref: string, hazard: string, kind: 'cancelled' | 'reduced' | 'cleared', endDate: string, ring: Ring, operator = 'HALO') =>
  releaseFeature({ ref, hazard_ref: hazard, kind, method: { cancelled: 'nts', reduced: 'ts', cleared: 'manual' }[kind], operator, start_date: `${endDate.slice(0, 8)}01`, end_date: endDate }, ring);

beforeAll(async () => {
  ({ db, url: databaseUrl } = await createTestDatabase());
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-discrepancy-'));
  for (const [username, role, organisation] of PEOPLE) {
    await addUser(db, { username, role, organisation, password: 'a-long-password' }, 'test');
    tokens[username] = (await createApiToken(db, username, 'test', 'test')).token;
  }
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 8 * 1024 * 1024 });

  // The official record, imported by the authority.
  const hazards = await importText(db, 'hazards', collection(Object.entries(HAZARDS).map(([ref, ring]) => hazardFeature({ ref, operator: 'HALO' }, ring))));
  expect(hazards.errors).toEqual([]);
  const provinces = await db.query<{ ref: string; province_code: string }>(`select ref, province_code from hazard where ref like 'DX-%' order by ref`);
  expect(provinces.rows.map((r) => `${r.ref}:${r.province_code}`)).toEqual(['DX-A:02', 'DX-B:02', 'DX-C:24', 'DX-D:02', 'DX-E:24']);
  const releases = await importText(db, 'releases', collection([
    release('DX-A1', 'DX-A', 'cleared', '2024-01-20', RINGS.A1),
    release('DX-B1', 'DX-B', 'reduced', '2024-02-10', RINGS.B1),
    release('DX-C1', 'DX-C', 'cleared', '2024-03-05', RINGS.C1),
    release('DX-D1', 'DX-D', 'cancelled', '2024-01-25', RINGS.D1),
    release('DX-D2', 'DX-D', 'cancelled', '2024-01-28', RINGS.D2),
    release('DX-X', 'DX-A', 'cleared', '2023-12-15', RINGS.X),
    release('DX-Y', 'DX-B', 'cleared', '2024-01-20', RINGS.Y, 'MAG'),
  ]));
  expect(releases.errors).toEqual([]);
  expect(releases.notes.map((n) => `${n.ref}:${n.code}`)).toEqual(['DX-D1:release.outside-hazard']);

  // HALO's submissions: one approved (E1 reaches the record through it), and one in each other state.
  submissionIds.E = await submission([release('DX-E1', 'DX-E', 'reduced', '2024-04-10', RINGS.E1)], 'approved');
  submissionIds.P = await submission([release('DX-P1', 'DX-B', 'reduced', '2024-02-25', RINGS.P1)], 'submitted');
  submissionIds.R = await submission([release('DX-R1', 'DX-C', 'cleared', '2024-03-15', RINGS.R1)], 'returned');
  submissionIds.J = await submission([release('DX-J1', 'DX-D', 'cleared', '2024-02-14', RINGS.J1)], 'rejected');
  submissionIds.G = await submission([release('DX-G1', 'DX-A', 'cleared', '2024-03-20', RINGS.G1)], 'draft');
  const messy = await call('halo.officer', 'POST', '/api/submissions?kind=releases', collection([
    release('DX-G2', 'DX-NEW', 'cleared', '2024-03-22', RINGS.G2),
    release('DX-A1', 'DX-A', 'cleared', '2024-01-20', RINGS.A1X),
  ]), 'application/geo+json');
  expect(messy.json()).toMatchObject({ state: 'draft', validation: { errors: expect.arrayContaining([expect.objectContaining({ ref: 'DX-G2', code: 'hazard.unknown' })]) } });
  submissionIds.G2 = (messy.json() as { id: number }).id;

  // Areas measured here, independently of the report: geodesic (geography) areas of the polygons as sent,
  // and what the record counts of D1 (inside its hazard) and D2 (less what D1 released before it).
  for (const [name, ring] of Object.entries(RINGS)) {
    area[name] = (await db.query<{ a: number }>(`select st_area(st_geomfromgeojson($1)::geography) as a`, [geojson(ring)])).rows[0]!.a;
  }
  const d = await db.query<{ d1: number; d2: number }>(
    `select st_area(st_intersection(st_geomfromgeojson($1), st_geomfromgeojson($3))::geography) as d1,
            st_area(st_difference(st_geomfromgeojson($2), st_geomfromgeojson($1))::geography) as d2`,
    [geojson(RINGS.D1), geojson(RINGS.D2), geojson(HAZARDS['DX-D']!)],
  );
  counted = { D1: d.rows[0]!.d1, D2: d.rows[0]!.d2 };
  expect(counted.D1).toBeLessThan(area.D1! - 1_000);
  expect(counted.D2).toBeLessThan(area.D2! - 1_000);
});
afterAll(async () => {
  await app?.close();
  await db?.close();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

interface Explanation { reason: string; m2: number; records: { ref: string; m2: number; submission_id?: number; state?: string }[]; more: number }
interface Row { province_code: string; province_name_en: string | null; province_name_km: string | null; month: string; kind: string; operator_m2: number; official_m2: number; difference_m2: number; explanations: Explanation[] }
interface Report { organisation: string; period: { from: string; to: string }; totals: { operator_m2: number; official_m2: number; difference_m2: number }; rows: Row[]; matching: number }

/** HALO's summary: what HALO counts per province, month and kind, written as its officers would. */
function summaryRows(): unknown[][] {
  return [
    [' Province ', 'MONTH', 'Kind', 'Released_m2', 'Notes'],
    ['Battambang', new Date(Date.UTC(2024, 0, 1)), 'cleared', round2(area.A1!), '(a) agrees'],
    ['KH02', '2024-01', 'cancelled', round2(area.D1! + area.D2!), '(d) full areas of D1 and D2'],
    ['02', '2024-02', 'reduced', (cents(area.B1!) + cents(area.P1!)) / 100, '(b) B1 and the pending P1'],
    ['battambang', '2024-02', 'cleared', cents(area.J1!) / 100 + 1000, '(h) the rejected J1 and 1,000 m2 nobody knows'],
    ['Pailin', '2024-03', 'Cleared', (cents(area.C1!) + cents(area.R1!)) / 100, '(c) C1 and the returned R1'],
    [2, '2024-03', 'cleared', round2(area.G1! + area.G2!), '(g) the drafts G1 and G2'],
    ['Kampot', '2024-04', 'cleared', 5000, '(f) unexplained'],
    ['KH24', '2024-02', 'cancelled', 0, 'agrees: nothing'],
  ];
}

const rowOf = (report: Report, province: string, month: string, kind: string): Row => {
  const row = report.rows.find((r) => r.province_code === province && r.month === month && r.kind === kind);
  if (!row) throw new Error(`no row ${province} ${month} ${kind}`);
  return row;
};
const reasons = (row: Row) => row.explanations.map((e) => e.reason);
const explanationOf = (row: Row, reason: string): Explanation => row.explanations.find((e) => e.reason === reason)!;

describe('HALO compares its own summary with the official record', () => {
  let report: Report;
  let xlsxFile: string;

  beforeAll(async () => {
    xlsxFile = await writeWorkbook('halo-summary-2024.xlsx', summaryRows());
    const response = await upload('halo.officer', xlsxFile);
    expect(response.statusCode, response.body).toBe(200);
    report = response.json() as Report;
  });

  it('compares the months of the summary, and counts the cells that agree', () => {
    expect(report.organisation).toBe('HALO');
    expect(report.period).toEqual({ from: '2024-01', to: '2024-04' });
    expect(report.matching).toBe(2);
    expect(report.rows.map((r) => `${r.province_code} ${r.month} ${r.kind}`).sort()).toEqual([
      '02 2024-01 cancelled', '02 2024-02 cleared', '02 2024-02 reduced', '02 2024-03 cleared', '07 2024-04 cleared', '24 2024-03 cleared', '24 2024-04 reduced',
    ]);
    // Largest difference first.
    const sizes = report.rows.map((r) => Math.abs(r.difference_m2));
    expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
  });

  it('accounts for every difference to the cm2: the explanations sum to it', () => {
    for (const row of report.rows) {
      expect(cents(row.operator_m2) - cents(row.official_m2)).toBe(cents(row.difference_m2));
      expect(cents(row.explanations.reduce((sum, e) => sum + e.m2, 0))).toBe(cents(row.difference_m2));
    }
    const { totals } = report;
    expect(cents(totals.operator_m2)).toBe(summaryRows().slice(1).reduce((sum: number, r) => sum + cents(r[3] as number), 0));
    const official = area.A1! + counted.D1 + counted.D2 + area.B1! + area.C1! + area.E1!;
    expect(Math.abs(totals.official_m2 - official)).toBeLessThan(0.02);
    expect(cents(totals.difference_m2)).toBe(cents(totals.operator_m2) - cents(totals.official_m2));
  });

  it('(b) names the submission pending review', () => {
    const row = rowOf(report, '02', '2024-02', 'reduced');
    expect(Math.abs(row.official_m2 - area.B1!)).toBeLessThan(0.01);
    expect(Math.abs(row.difference_m2 - area.P1!)).toBeLessThan(0.01);
    expect(row.explanations).toEqual([{ reason: 'submitted-not-approved', m2: round2(area.P1!), records: [{ ref: 'DX-P1', m2: round2(area.P1!), submission_id: submissionIds.P, state: 'submitted' }], more: 0 }]);
    expect(row).toMatchObject({ province_name_en: 'Battambang', province_name_km: expect.stringMatching(/\p{Script=Khmer}/u) });
  });

  it('(c) names the returned submission', () => {
    const row = rowOf(report, '24', '2024-03', 'cleared');
    expect(row.province_name_en).toBe('Pailin');
    expect(row.explanations).toEqual([{ reason: 'returned', m2: round2(area.R1!), records: [{ ref: 'DX-R1', m2: round2(area.R1!), submission_id: submissionIds.R, state: 'returned' }], more: 0 }]);
  });

  it('(d) names the releases the record counts only in part: outside the hazard, or over an earlier release', () => {
    const row = rowOf(report, '02', '2024-01', 'cancelled');
    expect(Math.abs(row.official_m2 - (counted.D1 + counted.D2))).toBeLessThan(0.01);
    expect(reasons(row)).toEqual(['not-counted']);
    const notCounted = explanationOf(row, 'not-counted');
    expect(notCounted.m2).toBe(row.difference_m2);
    expect(Math.abs(notCounted.m2 - (area.D1! - counted.D1 + area.D2! - counted.D2))).toBeLessThan(0.01);
    const byRef = Object.fromEntries(notCounted.records.map((r) => [r.ref, r.m2]));
    expect(Math.abs(byRef['DX-D1']! - (area.D1! - counted.D1))).toBeLessThan(0.01);
    expect(Math.abs(byRef['DX-D2']! - (area.D2! - counted.D2))).toBeLessThan(0.01);
  });

  it('(e) shows a cell the record holds that the summary lacks, with its releases', () => {
    const row = rowOf(report, '24', '2024-04', 'reduced');
    expect(row).toMatchObject({ operator_m2: 0, official_m2: round2(area.E1!), difference_m2: -round2(area.E1!) });
    expect(row.explanations).toEqual([{ reason: 'official-only', m2: -round2(area.E1!), records: [{ ref: 'DX-E1', m2: round2(area.E1!), submission_id: submissionIds.E }], more: 0 }]);
  });

  it('(f) leaves a gap no record explains as unexplained, signed', () => {
    const row = rowOf(report, '07', '2024-04', 'cleared');
    expect(row).toMatchObject({ province_name_en: 'Kampot', operator_m2: 5000, official_m2: 0, difference_m2: 5000 });
    expect(row.explanations).toEqual([{ reason: 'unexplained', m2: 5000, records: [], more: 0 }]);
  });

  it('(g, h) names drafts never submitted and rejected submissions, and what is left over', () => {
    const draft = rowOf(report, '02', '2024-03', 'cleared');
    expect(draft.explanations).toEqual([{
      reason: 'never-submitted', m2: round2(area.G1! + area.G2!), more: 0,
      records: [{ ref: 'DX-G1', m2: round2(area.G1!), submission_id: submissionIds.G, state: 'draft' }, { ref: 'DX-G2', m2: round2(area.G2!), submission_id: submissionIds.G2, state: 'draft' }],
    }]);
    const rejected = rowOf(report, '02', '2024-02', 'cleared');
    expect(rejected.explanations).toEqual([
      { reason: 'rejected', m2: round2(area.J1!), records: [{ ref: 'DX-J1', m2: round2(area.J1!), submission_id: submissionIds.J, state: 'rejected' }], more: 0 },
      { reason: 'unexplained', m2: 1000, records: [], more: 0 },
    ]);
  });

  it('leaves out releases before the period, other operators\' releases, and drafts changing a counted release', () => {
    expect(JSON.stringify(report)).not.toContain('DX-X');
    expect(JSON.stringify(report)).not.toContain('DX-Y');
    expect(report.rows.some((r) => r.month === '2024-01' && r.kind === 'cleared')).toBe(false);
  });

  it('gives the authority the same comparison when it names HALO, without HALO\'s drafts, and logs each comparison', async () => {
    const response = await upload('cmaa.reviewer', xlsxFile, '?organisation=HALO');
    expect(response.statusCode).toBe(200);
    const authority = response.json() as Report;
    expect(authority.totals).toEqual(report.totals);
    // A draft is HALO's own until submitted: the authority sees the same gap, unexplained, and no draft.
    expect(response.body).not.toContain('DX-G1');
    expect(response.body).not.toContain('never-submitted');
    const drafts = (r: Report) => r.rows.find((row) => row.province_code === '02' && row.month === '2024-03' && row.kind === 'cleared')!;
    expect(drafts(authority).difference_m2).toBe(drafts(report).difference_m2);
    expect(drafts(authority).explanations).toEqual([{ reason: 'unexplained', m2: drafts(report).difference_m2, records: [], more: 0 }]);
    const withoutDraftCell = (r: Report) => ({ ...r, rows: r.rows.filter((row) => row !== drafts(r)) });
    expect(withoutDraftCell(authority)).toEqual(withoutDraftCell(report));
    const log = await db.query<{ actor: string; entity_ref: string; details: { period: { from: string; to: string }; differing: number } }>(
      `select actor, entity_ref, details from audit_event where action = 'report.discrepancy' order by id`,
    );
    expect(log.rows.slice(-2).map((e) => [e.actor, e.entity_ref, e.details.period, e.details.differing])).toEqual([
      ['halo.officer', 'HALO', { from: '2024-01', to: '2024-04' }, 7],
      ['cmaa.reviewer', 'HALO', { from: '2024-01', to: '2024-04' }, 7],
    ]);
  });

  it('reads the same summary as CSV, as an XLSX body, and as JSON rows', async () => {
    const rows = summaryRows();
    const csvText = rows.map((r) => r.map((cell) => (cell instanceof Date ? cell.toISOString().slice(0, 7) : String(cell))).map((c) => (c.includes(',') ? `"${c}"` : c)).join(',')).join('\n');
    const csvFile = path.join(workDir, 'halo-summary-2024.csv');
    fs.writeFileSync(csvFile, `\uFEFF${csvText}\n`);
    const fromCsv = await upload('halo.viewer', csvFile);
    expect(fromCsv.statusCode, fromCsv.body).toBe(200);
    expect(fromCsv.json()).toEqual(report);
    const rawBody = await call('halo.viewer', 'POST', '/api/reports/discrepancy', fs.readFileSync(xlsxFile), XLSX);
    expect(rawBody.json()).toEqual(report);
    const json = rows.slice(1).map((r) => ({ province: r[0], month: r[1] instanceof Date ? '2024-01' : r[1], kind: r[2], released_m2: r[3] }));
    const fromJson = await call('halo.viewer', 'POST', '/api/reports/discrepancy', JSON.stringify({ rows: json }));
    expect(fromJson.statusCode, fromJson.body).toBe(200);
    expect(fromJson.json()).toEqual(report);
  });

  it('answers in CSV for spreadsheets: one line per cell and reason', async () => {
    for (const [query, headers] of [['?format=csv', {}], ['', { accept: 'text/csv' }]] as const) {
      const response = await upload('halo.officer', xlsxFile, query, headers);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('text/csv');
      const lines = response.body.trim().split('\n');
      expect(lines[0]).toBe('province_code,province_name_en,month,kind,operator_m2,official_m2,difference_m2,reason,reason_m2,records,more_records');
      expect(lines).toHaveLength(1 + report.rows.reduce((n, r) => n + r.explanations.length, 0));
      expect(lines).toContain('07,Kampot,2024-04,cleared,5000.00,0.00,5000.00,unexplained,5000.00,,0');
      expect(lines.find((l) => l.includes('DX-P1'))).toContain(`DX-P1 ${round2(area.P1!).toFixed(2)} m2 (submission ${submissionIds.P}, submitted)`);
    }
  });

  // A child process reaches the server engine's database by URL; the embedded one lives in this test's
  // process, so the command is run on the server project only (it is the same code on either engine).
  if (engineUnderTest() === 'server') {
    it('is also a command: clearway report discrepancy FILE --organisation HALO', async () => {
      const root = path.resolve(fixturesDir, '../..');
      const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const { CLEARWAY_DATA_DIR: _unused, ...env } = process.env;
        execFile(process.execPath, ['bin/clearway.mjs', 'report', 'discrepancy', xlsxFile, '--organisation', 'halo', '--format', 'json'], { cwd: root, env: { ...env, DATABASE_URL: databaseUrl! }, timeout: 120_000 }, (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
        });
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual(report);
    });
  }
});

describe('a summary that cannot be compared', () => {
  const refused = async (file: string, code: string, errors?: { line: number; field: string; code: string }[]) => {
    const response = await upload('halo.officer', file);
    expect(response.statusCode, response.body).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const body = response.json() as { code: string; detail: string; errors?: { line: number; field: string; code: string; reason: string }[] };
    expect(body.code).toBe(code);
    if (errors) expect(body.errors!.map(({ line, field, code: c }) => ({ line, field, code: c }))).toEqual(errors);
    return body;
  };

  it('names the line, the field and the reason of each problem, and the server keeps answering', async () => {
    const header = ['province', 'month', 'kind', 'released_m2'];
    const wrongHeader = await refused(await writeWorkbook('wrong-header.xlsx', [['provinz', 'month', 'kind', 'released_m2'], ['02', '2024-01', 'cleared', 1]]), 'summary.invalid', [
      { line: 1, field: 'province', code: 'summary.columns' },
    ]);
    expect(wrongHeader.errors![0]!.reason).toContain('missing province');
    const badMonth = await refused(await writeWorkbook('bad-month.xlsx', [header, ['02', '2024-01', 'cleared', 1], ['02', '2024-13', 'cleared', 1]]), 'summary.invalid', [
      { line: 3, field: 'month', code: 'summary.month-invalid' },
    ]);
    expect(badMonth.errors![0]!.reason).toContain('2024-13');
    await refused(await writeWorkbook('unknown-province.xlsx', [header, ['Atlantis', '2024-01', 'cleared', 1]]), 'summary.invalid', [
      { line: 2, field: 'province', code: 'summary.province-unknown' },
    ]);
    const negative = await refused(await writeWorkbook('negative.xlsx', [header, [], ['02', '2024-01', 'cleared', -5]]), 'summary.invalid', [
      { line: 3, field: 'released_m2', code: 'summary.area-invalid' },
    ]);
    expect(negative.errors![0]!.reason).toContain('negative');
    const twice = await refused(await writeWorkbook('twice.xlsx', [header, ['02', '2024-01', 'cleared', 1], ['Battambang', '2024-01', 'Cleared', 2]]), 'summary.invalid', [
      { line: 3, field: 'province, month, kind', code: 'summary.duplicate' },
    ]);
    expect(twice.errors![0]!.reason).toContain('lines 2 and 3');
    const csv = path.join(workDir, 'bad.csv');
    fs.writeFileSync(csv, 'province,month,kind,released_m2\nKH02,2024-1,cleared,12\n');
    await refused(csv, 'summary.invalid', [{ line: 2, field: 'month', code: 'summary.month-invalid' }]);
    const textAsXlsx = path.join(workDir, 'summary.xlsx');
    fs.writeFileSync(textAsXlsx, 'province,month,kind,released_m2\n02,2024-01,cleared,1\n');
    const notXlsx = await refused(textAsXlsx, 'file.malformed');
    expect(notXlsx.detail).toContain('not an Excel workbook');
    const empty = path.join(workDir, 'empty.csv');
    fs.writeFileSync(empty, '');
    await refused(empty, 'file.empty');
    expect((await call(null, 'GET', '/api/health')).statusCode).toBe(200);
    const rows = await call('halo.officer', 'POST', '/api/reports/discrepancy', JSON.stringify({ rows: [{ province: '02', month: '2024-01', kind: 'swept', released_m2: 1 }] }));
    expect(rows.statusCode).toBe(422);
    expect(rows.json()).toMatchObject({ errors: [{ line: 1, field: 'kind', code: 'kind.unknown' }] });
  });
});

describe('a summary built to exhaust the server', () => {
  it('reads only the first columns of a sheet with a cell in its last column', async () => {
    const months = ['2023-01', '2023-02', '2023-03', '2023-04'];
    const rows: unknown[][] = [['province', 'month', 'kind', 'released_m2']];
    for (let p = 1; p <= 25; p++) for (const month of months) rows.push([String(p).padStart(2, '0'), month, 'cleared', 0]);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Summary');
    for (const row of rows) sheet.addRow(row);
    sheet.getCell('XFD1').value = 'x';
    const file = path.join(workDir, 'last-column.xlsx');
    await workbook.xlsx.writeFile(file);
    const response = await upload('halo.officer', file);
    expect(response.statusCode, response.body).toBe(200);
    expect((response.json() as { period: { from: string; to: string } }).period).toEqual({ from: '2023-01', to: '2023-04' });
  });

  it('refuses a workbook that unpacks to far more than it weighs, and a file of too many rows, and keeps answering', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Summary');
    sheet.addRow(['province', 'month', 'kind', 'released_m2']);
    sheet.addRow(['02', '2024-01', 'cleared', 'a'.repeat(40 * 1024 * 1024)]);
    const bomb = path.join(workDir, 'inflates.xlsx');
    await workbook.xlsx.writeFile(bomb);
    expect(fs.statSync(bomb).size).toBeLessThan(1024 * 1024);
    const inflated = await upload('halo.officer', bomb);
    expect(inflated.statusCode).toBe(413);
    expect(inflated.json()).toMatchObject({ code: 'file.too-large', detail: expect.stringContaining('unpacks to more than 32 MB') });
    const long = path.join(workDir, 'long.csv');
    fs.writeFileSync(long, `province,month,kind,released_m2\n${'02,2024-01,cleared,1\n'.repeat(100_001)}`);
    const tooLong = await upload('halo.officer', long);
    expect(tooLong.statusCode).toBe(413);
    expect(tooLong.json()).toMatchObject({ code: 'file.too-large' });
    expect((await call(null, 'GET', '/api/health')).statusCode).toBe(200);
  });
});

describe('who may compare', () => {
  const file = () => path.join(workDir, 'halo-summary-2024.xlsx');
  const leaksNothing = (response: LightMyRequestResponse) => {
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).not.toContain('DX-');
  };

  it('refuses an operator another organisation\'s comparison, and gives it its own', async () => {
    const other = await upload('cmac.officer', file(), '?organisation=HALO');
    expect(other.statusCode).toBe(403);
    leaksNothing(other);
    const own = await upload('cmac.officer', file());
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ organisation: 'CMAC', totals: { official_m2: 0 } });
    expect(own.body).not.toContain('DX-');
    expect((await upload('halo.viewer', file(), '?organisation=halo')).statusCode).toBe(200);
  });

  it('makes the authority name the organisation, and refuses donors and anonymous callers', async () => {
    const unnamed = await upload('admin', file());
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json()).toMatchObject({ code: 'request.invalid', field: 'organisation' });
    expect((await upload('admin', file(), '?organisation=NOPE')).statusCode).toBe(404);
    const donor = await upload('donor.viewer', file(), '?organisation=HALO');
    expect(donor.statusCode).toBe(403);
    leaksNothing(donor);
    const anonymous = await upload(null, file(), '?organisation=HALO');
    expect(anonymous.statusCode).toBe(401);
    leaksNothing(anonymous);
  });
});
