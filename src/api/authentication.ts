// Who is calling: a browser session (cookie, and X-CSRF-Token on every change) or a machine client
// (Authorization: Bearer). Anyone else is anonymous and sees only the published official record.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { principalFromApiToken, principalFromSession } from '../app/accounts.ts';
import type { Database } from '../app/open.ts';
import { ClearwayError } from '../domain/problems.ts';
import type { Principal } from '../domain/roles.ts';

export const SESSION_COOKIE = 'clearway_session';

function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const principals = new WeakMap<FastifyRequest, Promise<Principal | null>>();

/**
 * Who is calling, asked once per request: the body limit depends on the caller's role and is settled before
 * the body is read, and the handler gets the same answer (or the same refusal) without asking again.
 */
export function authenticateOnce(request: FastifyRequest, db: Database): Promise<Principal | null> {
  let principal = principals.get(request);
  if (!principal) {
    principal = authenticate(request, db);
    // The handler reports a refusal; a caller that never reaches it must not leave an unhandled rejection.
    principal.catch(() => undefined);
    principals.set(request, principal);
  }
  return principal;
}

export async function authenticate(request: FastifyRequest, db: Database): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (header) {
    const token = /^Bearer (\S+)$/.exec(header)?.[1];
    const principal = token ? await principalFromApiToken(db, token) : null;
    if (!principal) throw new ClearwayError('auth.invalid-token', 'The API token is not valid (revoked, mistyped, or not a Bearer token)', 401);
    return principal;
  }
  const sessionToken = request.cookies[SESSION_COOKIE];
  if (!sessionToken) return null;
  const session = await principalFromSession(db, sessionToken);
  // An expired session is simply no session: the page offers to sign in again.
  if (!session) return null;
  const { csrfToken, ...principal } = session;
  // A cookie is sent by the browser whoever made the page; the CSRF token proves the page was ours.
  if (!SAFE_METHODS.has(request.method) && !sameSecret(request.headers['x-csrf-token'], csrfToken)) {
    throw new ClearwayError('auth.csrf', 'Changes made with a session need the X-CSRF-Token header returned at sign-in', 403);
  }
  return principal;
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: string, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: new Date(expiresAt) });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}
