// Every role against every route, for its own organisation's data and another's: the allowed calls succeed,
// the rest get 401, 403 or 404, and no refused answer carries the data it guards. The expected outcomes are
// written here from the rules (issue 4, DOMAIN.md), not read from the code.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { ROUTES } from '../../src/api/routes.ts';
import { KIND_IDS, kindOf } from '../../src/kinds/registry.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import type { Database } from '../../src/db/engine.ts';
import { ROLES, type Role } from '../../src/domain/roles.ts';
import { freezeReport } from '../../src/app/frozen-reports.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { circle, collection, hazardFeature, importFixture } from '../support/fixtures.ts';

let db: Database;
let app: FastifyInstance;
const tokens = new Map<string, string>();
let sequence = 0;

/** Who calls: each role at its own organisation, an operator officer of another organisation, and nobody. */
const CALLERS = [...ROLES, 'other_operator', 'anonymous'] as const;
type Caller = (typeof CALLERS)[number];
const ORGANISATION: Record<Role, string> = {
  administrator: 'CMAA',
  authority_data_officer: 'CMAA',
  authority_reviewer: 'CMAA',
  operator_data_officer: 'HALO',
  operator_viewer: 'HALO',
  donor_viewer: 'UNDP',
};

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  await importFixture(db, 'hazards', 'hazards-small.geojson');
  await importFixture(db, 'releases', 'releases-small.geojson');
  for (const role of ROLES) {
    await addUser(db, { username: role.replace(/_/g, '.'), role, organisation: ORGANISATION[role], password: 'a-long-password' }, 'test');
    tokens.set(role, (await createApiToken(db, role.replace(/_/g, '.'), 'matrix', 'test')).token);
  }
  await addUser(db, { username: 'other.operator', role: 'operator_data_officer', organisation: 'CMAC', password: 'a-long-password' }, 'test');
  tokens.set('other_operator', (await createApiToken(db, 'other.operator', 'matrix', 'test')).token);
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 1024 * 1024 });
  await freezeReport(db, { report: 'land-release', by: 'province', asOf: '2020-12-31', name: 'Matrix 2020', actor: 'test' });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

function call(caller: Caller, method: string, url: string, payload?: string, contentType = 'application/json'): Promise<LightMyRequestResponse> {
  const token = tokens.get(caller);
  return app.inject({
    method: method as 'GET',
    url,
    payload,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload ? { 'content-type': contentType } : {}) },
  });
}

const newRef = () => `MX-${++sequence}`;
const hazardFile = (ref: string) => collection([hazardFeature({ ref }, circle(103.1 + (sequence % 50) * 0.01, 13.6, 120))]);

/** A submission prepared by `by` (a submitting caller), left in `state`. */
async function submissionIn(by: 'operator_data_officer' | 'other_operator', state: 'draft' | 'submitted'): Promise<{ id: number; ref: string }> {
  const ref = newRef();
  const created = await call(by, 'POST', '/api/submissions?kind=hazards', hazardFile(ref), 'application/geo+json');
  const id = (created.json() as { id: number }).id;
  if (state === 'submitted') expect((await call(by, 'POST', `/api/submissions/${id}/submit`)).statusCode).toBe(200);
  return { id, ref };
}

const refused = (response: LightMyRequestResponse, secret: string) => {
  expect([401, 403, 404]).toContain(response.statusCode);
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(response.body).not.toContain(secret);
};

const PUBLIC_READS = [
  '/api/health', '/api/config', '/api/organisations', '/api/admin-units?level=province', '/api/hazards', '/api/hazards?format=geojson',
  '/api/hazards/HZ-PL-0001', '/api/hazards/HZ-PL-0001/history', '/api/releases', '/api/releases/LR-0001/history',
  '/api/reports/land-release?by=province', '/api/reports/land-release/releases?by=province&unit=24', '/api/openapi.json',
  '/api/finds', '/api/finds?format=geojson', '/api/finds/LR-0002-D1', '/api/finds/LR-0002-D1/history', '/api/reports/finds?by=province', '/api/kinds',
  '/api/reports/land-release?by=province&as_of=2020-12-31', '/api/reports/frozen', '/api/reports/frozen/Matrix%202020',
  '/api/reports/frozen/Matrix%202020?format=csv', '/api/reports/frozen/Matrix%202020/compare',
];

const SUBMITTERS: readonly Caller[] = ['administrator', 'authority_data_officer', 'operator_data_officer', 'other_operator'];
const REVIEWERS: readonly Caller[] = ['administrator', 'authority_reviewer'];
const AUTHORITY: readonly Caller[] = ['administrator', 'authority_data_officer', 'authority_reviewer'];

describe('the access matrix', () => {
  it('covers every route the server has', () => {
    const covered = new Set([
      ...PUBLIC_READS.map((url) => `GET ${url.split('?')[0]!.replace('HZ-PL-0001', ':ref').replace('LR-0001', ':ref').replace('LR-0002-D1', ':ref')}`),
      ...KIND_IDS.map((kind) => `POST /api/imports/${kind}`), 'GET /api/audit', 'POST /api/session', 'GET /api/session', 'DELETE /api/session',
      'POST /api/submissions', 'GET /api/submissions', 'GET /api/submissions/:id', 'GET /api/submissions/:id/items', 'PUT /api/submissions/:id',
      'POST /api/submissions/:id/submit', 'POST /api/submissions/:id/approve', 'POST /api/submissions/:id/return', 'POST /api/submissions/:id/reject',
      'PUT /api/submissions/:id/reconciliation',
      'POST /api/reports/discrepancy',
      'POST /api/reports/frozen', 'GET /api/reports/frozen/:name', 'GET /api/reports/frozen/:name/compare', 'POST /api/hazards/:ref/status',
      ...KIND_IDS.map((kind) => `POST /api/${kind}/:ref/owner`),
    ]);
    const missing = ROUTES.map((r) => `${r.method} ${r.path}`).filter((route) => !covered.has(route));
    expect(missing).toEqual([]);
  });

  it.each(CALLERS)('lets %s read the published official record', async (caller) => {
    for (const url of PUBLIC_READS) expect((await call(caller, 'GET', url)).statusCode, url).toBe(200);
  });

  it.each(CALLERS)('lets %s import straight into the official record only if it is the authority\'s data work', async (caller) => {
    const ref = newRef();
    // Who may import each kind is the kind's declaration's to say; the matrix asks it.
    for (const kind of KIND_IDS) {
      const response = await call(caller, 'POST', `/api/imports/${kind}?dry_run=true`, hazardFile(ref), 'application/geo+json');
      const role = caller === 'other_operator' ? 'operator_data_officer' : caller === 'anonymous' ? null : caller;
      if (role !== null && kindOf(kind).access.import.includes(role)) expect([200, 422]).toContain(response.statusCode);
      else refused(response, ref);
    }
  });

  it.each(CALLERS)('lets %s read the audit log only at the authority', async (caller) => {
    const response = await call(caller, 'GET', '/api/audit?limit=5');
    if (AUTHORITY.includes(caller)) expect(response.statusCode).toBe(200);
    else refused(response, 'session.sign-in');
  });

  it.each(CALLERS)('lets %s change who owns a record only at the authority', async (caller) => {
    // Naming the owner it already has: the authority gets past the access rule to "already belongs" (409),
    // and nothing changes whoever calls.
    const response = await call(caller, 'POST', '/api/hazards/HZ-PL-0001/owner', JSON.stringify({ operator: 'HALO', reason: 'matrix' }));
    if (AUTHORITY.includes(caller)) expect(response.json()).toMatchObject({ status: 409, code: 'owner.unchanged' });
    else refused(response, 'owner.unchanged');
  });

  it.each(CALLERS)('lets %s create a submission only in a submitting role', async (caller) => {
    const ref = newRef();
    const response = await call(caller, 'POST', '/api/submissions?kind=hazards', hazardFile(ref), 'application/geo+json');
    if (SUBMITTERS.includes(caller)) expect(response.statusCode).toBe(201);
    else refused(response, ref);
  });

  it.each(CALLERS)('shows %s only the submissions it may see', async (caller) => {
    const ownDraft = await submissionIn('operator_data_officer', 'draft');
    const ownSubmitted = await submissionIn('operator_data_officer', 'submitted');
    const otherDraft = await submissionIn('other_operator', 'draft');
    const otherSubmitted = await submissionIn('other_operator', 'submitted');
    // What each caller may open: operators their organisation's; the authority all submitted ones; others none.
    const expected: Record<string, boolean> = {
      [ownDraft.ref]: caller === 'operator_data_officer' || caller === 'operator_viewer',
      [ownSubmitted.ref]: caller === 'operator_data_officer' || caller === 'operator_viewer' || AUTHORITY.includes(caller),
      [otherDraft.ref]: caller === 'other_operator',
      [otherSubmitted.ref]: caller === 'other_operator' || AUTHORITY.includes(caller),
    };
    const list = await call(caller, 'GET', '/api/submissions?limit=10000');
    for (const [submission, ref] of [[ownDraft, ownDraft.ref], [ownSubmitted, ownSubmitted.ref], [otherDraft, otherDraft.ref], [otherSubmitted, otherSubmitted.ref]] as const) {
      const one = await call(caller, 'GET', `/api/submissions/${submission.id}`);
      const items = await call(caller, 'GET', `/api/submissions/${submission.id}/items`);
      if (expected[ref]) {
        expect(one.statusCode, `${caller} opens ${ref}`).toBe(200);
        expect(items.statusCode, `${caller} reviews ${ref}`).toBe(200);
        expect((list.json() as { items: unknown[] }).items).toEqual(expect.arrayContaining([expect.objectContaining({ id: submission.id })]));
      } else {
        refused(one, ref);
        refused(items, ref);
        if (list.statusCode === 200) expect((list.json() as { items: { id: number }[] }).items.map((s) => s.id)).not.toContain(submission.id);
        else refused(list, ref);
      }
    }
  });

  it.each(CALLERS)('lets %s change or submit only its own organisation\'s drafts', async (caller) => {
    const own = await submissionIn('operator_data_officer', 'draft');
    const replaced = await call(caller, 'PUT', `/api/submissions/${own.id}`, hazardFile(own.ref), 'application/geo+json');
    const submitted = await call(caller, 'POST', `/api/submissions/${own.id}/submit`);
    if (caller === 'operator_data_officer') {
      expect(replaced.statusCode).toBe(200);
      expect(submitted.statusCode).toBe(200);
    } else {
      refused(replaced, own.ref);
      refused(submitted, own.ref);
    }
  });

  it.each(CALLERS)('lets %s decide on a submission only as a reviewer', async (caller) => {
    for (const [action, body] of [['approve', undefined], ['return', JSON.stringify({ reasons: [{ item: 'x', reason: 'y' }] })], ['reject', JSON.stringify({ reason: 'no' })]] as const) {
      const target = await submissionIn('other_operator', 'submitted');
      const response = await call(caller, 'POST', `/api/submissions/${target.id}/${action}`, body);
      if (REVIEWERS.includes(caller)) expect(response.statusCode, `${caller} ${action}`).toBe(200);
      else refused(response, target.ref);
    }
  });

  it.each(CALLERS)('lets %s reconcile items only as a reviewer', async (caller) => {
    const target = await submissionIn('other_operator', 'submitted');
    const response = await call(caller, 'PUT', `/api/submissions/${target.id}/reconciliation`, JSON.stringify({ items: [{ item: 0, action: 'new', targets: [] }] }));
    if (REVIEWERS.includes(caller)) expect(response.statusCode, caller).toBe(200);
    else refused(response, target.ref);
  });

  it.each(CALLERS)('lets %s compare an operator\'s summary with the record only for its own organisation, or as the authority', async (caller) => {
    // HALO's release LR-0001 (Pailin, February 2018, cancelled) is what the comparison shows and a refusal must not.
    const summary = JSON.stringify({ rows: [{ province: '24', month: '2018-02', kind: 'cancelled', released_m2: 1 }] });
    const response = await call(caller, 'POST', '/api/reports/discrepancy?organisation=HALO', summary);
    if (AUTHORITY.includes(caller) || caller === 'operator_data_officer' || caller === 'operator_viewer') {
      expect(response.statusCode, caller).toBe(200);
      expect(response.body).toContain('LR-0001');
    } else refused(response, 'LR-0001');
  });

  it.each(CALLERS)('lets %s freeze a report for publication only at the authority', async (caller) => {
    const name = `Frozen by ${caller}`;
    const response = await call(caller, 'POST', '/api/reports/frozen', JSON.stringify({ report: 'land-release', by: 'province', as_of: '2019-12-31', name }));
    if (AUTHORITY.includes(caller)) expect(response.statusCode, caller).toBe(201);
    else {
      refused(response, name);
      expect((await call('anonymous', 'GET', `/api/reports/frozen/${encodeURIComponent(name)}`)).statusCode).toBe(404);
    }
  });

  it.each(CALLERS)('lets %s set a hazard\'s status only at the authority', async (caller) => {
    const reason = `Inspection by ${caller}`;
    const response = await call(caller, 'POST', '/api/hazards/HZ-PL-0001/status', JSON.stringify({ status: 'reopened', reason }));
    if (AUTHORITY.includes(caller)) expect(response.statusCode, caller).toBe(200);
    else refused(response, reason);
  });

  it('never lets the submitter decide, even an administrator', async () => {
    const ref = newRef();
    const created = (await call('administrator', 'POST', '/api/submissions?kind=hazards', hazardFile(ref), 'application/geo+json')).json() as { id: number };
    await call('administrator', 'POST', `/api/submissions/${created.id}/submit`);
    for (const action of ['approve', 'reject'] as const) {
      const response = await call('administrator', 'POST', `/api/submissions/${created.id}/${action}`, action === 'reject' ? JSON.stringify({ reason: 'mine' }) : undefined);
      expect(response.statusCode).toBe(403);
    }
  });
});
