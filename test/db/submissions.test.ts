// Operators submit, the authority approves: the workflow as its people meet it, on the engine under test.
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

const PEOPLE: [string, Role, string][] = [
  ['halo.officer', 'operator_data_officer', 'HALO'],
  ['halo.viewer', 'operator_viewer', 'HALO'],
  ['cmac.officer', 'operator_data_officer', 'CMAC'],
  ['cmaa.reviewer', 'authority_reviewer', 'CMAA'],
  ['admin', 'administrator', 'CMAA'],
  ['cmaa.officer', 'authority_data_officer', 'CMAA'],
  ['donor.viewer', 'donor_viewer', 'UNDP'],
];

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  for (const [username, role, organisation] of PEOPLE) {
    await addUser(db, { username, role, organisation, password: 'a-long-password' }, 'test');
    tokens[username] = (await createApiToken(db, username, 'test', 'test')).token;
  }
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 1024 * 1024 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

function call(who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: string, contentType = 'application/json') {
  return app.inject({ method, url, payload, headers: { authorization: `Bearer ${tokens[who]}`, ...(payload ? { 'content-type': contentType } : {}) } });
}

const hazardsOf = (operator: string, ...refs: string[]) => collection(refs.map((ref, i) => hazardFeature({ ref, operator }, circle(102.9 + i * 0.01, 13.2, 150))));
const hazards = (...refs: string[]) => hazardsOf('HALO', ...refs);

describe('a HALO officer submits and the authority reviews', () => {
  let id: number;

  it('validates an upload at once and refuses to submit it with errors', async () => {
    const bad = collection([hazardFeature({ ref: 'SUB-1', type: 'XHA' }, circle(102.9, 13.2, 150))]);
    const draft = await call('halo.officer', 'POST', '/api/submissions?kind=hazards', bad, 'application/geo+json');
    expect(draft.statusCode).toBe(201);
    const body = draft.json() as { id: number; state: string; validation: { errorCount: number; errors: { code: string; ref: string }[] } };
    expect(body).toMatchObject({ state: 'draft', organisation: 'HALO', created_by: 'halo.officer' });
    expect(body.validation.errors).toEqual([expect.objectContaining({ code: 'type.unknown', ref: 'SUB-1' })]);
    id = body.id;
    const submit = await call('halo.officer', 'POST', `/api/submissions/${id}/submit`);
    expect(submit.statusCode).toBe(422);
    expect(submit.json()).toMatchObject({ code: 'workflow.has-errors' });
  });

  it('takes the corrected file, submits it, and leaves the official record untouched', async () => {
    const fixed = await call('halo.officer', 'PUT', `/api/submissions/${id}`, hazards('SUB-1', 'SUB-2'), 'application/geo+json');
    expect(fixed.json()).toMatchObject({ state: 'draft', validation: { errorCount: 0, accepted: 2 } });
    const submitted = await call('halo.officer', 'POST', `/api/submissions/${id}/submit`);
    expect(submitted.json()).toMatchObject({ state: 'submitted', submitted_by: 'halo.officer' });
    expect(await count(db, `hazard where ref like 'SUB-%'`)).toBe(0);
  });

  it('shows it to its organisation and the authority, to no other operator, and to no donor', async () => {
    expect((await call('halo.viewer', 'GET', `/api/submissions/${id}`)).statusCode).toBe(200);
    expect((await call('cmaa.reviewer', 'GET', '/api/submissions?state=submitted')).json()).toMatchObject({ items: [expect.objectContaining({ id })], total: 1, more: false });
    const other = await call('cmac.officer', 'GET', `/api/submissions/${id}`);
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('SUB-1');
    expect((await call('cmac.officer', 'GET', '/api/submissions')).json()).toMatchObject({ items: [], total: 0, more: false });
    expect((await call('donor.viewer', 'GET', '/api/submissions')).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/submissions' })).statusCode).toBe(401);
  });

  it('lets only a reviewer decide: an operator cannot approve', async () => {
    expect((await call('halo.officer', 'POST', `/api/submissions/${id}/approve`)).statusCode).toBe(403);
    expect((await call('halo.viewer', 'POST', `/api/submissions/${id}/approve`)).statusCode).toBe(403);
  });

  it('returns it with reasons per item, and the operator resubmits', async () => {
    const returned = await call('cmaa.reviewer', 'POST', `/api/submissions/${id}/return`, JSON.stringify({ reasons: [{ item: 'SUB-2', reason: 'source should be the 2019 NTS report' }] }));
    expect(returned.json()).toMatchObject({ state: 'returned', decided_by: 'cmaa.reviewer', decision: { reasons: [{ item: 'SUB-2', reason: 'source should be the 2019 NTS report' }] } });
    const again = await call('halo.officer', 'POST', `/api/submissions/${id}/submit`);
    expect(again.json()).toMatchObject({ state: 'submitted', decided_by: null });
  });

  it('applies every item on approval as new versions that trace back to the submission', async () => {
    const approved = await call('cmaa.reviewer', 'POST', `/api/submissions/${id}/approve`);
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ state: 'approved', decided_by: 'cmaa.reviewer' });
    const rows = await db.query<{ ref: string; changed_by: string; submission_id: number }>(
      `select h.ref, h.changed_by, b.submission_id from hazard h join change_batch b on b.id = h.batch_id where h.ref like 'SUB-%' order by h.ref`,
    );
    expect(rows.rows).toEqual([
      { ref: 'SUB-1', changed_by: 'cmaa.reviewer', submission_id: id },
      { ref: 'SUB-2', changed_by: 'cmaa.reviewer', submission_id: id },
    ]);
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${id}/approve`)).statusCode).toBe(409);
  });

  it('shows the reviewer each item beside the official record it would change or overlap', async () => {
    const file = collection([
      hazardFeature({ ref: 'SUB-1', type: 'SHA' }, circle(102.9, 13.2, 150)),
      hazardFeature({ ref: 'NEAR-1' }, circle(102.9005, 13.2, 150)),
      hazardFeature({ ref: 'FAR-1' }, circle(103.3, 13.4, 150)),
    ]);
    const draft = (await call('halo.officer', 'POST', '/api/submissions?kind=hazards', file, 'application/geo+json')).json() as { id: number };
    const review = await call('halo.officer', 'GET', `/api/submissions/${draft.id}/items`);
    expect(review.statusCode).toBe(200);
    const { items, total } = review.json() as { total: number; items: { ref: string; reconciliation: { action: string }; before: { version: number; attributes: { type: string } } | null; overlaps: { ref: string; overlap_m2: number }[]; problems: { code: string }[] }[] };
    expect(total).toBe(3);
    const [same, near, far] = items;
    expect(same).toMatchObject({ ref: 'SUB-1', reconciliation: { action: 'update', targets: [{ ref: 'SUB-1', version: 1 }] }, before: { version: 1, attributes: { type: 'CHA' } } });
    expect(same!.problems.map((p) => p.code)).toEqual(['record.updates']);
    expect(near).toMatchObject({ ref: 'NEAR-1', reconciliation: { action: 'new', targets: [] }, before: null });
    const expected = (await db.query<{ a: number }>(
      `select st_area(st_intersection(h.geom, st_geomfromgeojson($1))::geography) as a from hazard h where h.ref = 'SUB-1'`,
      [JSON.stringify({ type: 'Polygon', coordinates: [circle(102.9005, 13.2, 150)] })],
    )).rows[0]!.a;
    expect(near!.overlaps[0]!.ref).toBe('SUB-1');
    expect(Math.abs(near!.overlaps[0]!.overlap_m2 - expected) / expected).toBeLessThan(1e-5);
    expect(far).toMatchObject({ ref: 'FAR-1', reconciliation: { action: 'new' }, overlaps: [] });
  });

  it('leads from a figure of the report to the releases and the submission behind it, and logs who did what', async () => {
    const release = collection([{ type: 'Feature', properties: { ref: 'SUB-R1', hazard_ref: 'SUB-1', kind: 'cleared', method: 'manual', operator: 'HALO', start_date: '2024-01-01', end_date: '2024-02-01' }, geometry: { type: 'Polygon', coordinates: [circle(102.9, 13.2, 100)] } }]);
    const draft = (await call('halo.officer', 'POST', '/api/submissions?kind=releases', release, 'application/geo+json')).json() as { id: number; validation: { errorCount: number } };
    expect(draft.validation.errorCount).toBe(0);
    await call('halo.officer', 'POST', `/api/submissions/${draft.id}/submit`);
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/approve`)).json()).toMatchObject({ state: 'approved' });
    const province = (await db.query<{ province_code: string }>(`select province_code from hazard where ref = 'SUB-1'`)).rows[0]!.province_code;
    const report = (await app.inject({ method: 'GET', url: '/api/reports/land-release?by=province' })).json() as { rows: { unit_code: string; cleared_m2: number }[] };
    const row = report.rows.find((r) => r.unit_code === province)!;
    expect(row.cleared_m2).toBeGreaterThan(0);
    const behind = (await app.inject({ method: 'GET', url: `/api/reports/land-release/releases?by=province&unit=${province}` })).json() as { items: { ref: string; submission_id: number; counted_m2: number }[] };
    expect(behind.items).toEqual([expect.objectContaining({ ref: 'SUB-R1', submission_id: draft.id })]);
    expect(behind.items[0]!.counted_m2).toBeCloseTo(row.cleared_m2, 1);
    const log = ((await call('cmaa.reviewer', 'GET', `/api/audit?entity=submission&ref=${draft.id}`)).json() as { items: { actor: string; action: string }[] }).items;
    expect(log.map((e) => [e.actor, e.action])).toEqual([
      ['cmaa.reviewer', 'submission.approve'],
      ['halo.officer', 'submission.submit'],
      ['halo.officer', 'submission.create'],
    ]);
  });
});

describe('four eyes and conflicts', () => {
  it('never lets the person who submitted approve, whatever their role', async () => {
    const draft = (await call('admin', 'POST', '/api/submissions?kind=hazards', hazards('EYES-1'), 'application/geo+json')).json() as { id: number };
    expect((await call('admin', 'POST', `/api/submissions/${draft.id}/submit`)).statusCode).toBe(200);
    const own = await call('admin', 'POST', `/api/submissions/${draft.id}/approve`);
    expect(own.statusCode).toBe(403);
    expect(own.json()).toMatchObject({ code: 'workflow.four-eyes', detail: expect.stringContaining('Four eyes') });
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/approve`)).json()).toMatchObject({ state: 'approved' });
  });

  it('never lets whoever wrote the file decide, even when a colleague submitted it', async () => {
    const draft = (await call('admin', 'POST', '/api/submissions?kind=hazards', hazards('AUTHOR-1'), 'application/geo+json')).json() as { id: number };
    expect((await call('cmaa.officer', 'POST', `/api/submissions/${draft.id}/submit`)).statusCode).toBe(200);
    const own = await call('admin', 'POST', `/api/submissions/${draft.id}/approve`);
    expect(own.statusCode).toBe(403);
    expect(own.json()).toMatchObject({ code: 'workflow.four-eyes' });
    await expect(db.query(`update submission set decided_by = content_by where id = $1`, [draft.id])).rejects.toThrow(/submission_four_eyes/);
  });

  it('stops an approval whose items the official record gained since, naming them, and applies nothing', async () => {
    const first = (await call('halo.officer', 'POST', '/api/submissions?kind=hazards', hazards('RACE-1'), 'application/geo+json')).json() as { id: number };
    const second = (await call('cmac.officer', 'POST', '/api/submissions?kind=hazards', hazardsOf('CMAC', 'RACE-1', 'RACE-2'), 'application/geo+json')).json() as { id: number };
    await call('halo.officer', 'POST', `/api/submissions/${first.id}/submit`);
    await call('cmac.officer', 'POST', `/api/submissions/${second.id}/submit`);
    expect((await call('cmaa.reviewer', 'POST', `/api/submissions/${first.id}/approve`)).statusCode).toBe(200);
    const conflict = await call('cmaa.reviewer', 'POST', `/api/submissions/${second.id}/approve`);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ code: 'workflow.conflict', conflicts: [{ ref: 'RACE-1', code: 'ref.exists' }] });
    expect(await count(db, `hazard where ref = 'RACE-2'`)).toBe(0);
    expect((await call('cmaa.reviewer', 'GET', `/api/submissions/${second.id}`)).json()).toMatchObject({ state: 'submitted' });
  });

  it('rejects with a reason', async () => {
    const draft = (await call('cmac.officer', 'POST', '/api/submissions?kind=hazards', JSON.stringify({ items: JSON.parse(hazardsOf('CMAC', 'REJ-1')).features }))).json() as { id: number; file_name: string };
    expect(draft.file_name).toBe('form-hazards.geojson');
    await call('cmac.officer', 'POST', `/api/submissions/${draft.id}/submit`);
    const rejected = await call('cmaa.reviewer', 'POST', `/api/submissions/${draft.id}/reject`, JSON.stringify({ reason: 'duplicate of HZ-BB-0002' }));
    expect(rejected.json()).toMatchObject({ state: 'rejected', decision: { reason: 'duplicate of HZ-BB-0002' } });
    expect((await call('cmac.officer', 'POST', `/api/submissions/${draft.id}/submit`)).statusCode).toBe(409);
  });
});

describe('an operator submits its own work', () => {
  it('refuses an item naming another operator, and an update of another organisation\'s record, naming the field', async () => {
    const draft = await call('cmac.officer', 'POST', '/api/submissions?kind=hazards', collection([
      hazardFeature({ ref: 'OWN-1', operator: 'HALO' }, circle(103.5, 13.3, 100)),
      hazardFeature({ ref: 'SUB-2', operator: 'CMAC' }, circle(102.91, 13.2, 150)),
    ]), 'application/geo+json');
    const { validation } = draft.json() as { validation: { errorCount: number; errors: { ref: string; field: string; code: string; reason: string }[] } };
    // SUB-2 is refused twice over: it is HALO's record, and no update moves a record to another operator.
    expect(validation.errorCount).toBe(3);
    expect(validation.errors).toEqual(expect.arrayContaining([
      expect.objectContaining({ ref: 'OWN-1', field: 'operator', code: 'operator.other-organisation', reason: "CMAC submits its own work, not HALO's" }),
      expect.objectContaining({ ref: 'SUB-2', field: 'ref', code: 'operator.other-organisation', reason: expect.stringContaining("hazard SUB-2 of the official record is HALO's") }),
      expect.objectContaining({ ref: 'SUB-2', field: 'operator', code: 'operator.change-refused', reason: expect.stringContaining('hazard SUB-2 belongs to HALO: an update cannot give it to CMAC') }),
    ]));
  });

  it('lets the authority\'s data officer submit for any organisation', async () => {
    const draft = await call('cmaa.officer', 'POST', '/api/submissions?kind=hazards', collection([hazardFeature({ ref: 'SUB-2', operator: 'HALO', notes: 'corrected by CMAA' }, circle(102.91, 13.2, 150))]), 'application/geo+json');
    expect((draft.json() as { validation: { errorCount: number } }).validation.errorCount).toBe(0);
  });
});
