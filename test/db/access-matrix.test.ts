// The access matrix, generated from the routes (ROUTES) and the access policy: for every route and every
// caller (each role at its own organisation, an operator of another organisation, nobody), the calls the
// policy allows succeed and the others get 401, 403 or 404 without the data they guard. It fails for a route
// that has no rule or no sample request below: a new route is a new line here. Public answers are checked to
// carry no staff username, file name or free text.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { ROUTES } from '../../src/api/routes.ts';
import { route, type RouteSpec } from '../../src/api/route.ts';
import { KIND_IDS } from '../../src/kinds/registry.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import { importRecords } from '../../src/app/import-records.ts';
import { MIGRATION_IMPORT_ACTION, migrationImport } from '../../src/app/migration-import.ts';
import type { Database } from '../../src/db/engine.ts';
import { ROLES, type Principal, type Role } from '../../src/domain/roles.ts';
import { can, ruleOf, scopesByRole, type Action } from '../../src/domain/access-policy.ts';
import { freezeReport } from '../../src/app/frozen-reports.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { circle, collection, fixturesDir, hazardFeature, TODAY } from '../support/fixtures.ts';

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
const username = (caller: Caller): string => (caller === 'other_operator' ? 'other.operator' : caller.replace(/_/g, '.'));

/** The caller as the policy sees it. */
function principalOf(caller: Caller): Principal | null {
  if (caller === 'anonymous') return null;
  const role: Role = caller === 'other_operator' ? 'operator_data_officer' : caller;
  return { userId: 0, username: username(caller), role, organisation: caller === 'other_operator' ? 'CMAC' : ORGANISATION[role], via: 'token' };
}

// What the public must never be shown (point 5): staff names, the file a record came from, free text.
const STAFF = 'staff.importer';
const FILE = 'secret-survey-file';
const NOTE = 'NOTE-SECRET-TEXT';
const REASON = 'REASON-SECRET-TEXT';
const FREEZER = 'staff.freezer';

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  for (const kind of ['hazards', 'releases'] as const) {
    const text = fs.readFileSync(path.join(fixturesDir, `${kind}-small.geojson`), 'utf8');
    const report = await importRecords(db, { kind, text, fileName: `${FILE}-${kind}.geojson`, actor: STAFF, today: TODAY });
    expect(report.stored, kind).toBe(true);
  }
  for (const role of ROLES) {
    await addUser(db, { username: username(role), role, organisation: ORGANISATION[role], password: 'a-long-password' }, 'test');
    tokens.set(role, (await createApiToken(db, username(role), 'matrix', 'test')).token);
  }
  await addUser(db, { username: 'other.operator', role: 'operator_data_officer', organisation: 'CMAC', password: 'a-long-password' }, 'test');
  tokens.set('other_operator', (await createApiToken(db, 'other.operator', 'matrix', 'test')).token);
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 1024 * 1024 });
  await freezeReport(db, { report: 'land-release', by: 'province', asOf: '2020-12-31', name: 'Matrix 2020', actor: FREEZER });
  // Changed after the freeze: the comparison lists it, with who changed it and from which file.
  const secret = collection([hazardFeature({ ref: 'HZ-SECRET', notes: NOTE }, circle(102.9, 13.3, 150))]);
  expect((await importRecords(db, { kind: 'hazards', text: secret, fileName: `${FILE}.geojson`, actor: STAFF, today: TODAY })).stored).toBe(true);
  const status = await call('administrator', 'POST', '/api/hazards/HZ-SECRET/status', JSON.stringify({ status: 'reopened', reason: REASON }));
  expect(status.statusCode).toBe(200);
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

/** A submission of hazards prepared by `by`, left in `state`. */
async function submissionIn(by: 'operator_data_officer' | 'other_operator', state: 'draft' | 'submitted'): Promise<{ id: number; ref: string }> {
  const ref = newRef();
  const created = await call(by, 'POST', '/api/submissions?kind=hazards', hazardFile(ref), 'application/geo+json');
  expect(created.statusCode).toBe(201);
  const id = (created.json() as { id: number }).id;
  if (state === 'submitted') expect((await call(by, 'POST', `/api/submissions/${id}/submit`)).statusCode).toBe(200);
  return { id, ref };
}

/** One request to a route, made fresh for each caller (a decision can only be taken once). */
interface Sample {
  url: string;
  body?: string;
  contentType?: string;
  /** The kind and organisation whose work the request touches, when the policy's answer depends on them. */
  kind?: string;
  organisation?: string;
  /** Text the answer holds only when the call is allowed: a refusal must not carry it. */
  secret?: string;
  /** The answer an allowed call gets, when it is not a success (who is signed in, asked anonymously). */
  ok?: (caller: Caller) => readonly number[];
}

const SUCCESS = [200, 201, 202, 204] as const;
const releaseFile = (): string => {
  const file = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'releases-small.geojson'), 'utf8')) as { features: unknown[] };
  return collection([file.features[0]]);
};
const findFile = (ref: string) => collection([{ type: 'Feature', properties: { ref, category: 'AP', model: 'PMN-2', quantity: 1, found_on: '2025-03-01', operator: 'HALO' }, geometry: { type: 'Point', coordinates: [103.198012, 13.095034] } }]);
const IMPORT_FILES: Record<string, (ref: string) => string> = { hazards: hazardFile, releases: releaseFile, finds: findFile };

/** A sample request for every route, by "METHOD path" as declared. */
const SAMPLES: Record<string, () => Promise<Sample>> = {
  'POST /api/session': async () => ({ url: '/api/session', body: JSON.stringify({ username: 'operator.viewer', password: 'a-long-password' }) }),
  'GET /api/session': async () => ({ url: '/api/session', ok: (caller) => (caller === 'anonymous' ? [401] : [200]) }),
  'DELETE /api/session': async () => ({ url: '/api/session' }),
  'GET /api/access': async () => ({ url: '/api/access' }),
  'GET /api/health': async () => ({ url: '/api/health' }),
  'GET /api/config': async () => ({ url: '/api/config' }),
  'GET /api/organisations': async () => ({ url: '/api/organisations' }),
  'GET /api/admin-units': async () => ({ url: '/api/admin-units?level=province&format=json' }),
  'GET /api/kinds': async () => ({ url: '/api/kinds' }),
  'GET /api/hazards': async () => ({ url: '/api/hazards?limit=5' }),
  'GET /api/hazards/:ref': async () => ({ url: '/api/hazards/HZ-SECRET' }),
  'GET /api/hazards/:ref/history': async () => ({ url: '/api/hazards/HZ-SECRET/history' }),
  'GET /api/releases': async () => ({ url: '/api/releases?limit=5' }),
  'GET /api/releases/:ref/history': async () => ({ url: '/api/releases/LR-0001/history' }),
  'GET /api/finds': async () => ({ url: '/api/finds?format=geojson' }),
  'GET /api/finds/:ref': async () => ({ url: '/api/finds/LR-0002-D1' }),
  'GET /api/finds/:ref/history': async () => ({ url: '/api/finds/LR-0002-D1/history' }),
  'GET /api/reports/finds': async () => ({ url: '/api/reports/finds?by=province' }),
  'GET /api/reports/land-release': async () => ({ url: '/api/reports/land-release?by=province&as_of=2020-12-31' }),
  'GET /api/reports/land-release/releases': async () => ({ url: '/api/reports/land-release/releases?by=province&unit=24' }),
  'GET /api/reports/frozen': async () => ({ url: '/api/reports/frozen' }),
  'GET /api/reports/frozen/:name': async () => ({ url: '/api/reports/frozen/Matrix%202020' }),
  'GET /api/reports/frozen/:name/compare': async () => ({ url: '/api/reports/frozen/Matrix%202020/compare' }),
  'POST /api/reports/frozen': async () => {
    const name = `Frozen ${newRef()}`;
    return { url: '/api/reports/frozen', body: JSON.stringify({ report: 'land-release', by: 'province', as_of: '2019-12-31', name }), secret: name };
  },
  // HALO's release LR-0001 (Pailin, February 2018, cancelled) is what the comparison shows and a refusal must not.
  'POST /api/reports/discrepancy': async () => ({
    url: '/api/reports/discrepancy?organisation=HALO', organisation: 'HALO', secret: 'LR-0001',
    body: JSON.stringify({ rows: [{ province: '24', month: '2018-02', kind: 'cancelled', released_m2: 1 }] }),
  }),
  'GET /api/audit': async () => ({ url: '/api/audit?limit=50', secret: STAFF }),
  'POST /api/hazards/:ref/status': async () => {
    const reason = `Inspection ${newRef()}`;
    return { url: '/api/hazards/HZ-PL-0001/status', body: JSON.stringify({ status: 'reopened', reason }), secret: reason };
  },
  ...Object.fromEntries(KIND_IDS.map((kind) => [`POST /api/imports/${kind}`, async (): Promise<Sample> => {
    const ref = newRef();
    return { url: `/api/imports/${kind}`, body: IMPORT_FILES[kind]!(ref), contentType: 'application/geo+json', kind, secret: kind === 'releases' ? 'submission_id' : ref };
  }])),
  'POST /api/submissions': async () => {
    const ref = newRef();
    return { url: '/api/submissions?kind=hazards', body: hazardFile(ref), contentType: 'application/geo+json', secret: ref };
  },
  'GET /api/submissions': async () => ({ url: '/api/submissions' }),
  'GET /api/submissions/:id': async () => {
    const { id, ref } = await submissionIn('operator_data_officer', 'submitted');
    return { url: `/api/submissions/${id}`, organisation: 'HALO', secret: ref };
  },
  'GET /api/submissions/:id/items': async () => {
    const { id, ref } = await submissionIn('operator_data_officer', 'submitted');
    return { url: `/api/submissions/${id}/items`, organisation: 'HALO', secret: ref };
  },
  'PUT /api/submissions/:id': async () => {
    const { id, ref } = await submissionIn('operator_data_officer', 'draft');
    return { url: `/api/submissions/${id}`, body: hazardFile(ref), contentType: 'application/geo+json', organisation: 'HALO', secret: ref };
  },
  'POST /api/submissions/:id/submit': async () => {
    const { id, ref } = await submissionIn('operator_data_officer', 'draft');
    return { url: `/api/submissions/${id}/submit`, organisation: 'HALO', secret: ref };
  },
  'POST /api/submissions/:id/approve': async () => {
    const { id, ref } = await submissionIn('other_operator', 'submitted');
    return { url: `/api/submissions/${id}/approve`, kind: 'hazards', organisation: 'CMAC', secret: ref };
  },
  'POST /api/submissions/:id/return': async () => {
    const { id, ref } = await submissionIn('other_operator', 'submitted');
    return { url: `/api/submissions/${id}/return`, body: JSON.stringify({ reasons: [{ item: ref, reason: 'y' }] }), kind: 'hazards', organisation: 'CMAC', secret: ref };
  },
  'POST /api/submissions/:id/reject': async () => {
    const { id, ref } = await submissionIn('other_operator', 'submitted');
    return { url: `/api/submissions/${id}/reject`, body: JSON.stringify({ reason: 'no' }), kind: 'hazards', organisation: 'CMAC', secret: ref };
  },
  // Each allowed call gives the record to the operator it does not have yet, so each is a real change (200).
  ...Object.fromEntries(KIND_IDS.map((kind) => [`POST /api/${kind}/:ref/owner`, async (): Promise<Sample> => {
    const ref = { hazards: 'HZ-PL-0001', releases: 'LR-0001', finds: 'LR-0002-D1' }[kind];
    const table = { hazards: 'hazard', releases: 'land_release', finds: 'find' }[kind];
    const now = (await db.query<{ operator_code: string | null }>(`select operator_code from ${table} where ref = $1`, [ref])).rows[0]!.operator_code;
    const reason = `Handover ${newRef()}`;
    return { url: `/api/${kind}/${ref}/owner`, body: JSON.stringify({ operator: now === 'HALO' ? 'CMAC' : 'HALO', reason }), kind, secret: reason };
  }])),
  'PUT /api/submissions/:id/reconciliation': async () => {
    const { id, ref } = await submissionIn('other_operator', 'submitted');
    return { url: `/api/submissions/${id}/reconciliation`, body: JSON.stringify({ items: [{ item: 0, action: 'new', targets: [] }] }), kind: 'hazards', organisation: 'CMAC', secret: ref };
  },
};

/** What any change leaves behind. */
async function traces(): Promise<Record<string, number>> {
  const result = await db.query<Record<string, number>>(
    `select (select count(*)::int from audit_event) as audit, (select count(*)::int from submission) as submissions,
            (select count(*)::int from frozen_report) as frozen, (select count(*)::int from hazard_version) as hazard_versions`,
  );
  return result.rows[0]!;
}

const key = (spec: RouteSpec) => `${spec.method} ${spec.path}`;

/** What the policy says of this caller and this request. */
function allowed(caller: Caller, spec: RouteSpec, sample: Sample): boolean {
  const kind = sample.kind ?? spec.access.kind;
  return can(principalOf(caller), spec.access.action, {
    ...(kind === undefined ? {} : { kind }),
    ...(sample.organisation === undefined ? {} : { organisation: sample.organisation }),
  });
}

describe('the access matrix, generated from the routes and the policy', () => {
  it('has a rule and a sample request for every route the server has', () => {
    const missing = ROUTES.filter((spec) => !ruleOf(spec.access.action, spec.access.kind) || !SAMPLES[key(spec)]).map(key);
    expect(missing).toEqual([]);
  });

  it('refuses to build a server with a route that has no rule', async () => {
    const open = { ...route({ method: 'GET', path: '/api/open', summary: 'no rule', tags: [], responses: {}, access: { action: 'read' }, handler: async () => 'x' }) } as Partial<RouteSpec>;
    delete open.access;
    await expect(buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 1024 }, { routes: [open as RouteSpec] })).rejects.toThrow(/GET \/api\/open declares no access/);
    const unknown = route({ method: 'GET', path: '/api/odd', summary: 'unknown kind', tags: [], responses: {}, access: { action: 'read', kind: 'victims' }, handler: async () => 'x' });
    await expect(buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 1024 }, { routes: [unknown] })).rejects.toThrow(/no rule/);
    const noAction = route({ method: 'GET', path: '/api/what', summary: 'unknown action', tags: [], responses: {}, access: { action: 'anything' as Action }, handler: async () => 'x' });
    await expect(buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 1024 }, { routes: [noAction] })).rejects.toThrow(/declares no access/);
  });

  it('says in the OpenAPI document who may call each route, from the policy', async () => {
    const document = (await call('anonymous', 'GET', '/api/openapi.json')).json() as { paths: Record<string, Record<string, { description?: string; 'x-clearway-access': { action: string; scopes: unknown } }>> };
    for (const spec of ROUTES) {
      const operation = document.paths[spec.path.replace(/:([a-zA-Z_]+)/g, '{$1}')]?.[spec.method.toLowerCase()];
      expect(operation?.['x-clearway-access'], key(spec)).toMatchObject({ action: spec.access.action, scopes: scopesByRole(spec.access.action, spec.access.kind) });
      if (scopesByRole(spec.access.action, spec.access.kind).anonymous === null) expect(operation?.description, key(spec)).toMatch(/Who may call it: \w+ \((own|any) organisation/);
    }
  });

  // One test per route: every caller, allowed or refused as the policy says.
  it.each(ROUTES.map((spec) => [key(spec), spec] as const))('%s answers each caller as the policy says', async (_name, spec) => {
    const make = SAMPLES[key(spec)];
    if (!make) throw new Error(`${key(spec)} has no sample request: add one to SAMPLES`);
    for (const caller of CALLERS) {
      const sample = await make();
      const before = spec.method === 'GET' ? null : await traces();
      const response = await call(caller, spec.method, sample.url, sample.body, sample.contentType);
      const label = `${caller} ${spec.method} ${sample.url} (${response.statusCode}: ${response.body.slice(0, 200)})`;
      if (allowed(caller, spec, sample)) {
        expect(sample.ok?.(caller) ?? SUCCESS, label).toContain(response.statusCode);
      } else {
        expect([401, 403, 404], label).toContain(response.statusCode);
        expect(response.statusCode === 401, label).toBe(caller === 'anonymous');
        expect(response.headers['content-type'], label).toContain('application/problem+json');
        if (sample.secret) expect(response.body, label).not.toContain(sample.secret);
        // A refused change leaves no trace: no audit entry, no submission, no frozen report, no new version.
        if (before) expect(await traces(), label).toEqual(before);
      }
    }
  });
});

describe('the public answers', () => {
  const publicReads = ROUTES.filter((spec) => spec.method === 'GET' && can(null, spec.access.action, spec.access.kind ? { kind: spec.access.kind } : {}));

  it.each(['anonymous', 'donor_viewer'] as const)('never show %s a staff username, a file name or free text', async (caller) => {
    expect(publicReads.length).toBeGreaterThan(15);
    for (const spec of publicReads) {
      const sample = await SAMPLES[key(spec)]!();
      const response = await call(caller, 'GET', sample.url);
      for (const secret of [STAFF, FILE, NOTE, REASON, FREEZER, 'administrator']) expect(response.body, `${caller} ${sample.url}`).not.toContain(secret);
    }
  });

  it('show the staff who changed a record, from which file and why', async () => {
    const detail = (await call('authority_reviewer', 'GET', '/api/hazards/HZ-SECRET')).body;
    for (const secret of [STAFF, FILE, NOTE, REASON]) expect(detail).toContain(secret);
    expect((await call('operator_viewer', 'GET', '/api/reports/frozen/Matrix%202020/compare')).body).toContain(STAFF);
    expect((await call('authority_reviewer', 'GET', '/api/reports/frozen/Matrix%202020')).body).toContain(FREEZER);
  });
});

describe('the workflow rules beside the policy', () => {
  it('keeps a draft its preparers\' own: the authority sees submitted work, not another organisation\'s drafts', async () => {
    const draft = await submissionIn('other_operator', 'draft');
    for (const caller of ['administrator', 'authority_reviewer', 'operator_data_officer'] as const) {
      const one = await call(caller, 'GET', `/api/submissions/${draft.id}`);
      expect(one.statusCode, caller).toBe(404);
      expect(one.body).not.toContain(draft.ref);
      expect(((await call(caller, 'GET', '/api/submissions')).json() as { items: { id: number }[] }).items.map((s) => s.id)).not.toContain(draft.id);
    }
    expect((await call('other_operator', 'GET', `/api/submissions/${draft.id}`)).statusCode).toBe(200);
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

  it('makes an authority officer\'s API import a submission another person approves, never the record at once', async () => {
    const ref = newRef();
    const sent = await call('administrator', 'POST', '/api/imports/hazards', hazardFile(ref), 'application/geo+json');
    expect(sent.statusCode).toBe(202);
    const report = sent.json() as { stored: boolean; submission_id: number; accepted: number };
    expect(report).toMatchObject({ stored: false, accepted: 1 });
    expect((await call('anonymous', 'GET', `/api/hazards/${ref}`)).statusCode).toBe(404);
    const submission = (await call('authority_reviewer', 'GET', `/api/submissions/${report.submission_id}`)).json() as { state: string; kind: string; submitted_by: string };
    expect(submission).toMatchObject({ state: 'submitted', kind: 'hazards', submitted_by: 'administrator' });
    // Whoever sent it cannot approve it, even an administrator (four eyes); a reviewer can, and then it is in the record.
    expect((await call('administrator', 'POST', `/api/submissions/${report.submission_id}/approve`)).json()).toMatchObject({ status: 403, code: 'workflow.four-eyes' });
    expect((await call('authority_reviewer', 'POST', `/api/submissions/${report.submission_id}/approve`)).statusCode).toBe(200);
    expect((await call('anonymous', 'GET', `/api/hazards/${ref}`)).statusCode).toBe(200);
    const dry = await call('authority_data_officer', 'POST', '/api/imports/hazards?dry_run=true', hazardFile(newRef()), 'application/geo+json');
    expect(dry.json()).toMatchObject({ dryRun: true, stored: false });
    expect(dry.json()).not.toHaveProperty('submission_id');
  });

  it('audits the CLI\'s import as an administrator\'s migration import, naming the OS-level actor', async () => {
    const ref = newRef();
    const report = await migrationImport(db, { kind: 'hazards', fileName: 'legacy.geojson', text: hazardFile(ref), today: TODAY }, { osUser: 'deploy', host: 'records-server' });
    expect(report.stored).toBe(true);
    const audit = await db.query<{ actor: string; details: Record<string, unknown> }>(`select actor, details from audit_event where action = $1 order by id desc limit 1`, [MIGRATION_IMPORT_ACTION]);
    expect(audit.rows[0]).toMatchObject({ actor: 'cli:deploy', details: { via: 'cli', os_user: 'deploy', host: 'records-server', kind: 'hazards', file: 'legacy.geojson', accepted: 1, batch_id: report.batchId } });
    const history = await db.query<{ changed_by: string }>(`select v.changed_by from hazard_version v join hazard h on h.id = v.id where h.ref = $1`, [ref]);
    expect(history.rows).toEqual([{ changed_by: 'cli:deploy' }]);
  });
});
