// Signing in and out. The session itself is an HttpOnly cookie the page never sees; what the page keeps is who
// is signed in and the CSRF token that every change made with the cookie must carry.
import { ApiError, getJson, send } from './api';
import type { Access } from './view-access';

export type Role =
  | 'administrator'
  | 'authority_data_officer'
  | 'authority_reviewer'
  | 'operator_data_officer'
  | 'operator_viewer'
  | 'donor_viewer';

export interface SignedInUser {
  username: string;
  role: Role;
  organisation: string;
}

export interface Session {
  user: SignedInUser;
  csrfToken: string | null;
  /** What the server's access policy lets this person do (GET /api/access): views, actions, kinds. */
  access: Access;
}

/** What the caller may do, as the server's access policy answers. */
export function fetchAccess(signal?: AbortSignal): Promise<Access> {
  return getJson<Access>('/api/access', signal);
}

export async function signIn(username: string, password: string): Promise<Session> {
  const answer = await send<{ csrfToken: string; user: SignedInUser }>('POST', '/api/session', null, { username, password });
  return { user: answer.user, csrfToken: answer.csrfToken, access: await fetchAccess() };
}

export async function signOut(csrfToken: string | null): Promise<void> {
  await send<void>('DELETE', '/api/session', csrfToken);
}

/** The session of a reloaded page, or null when nobody is signed in (or the session has expired). */
export async function fetchSession(signal?: AbortSignal): Promise<Session | null> {
  try {
    const answer = await getJson<SignedInUser & { csrfToken?: string | null }>('/api/session', signal);
    const { csrfToken, ...user } = answer;
    return { user, csrfToken: csrfToken ?? null, access: await fetchAccess(signal) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}
