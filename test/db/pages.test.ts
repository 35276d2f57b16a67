// Every list route answers in pages: walked page by page, a list gives every item once, in the same order as
// one large page, with a total that counts them and `more` until the last page. The routes come from ROUTES:
// a paginated route without a sample URL here fails the first test.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { ROUTES } from '../../src/api/routes.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import { freezeReport } from '../../src/app/frozen-reports.ts';
import { setHazardStatus } from '../../src/app/hazard-status.ts';
import { changeRecordOwner } from '../../src/app/record-owner.ts';
import type { Database } from '../../src/db/engine.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { circle, collection, hazardFeature, importFixture } from '../support/fixtures.ts';

let db: Database;
let app: FastifyInstance;
const tokens: Record<string, string> = {};
let submissionId = 0;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  await importFixture(db, 'hazards', 'hazards-small.geojson');
  await importFixture(db, 'releases', 'releases-small.geojson');
  for (const [username, role, organisation] of [['halo.officer', 'operator_data_officer', 'HALO'], ['cmaa.reviewer', 'authority_reviewer', 'CMAA']] as const) {
    await addUser(db, { username, role, organisation, password: 'a-long-password' }, 'test');
    tokens[username] = (await createApiToken(db, username, 'test', 'test')).token;
  }
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 1024 * 1024 });
  // Lists of three or more of everything: submissions (with items), versions, frozen reports.
  for (let s = 0; s < 3; s++) {
    const file = collection([0, 1, 2].map((i) => hazardFeature({ ref: `PAGE-${s}-${i}`, operator: 'HALO' }, circle(103.0 + s * 0.05 + i * 0.01, 13.3, 100))));
    const created = await app.inject({ method: 'POST', url: '/api/submissions?kind=hazards', payload: file, headers: { authorization: `Bearer ${tokens['halo.officer']}`, 'content-type': 'application/geo+json' } });
    submissionId = (created.json() as { id: number }).id;
    await app.inject({ method: 'POST', url: `/api/submissions/${submissionId}/submit`, headers: { authorization: `Bearer ${tokens['halo.officer']}` } });
  }
  for (const name of ['Pages A', 'Pages B', 'Pages C']) await freezeReport(db, { report: 'land-release', by: 'province', asOf: '2020-12-31', name, actor: 'test' });
  await setHazardStatus(db, { ref: 'HZ-PL-0001', status: 'reopened', reason: 'pages', actor: 'test' });
  await setHazardStatus(db, { ref: 'HZ-PL-0001', status: 'computed', reason: 'pages', actor: 'test' });
  for (const [kind, ref] of [['releases', 'LR-0001'], ['finds', 'LR-0002-D1']] as const) {
    await changeRecordOwner(db, { kind, ref, operator: 'CMAC', reason: 'pages', actor: 'test' });
    await changeRecordOwner(db, { kind, ref, operator: 'HALO', reason: 'pages back', actor: 'test' });
  }
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

/** Each paginated route's URLs to walk, and who asks. */
const samples = (): Record<string, { who?: string; urls: string[] }> => ({
  '/api/submissions': { who: 'halo.officer', urls: ['/api/submissions', '/api/submissions?state=submitted'] },
  '/api/submissions/:id/items': { who: 'cmaa.reviewer', urls: [`/api/submissions/${submissionId}/items`] },
  '/api/organisations': { urls: ['/api/organisations'] },
  '/api/admin-units': { urls: ['/api/admin-units?level=province', '/api/admin-units?level=commune&parent=2401', '/api/admin-units?level=village&parent=240101&format=json'] },
  '/api/hazards': { urls: ['/api/hazards', '/api/hazards?format=geojson'] },
  '/api/hazards/:ref/history': { urls: ['/api/hazards/HZ-PL-0001/history'] },
  '/api/releases': { urls: ['/api/releases'] },
  '/api/releases/:ref/history': { urls: ['/api/releases/LR-0001/history'] },
  '/api/reports/land-release/releases': { urls: ['/api/reports/land-release/releases?by=operator&unit=HALO'] },
  '/api/audit': { who: 'cmaa.reviewer', urls: ['/api/audit'] },
  '/api/finds': { urls: ['/api/finds', '/api/finds?format=geojson'] },
  '/api/finds/:ref/history': { urls: ['/api/finds/LR-0002-D1/history'] },
  '/api/reports/frozen': { urls: ['/api/reports/frozen'] },
});

const paginated = ROUTES.filter((spec) => spec.method === 'GET' && !spec.unpaged).map((spec) => spec.path);

interface PageAnswer {
  items?: unknown[];
  features?: unknown[];
  total: number;
  limit: number;
  offset: number;
  more: boolean;
}

async function page(who: string | undefined, url: string, limit: number, offset: number): Promise<PageAnswer & { list: unknown[] }> {
  const response = await app.inject({
    method: 'GET', url: `${url}${url.includes('?') ? '&' : '?'}limit=${limit}&offset=${offset}`,
    headers: who ? { authorization: `Bearer ${tokens[who]}` } : {},
  });
  expect(response.statusCode, url).toBe(200);
  const answer = response.json() as PageAnswer;
  return { ...answer, list: answer.items ?? answer.features ?? [] };
}

describe('list routes', () => {
  it('has a sample to walk for every paginated route', () => {
    expect(paginated.filter((path) => !(path in samples()))).toEqual([]);
  });

  it('gives every item once, page after page, with the total and whether more follow', async () => {
    for (const path of paginated) {
      const { who, urls } = samples()[path]!;
      for (const url of urls) {
        const whole = await page(who, url, 5_000, 0);
        expect(whole.total, `${url}: a list to page through`).toBeGreaterThanOrEqual(3);
        expect(whole.list, url).toHaveLength(whole.total);
        expect(whole.more, url).toBe(false);
        // Three pages or so, the last one short.
        const size = Math.ceil(whole.total / 3);
        const walked: unknown[] = [];
        for (let offset = 0; ; offset += size) {
          const one = await page(who, url, size, offset);
          expect(one, url).toMatchObject({ total: whole.total, limit: size, offset });
          expect(one.list.length, url).toBeLessThanOrEqual(size);
          walked.push(...one.list);
          expect(one.more, `${url} offset ${offset}`).toBe(walked.length < whole.total);
          if (!one.more) break;
        }
        expect(new Set(walked.map((item) => JSON.stringify(item))).size, `${url}: pages overlap`).toBe(walked.length);
        expect(walked, `${url}: the pages are the whole list`).toEqual(whole.list);
      }
    }
  });

  it('refuses a page larger than the route allows, naming the field', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/organisations?limit=10001' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'request.invalid', issues: [expect.objectContaining({ field: 'limit' })] });
  });

  it('serves communes as GeoJSON, a page at a time', async () => {
    const communes = await page(undefined, '/api/admin-units?level=commune&format=geojson', 50, 0);
    expect(communes.total).toBeGreaterThan(1_000);
    expect(communes.list).toHaveLength(50);
    expect(communes.more).toBe(true);
    const feature = communes.list[0] as { properties: { level: string; code: string }; geometry: { type: string } | null };
    expect(feature.properties.level).toBe('commune');
    expect(feature.geometry?.type).toMatch(/Polygon/);
  });
});
