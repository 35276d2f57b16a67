// Accounts and sign-in, as people and machine clients meet them, on the engine under test.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { addUser, createApiToken, disableUser, revokeApiToken, SignInLimiter, verifyPassword } from '../../src/app/accounts.ts';
import type { Database } from '../../src/db/engine.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { circle, collection, hazardFeature } from '../support/fixtures.ts';

let db: Database;
let app: FastifyInstance;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  await addUser(db, { username: 'cmaa.officer', role: 'authority_data_officer', organisation: 'CMAA', password: PASSWORD }, 'test');
  await addUser(db, { username: 'halo.viewer', role: 'operator_viewer', organisation: 'HALO', password: PASSWORD }, 'test');
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 1024 * 1024 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const signIn = (username: string, password: string) =>
  app.inject({ method: 'POST', url: '/api/session', payload: JSON.stringify({ username, password }), headers: { 'content-type': 'application/json' } });

const sessionCookie = (response: LightMyRequestResponse) => {
  const cookie = response.cookies.find((c) => c.name === 'clearway_session');
  if (!cookie) throw new Error('no session cookie');
  return cookie;
};

const hazardFile = (ref: string) => collection([hazardFeature({ ref }, circle(103.8, 13.1, 150))]);

describe('accounts', () => {
  it('stores passwords as scrypt hashes, never as given', async () => {
    const stored = await db.query<{ password_hash: string }>(`select password_hash from app_user where username = 'cmaa.officer'`);
    const hash = stored.rows[0]!.password_hash;
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hash).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
    expect(await verifyPassword('wrong password', hash)).toBe(false);
  });

  it('refuses a role that does not fit the organisation, a short password and a taken username', async () => {
    await expect(addUser(db, { username: 'x.viewer', role: 'operator_viewer', organisation: 'CMAA', password: PASSWORD }, 'test')).rejects.toThrow(/operator/);
    await expect(addUser(db, { username: 'y.viewer', role: 'operator_viewer', organisation: 'HALO', password: 'short' }, 'test')).rejects.toThrow(/at least 10/);
    await expect(addUser(db, { username: 'halo.viewer', role: 'operator_viewer', organisation: 'HALO', password: PASSWORD }, 'test')).rejects.toThrow(/taken/);
  });
});

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie and returns a CSRF token', async () => {
    const response = await signIn('cmaa.officer', PASSWORD);
    expect(response.statusCode).toBe(200);
    const body = response.json() as { csrfToken: string; user: Record<string, string> };
    expect(body.user).toEqual({ username: 'cmaa.officer', role: 'authority_data_officer', organisation: 'CMAA' });
    expect(body.csrfToken.length).toBeGreaterThan(30);
    const cookie = sessionCookie(response);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const me = await app.inject({ method: 'GET', url: '/api/session', cookies: { clearway_session: cookie.value } });
    // A reloaded page learns its CSRF token again from the session it still has.
    expect(me.json()).toMatchObject({ username: 'cmaa.officer', csrfToken: body.csrfToken });
  });

  it('needs the CSRF token for a change made with the cookie', async () => {
    const response = await signIn('cmaa.officer', PASSWORD);
    const cookie = sessionCookie(response).value;
    const { csrfToken } = response.json() as { csrfToken: string };
    const headers = { 'content-type': 'application/geo+json' };
    const without = await app.inject({ method: 'POST', url: '/api/imports/hazards?dry_run=true', payload: hazardFile('CSRF-1'), headers, cookies: { clearway_session: cookie } });
    expect(without.statusCode).toBe(403);
    expect(without.json()).toMatchObject({ code: 'auth.csrf', detail: expect.stringContaining('X-CSRF-Token') });
    const withToken = await app.inject({ method: 'POST', url: '/api/imports/hazards?dry_run=true', payload: hazardFile('CSRF-1'), headers: { ...headers, 'x-csrf-token': csrfToken }, cookies: { clearway_session: cookie } });
    expect(withToken.statusCode).toBe(200);
    expect(withToken.json()).toMatchObject({ dryRun: true, accepted: 1 });
  });

  it('signs out: the cookie opens nothing afterwards', async () => {
    const response = await signIn('cmaa.officer', PASSWORD);
    const cookie = sessionCookie(response).value;
    const { csrfToken } = response.json() as { csrfToken: string };
    const out = await app.inject({ method: 'DELETE', url: '/api/session', cookies: { clearway_session: cookie }, headers: { 'x-csrf-token': csrfToken } });
    expect(out.statusCode).toBe(204);
    const me = await app.inject({ method: 'GET', url: '/api/session', cookies: { clearway_session: cookie } });
    expect(me.statusCode).toBe(401);
  });

  it('answers a wrong password and an unknown user alike, and slows down guessing', async () => {
    const wrong = await signIn('halo.viewer', 'not the password');
    const unknown = await signIn('nobody.here', 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().detail).toBe(unknown.json().detail);
    for (let i = 0; i < 4; i++) await signIn('halo.viewer', 'still wrong');
    const limited = await signIn('halo.viewer', PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'auth.rate-limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('sign-in cannot be forged or flooded', () => {
  it('refuses a sign-in posted as a form (text/plain) or from another site', async () => {
    const form = await app.inject({ method: 'POST', url: '/api/session', payload: JSON.stringify({ username: 'cmaa.officer', password: PASSWORD }), headers: { 'content-type': 'text/plain' } });
    expect(form.statusCode).toBe(415);
    expect(form.cookies).toEqual([]);
    const crossSite = await app.inject({ method: 'POST', url: '/api/session', payload: JSON.stringify({ username: 'cmaa.officer', password: PASSWORD }), headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.statusCode).toBe(403);
  });

  it('lets a browser with an old session cookie sign in again', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/session', payload: JSON.stringify({ username: 'cmaa.officer', password: PASSWORD }), headers: { 'content-type': 'application/json' }, cookies: { clearway_session: 'stale-or-foreign' } });
    expect(response.statusCode).toBe(200);
  });

  it('counts attempts sent all at once', async () => {
    await addUser(db, { username: 'flood.target', role: 'operator_viewer', organisation: 'HALO', password: PASSWORD }, 'test');
    const answers = await Promise.all(Array.from({ length: 12 }, () => signIn('flood.target', 'guess-guess-guess')));
    const codes = answers.map((a) => a.statusCode);
    expect(codes.filter((c) => c === 401).length).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(7);
  });

  it('ends the sessions and tokens of a disabled account at once', async () => {
    await addUser(db, { username: 'leaving.officer', role: 'operator_data_officer', organisation: 'HALO', password: PASSWORD }, 'test');
    const cookie = sessionCookie(await signIn('leaving.officer', PASSWORD)).value;
    const token = (await createApiToken(db, 'leaving.officer', 'test', 'test')).token;
    await disableUser(db, 'leaving.officer', 'test');
    expect((await app.inject({ method: 'GET', url: '/api/session', cookies: { clearway_session: cookie } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/hazards', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
    expect((await signIn('leaving.officer', PASSWORD)).statusCode).toBe(401);
  });
});

describe('roles on the import routes', () => {
  it('lets the anonymous public read but not import, and an operator viewer not import', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/hazards' })).statusCode).toBe(200);
    const anonymous = await app.inject({ method: 'POST', url: '/api/imports/hazards', payload: hazardFile('ROLE-1'), headers: { 'content-type': 'application/geo+json' } });
    expect(anonymous.statusCode).toBe(401);
    const viewer = await createApiToken(db, 'halo.viewer', 'test', 'test');
    const forbidden = await app.inject({ method: 'POST', url: '/api/imports/hazards', payload: hazardFile('ROLE-1'), headers: { 'content-type': 'application/geo+json', authorization: `Bearer ${viewer.token}` } });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ status: 403, code: 'auth.forbidden' });
    expect((await db.query(`select 1 from hazard where ref = 'ROLE-1'`)).rows).toHaveLength(0);
  });

  it('accepts an authority officer token, records who imported, and refuses it once revoked', async () => {
    const officer = await createApiToken(db, 'cmaa.officer', 'nightly sync', 'test');
    const headers = { 'content-type': 'application/geo+json', authorization: `Bearer ${officer.token}` };
    // The officer's import is a submission that another person approves (issue 8, point 5): it names who sent it.
    const sent = await app.inject({ method: 'POST', url: '/api/imports/hazards', payload: hazardFile('ROLE-2'), headers });
    expect(sent.statusCode).toBe(202);
    const { submission_id: id } = sent.json() as { submission_id: number };
    const who = await db.query<{ username: string; state: string }>(`select u.username, s.state from submission s join app_user u on u.id = s.submitted_by where s.id = $1`, [id]);
    expect(who.rows[0]).toEqual({ username: 'cmaa.officer', state: 'submitted' });
    expect((await db.query(`select 1 from hazard where ref = 'ROLE-2'`)).rows).toHaveLength(0);
    await revokeApiToken(db, officer.id, 'test');
    const revoked = await app.inject({ method: 'POST', url: '/api/imports/hazards', payload: hazardFile('ROLE-3'), headers });
    expect(revoked.statusCode).toBe(401);
  });
});

describe('the sign-in limiter', () => {
  it('makes each failure wait longer (1, 2, 4... s, capped) and forgets failures once the window has passed', () => {
    let now = 0;
    const limiter = new SignInLimiter({ free: 0, capSeconds: 8 }, 60_000, () => now);
    expect(limiter.retryAfter(['user:a'])).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      limiter.fail(['user:a']);
      waits.push(limiter.retryAfter(['user:a']));
      now += waits.at(-1)! * 1000;
    }
    expect(waits).toEqual([1, 2, 4, 8, 8, 8]);
    expect(limiter.retryAfter(['user:a'])).toBe(0);
    limiter.fail(['user:a']);
    expect(limiter.retryAfter(['user:a'])).toBe(8);
    now += 60_001;
    expect(limiter.retryAfter(['user:a'])).toBe(0);
    limiter.fail(['user:a']);
    expect(limiter.retryAfter(['user:a'])).toBe(1);
  });
});
