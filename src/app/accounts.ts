// Accounts: people sign in with a password (scrypt) and get a session; machine clients use API tokens.
// Secrets are random 32-byte values; only their SHA-256 is stored, and passwords are never logged.
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Database, Queryable } from '../db/engine.ts';
import { recordAuditEvent } from '../db/change-batch.ts';
import { ClearwayError } from '../domain/problems.ts';
import { ORGANISATION_KIND_OF_ROLE, ROLES, type Principal, type Role } from '../domain/roles.ts';

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, maxmem: 64 * 1024 * 1024 } as const;
export const SESSION_HOURS = 12;
export const MIN_PASSWORD_LENGTH = 10;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCallback(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: SCRYPT.maxmem });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return timingSafeEqual(key, expected);
}

const sha256 = (secret: string): string => createHash('sha256').update(secret).digest('hex');
const newSecret = (): string => randomBytes(32).toString('base64url');

export interface NewUser {
  username: string;
  displayName?: string;
  role: Role;
  organisation: string;
  password: string;
}

export async function addUser(db: Database, user: NewUser, actor: string): Promise<number> {
  if (!ROLES.includes(user.role)) throw new ClearwayError('field.invalid', `role ${user.role} is not one of ${ROLES.join(', ')}`, 400, { field: 'role' });
  if (user.password.length < MIN_PASSWORD_LENGTH) {
    throw new ClearwayError('field.invalid', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`, 400, { field: 'password' });
  }
  const passwordHash = await hashPassword(user.password);
  return db.transaction(async (tx) => {
    const organisation = await tx.query<{ kind: string }>('select kind from organisation where code = $1', [user.organisation]);
    const kind = organisation.rows[0]?.kind;
    if (!kind) throw new ClearwayError('operator.unknown', `no organisation has the code ${user.organisation}`, 400, { field: 'organisation' });
    if (!ORGANISATION_KIND_OF_ROLE[user.role].includes(kind)) {
      throw new ClearwayError('field.invalid', `a ${user.role} belongs to an organisation of kind ${ORGANISATION_KIND_OF_ROLE[user.role].join(' or ')}; ${user.organisation} is ${kind}`, 400, { field: 'role' });
    }
    const exists = await tx.query('select 1 from app_user where username = $1', [user.username]);
    if (exists.rows.length > 0) throw new ClearwayError('field.taken', `the username ${user.username} is taken`, 409, { field: 'username' });
    const inserted = await tx.query<{ id: number }>(
      `insert into app_user (username, display_name, role, organisation_code, password_hash) values ($1, $2, $3, $4, $5) returning id`,
      [user.username, user.displayName ?? user.username, user.role, user.organisation, passwordHash],
    );
    await recordAuditEvent(tx, { actor, action: 'user.add', entity: 'app_user', entityRef: user.username, details: { role: user.role, organisation: user.organisation } });
    return inserted.rows[0]!.id;
  });
}

export async function countUsers(db: Queryable): Promise<number> {
  return (await db.query<{ n: number }>('select count(*)::int as n from app_user')).rows[0]?.n ?? 0;
}

export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  organisation_code: string;
  disabled_at: string | null;
}

export async function listUsers(db: Queryable): Promise<UserRow[]> {
  return (await db.query<UserRow>('select id, username, display_name, role, organisation_code, disabled_at from app_user order by username')).rows;
}

const principalColumns = `u.id as "userId", u.username, u.role, u.organisation_code as organisation`;

/**
 * Signs a person in. The same answer for an unknown user and a wrong password, so the API does not tell
 * which usernames exist; a password is checked against a dummy hash when the user is unknown, so the time
 * taken does not tell either.
 */
export async function signIn(db: Database, username: string, password: string): Promise<{ principal: Principal; sessionToken: string; csrfToken: string; expiresAt: string } | null> {
  const found = await db.query<Omit<Principal, 'via'> & { password_hash: string }>(
    `select ${principalColumns}, u.password_hash from app_user u where u.username = $1 and u.disabled_at is null`,
    [username],
  );
  const row = found.rows[0];
  const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash()));
  if (!row || !ok) return null;
  const sessionToken = newSecret();
  const csrfToken = newSecret();
  const created = await db.transaction(async (tx) => {
    const session = await tx.query<{ expires_at: string }>(
      `insert into user_session (token_hash, user_id, csrf_token, expires_at) values ($1, $2, $3, now() + make_interval(hours => $4)) returning expires_at`,
      [sha256(sessionToken), row.userId, csrfToken, SESSION_HOURS],
    );
    await recordAuditEvent(tx, { actor: row.username, action: 'session.sign-in', entity: 'app_user', entityRef: row.username });
    return session.rows[0]!;
  });
  const { password_hash: _hidden, ...principal } = row;
  return { principal: { ...principal, via: 'session' }, sessionToken, csrfToken, expiresAt: created.expires_at };
}

let dummy: Promise<string> | null = null;
const dummyHash = (): Promise<string> => (dummy ??= hashPassword(randomBytes(16).toString('hex')));

/** Computes the dummy hash ahead, so the first sign-in of an unknown user takes no longer than later ones. */
export function prepareSignIn(): void {
  void dummyHash();
}

/** Disables an account: its sessions end and its tokens are revoked at once. */
export async function disableUser(db: Database, username: string, actor: string): Promise<void> {
  await db.transaction(async (tx) => {
    const user = await tx.query<{ id: number }>('update app_user set disabled_at = now() where username = $1 and disabled_at is null returning id', [username]);
    const id = user.rows[0]?.id;
    if (id === undefined) throw new ClearwayError('not-found', `no active user has the username ${username}`, 404, { field: 'username' });
    await tx.query('delete from user_session where user_id = $1', [id]);
    await tx.query('update api_token set revoked_at = now() where user_id = $1 and revoked_at is null', [id]);
    await recordAuditEvent(tx, { actor, action: 'user.disable', entity: 'app_user', entityRef: username });
  });
}

export async function signOut(db: Database, sessionToken: string): Promise<void> {
  await db.transaction(async (tx) => {
    const removed = await tx.query<{ username: string }>(
      `delete from user_session s using app_user u where s.token_hash = $1 and u.id = s.user_id returning u.username`,
      [sha256(sessionToken)],
    );
    const username = removed.rows[0]?.username;
    if (username) await recordAuditEvent(tx, { actor: username, action: 'session.sign-out', entity: 'app_user', entityRef: username });
  });
}

export async function principalFromSession(db: Queryable, sessionToken: string): Promise<(Principal & { csrfToken: string }) | null> {
  const result = await db.query<Omit<Principal, 'via'> & { csrfToken: string }>(
    `select ${principalColumns}, s.csrf_token as "csrfToken" from user_session s join app_user u on u.id = s.user_id
     where s.token_hash = $1 and s.expires_at > now() and u.disabled_at is null`,
    [sha256(sessionToken)],
  );
  const row = result.rows[0];
  return row ? { ...row, via: 'session' } : null;
}

export async function principalFromApiToken(db: Queryable, token: string): Promise<Principal | null> {
  const result = await db.query<Omit<Principal, 'via'>>(
    `update api_token t set last_used_at = now() from app_user u
     where t.token_hash = $1 and t.revoked_at is null and u.id = t.user_id and u.disabled_at is null
     returning ${principalColumns}`,
    [sha256(token)],
  );
  const row = result.rows[0];
  return row ? { ...row, via: 'token' } : null;
}

export async function createApiToken(db: Database, username: string, name: string, actor: string): Promise<{ id: number; token: string }> {
  const token = `cw_${newSecret()}`;
  return db.transaction(async (tx) => {
    const user = await tx.query<{ id: number }>('select id from app_user where username = $1 and disabled_at is null', [username]);
    const userId = user.rows[0]?.id;
    if (userId === undefined) throw new ClearwayError('not-found', `no active user has the username ${username}`, 404, { field: 'username' });
    const inserted = await tx.query<{ id: number }>(
      `insert into api_token (user_id, name, token_hash, created_by) values ($1, $2, $3, $4) returning id`,
      [userId, name, sha256(token), actor],
    );
    const id = inserted.rows[0]!.id;
    await recordAuditEvent(tx, { actor, action: 'api-token.create', entity: 'api_token', entityRef: String(id), details: { username, name } });
    return { id, token };
  });
}

export async function revokeApiToken(db: Database, id: number, actor: string): Promise<void> {
  // A token's id is a positive whole number (`users token create` prints it); anything else names no token.
  if (!Number.isSafeInteger(id) || id <= 0) throw new ClearwayError('field.invalid', `a token's id is a whole number (the ID \`users token create\` printed), not ${String(id)}`, 400, { field: 'id' });
  await db.transaction(async (tx) => {
    const revoked = await tx.query('update api_token set revoked_at = now() where id = $1 and revoked_at is null', [id]);
    if (revoked.rowCount === 0) throw new ClearwayError('not-found', `no active API token has the id ${id}`, 404, { field: 'id' });
    await recordAuditEvent(tx, { actor, action: 'api-token.revoke', entity: 'api_token', entityRef: String(id) });
  });
}

/**
 * How long a key waits after failures: nothing for the first `free` failures, then 1, 2, 4, 8... seconds,
 * never more than `capSeconds`.
 */
export interface DelayCurve {
  free: number;
  capSeconds: number;
}

/**
 * Failed sign-ins counted per key (a username at an address, a username, an address) in this process. Each
 * failure makes the next attempt wait longer (growing delays, capped), which makes guessing passwords
 * impractically slow without ever locking an account: whoever guesses at one address slows down there, and
 * the real user, at another address, waits at most the gentle cap of the username's own curve. Failures are
 * forgotten after the window.
 */
export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly curve: DelayCurve = { free: 0, capSeconds: 60 },
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((at) => at > cutoff);
    if (kept.length > 0) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  /** The wait, in seconds, that `failures` recent failures impose after the last of them. */
  delayAfter(failures: number): number {
    const over = failures - this.curve.free;
    return over <= 0 ? 0 : Math.min(this.curve.capSeconds, 2 ** (over - 1));
  }

  /** Seconds to wait before another attempt, or 0 when one is allowed. */
  retryAfter(keys: string[]): number {
    let wait = 0;
    for (const key of keys) {
      const recent = this.recent(key);
      const last = recent.at(-1);
      if (last === undefined) continue;
      const until = last + this.delayAfter(recent.length) * 1000;
      if (until > this.now()) wait = Math.max(wait, Math.ceil((until - this.now()) / 1000));
    }
    return wait;
  }

  fail(keys: string[]): void {
    for (const key of keys) this.failures.set(key, [...this.recent(key), this.now()]);
  }

  /** Dates the last failure to now: the delay runs from the answer, not from when the password check began. */
  failedNow(keys: string[]): void {
    for (const key of keys) {
      const recent = this.recent(key);
      if (recent.length > 0) recent[recent.length - 1] = this.now();
    }
  }

  succeed(keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }

  /** Takes back one attempt (counted before the password was checked) that turned out right. */
  forgetOne(key: string): void {
    const recent = this.recent(key);
    recent.pop();
    if (recent.length > 0) this.failures.set(key, recent);
    else this.failures.delete(key);
  }
}
