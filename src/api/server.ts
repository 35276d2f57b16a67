// The HTTP server: the API under /api, the web app at /. Errors leave as problem+json (RFC 9457), their title
// in the language of Accept-Language. What the server will not take (bodies too large for the caller's role,
// compressed bodies, text PostgreSQL cannot store, documents nested too deep) is refused before it is read.
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyMultipart from '@fastify/multipart';
import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import { z } from 'zod';
import { SilentEngineFailure, type Database } from '../app/open.ts';
import { prepareSignIn, SignInLimiter } from '../app/accounts.ts';
import { authenticateOnce } from './authentication.ts';
import { isAction, isKindAction, registeredKinds, requireAccess, ruleOf, takesFullUploads } from '../domain/access-policy.ts';
import { ClearwayError, preferredLanguage, problemTitle, type Language, type ProblemCode } from '../domain/problems.ts';
import { findUnstorableText, describeUnstorable } from '../domain/storable-text.ts';
import type { Principal } from '../domain/roles.ts';
import { decodeText, charsetOf } from '../formats/text-encoding.ts';
import { openApiDocument } from './openapi.ts';
import { presentFor } from './presenters.ts';
import { engineVersionsOnce, ROUTES } from './routes.ts';
import { setUploadLimit, uploadLimitOf } from './request-body.ts';
import { READ_IN_PLACE_BYTES } from '../app/read-off-thread.ts';
import type { RouteContext, RouteSpec, ServerConfig } from './route.ts';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const webDistDir = path.join(repositoryRoot, 'web', 'dist');

/** Anyone not signed in sends no file anywhere: a body this size is plenty for what they may send. */
const ANONYMOUS_BODY_BYTES = 64 * 1024;

function problem(language: Language, status: number, code: ProblemCode, detail: string, extra: Record<string, unknown> = {}) {
  return { type: `https://clearway.dev/problems/${code}`, title: problemTitle(code, language), status, code, detail, ...extra };
}

const megabytes = (bytes: number): string => (bytes >= 1_048_576 ? `${Math.round(bytes / 1_048_576)} MB` : `${Math.round(bytes / 1024)} kB`);

/** The largest body a caller may send: by role (operators lower than the authority), or the route's own bound. */
function bodyLimitFor(config: ServerConfig, principal: Principal | null, routeLimit: number | undefined): number {
  const byRole = !principal ? Math.min(ANONYMOUS_BODY_BYTES, config.maxUploadBytes)
    : takesFullUploads(principal) ? config.maxUploadBytes
      : (config.maxOperatorUploadBytes ?? config.maxUploadBytes);
  return routeLimit === undefined ? byRole : Math.min(routeLimit, byRole);
}

/**
 * The Content-Security-Policy of every answer. The web app is our own scripts and styles; MapLibre runs its
 * worker from a blob: URL and draws images from data: and blob: URLs; an online basemap's tiles come from its
 * own origin. Nothing may frame the page (clickjacking of the review buttons).
 */
export function contentSecurityPolicy(basemapUrl: string | null): string {
  let basemap = '';
  try {
    if (basemapUrl) basemap = ` ${new URL(basemapUrl.replace(/[{}]/g, '')).origin}`;
  } catch {
    basemap = '';
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${basemap}`,
    `connect-src 'self'${basemap}`,
    "worker-src 'self' blob:",
    "child-src 'self' blob:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Fastify's form of the setting: a number of hops as proxy-addr's function (hop 0 is the socket's peer). */
function trustProxySetting(trust: ServerConfig['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (trust === undefined || trust === false) return false;
  if (typeof trust === 'number') return (_address: string, hop: number) => hop < trust;
  return trust;
}

/**
 * Every route must say what calling it does in the policy's words, and the policy must have a rule for it:
 * a route without one is a programming error, refused when the server is built rather than served open.
 */
export function checkRouteAccess(routes: readonly RouteSpec[]): void {
  for (const spec of routes) {
    const where = `${spec.method} ${spec.path}`;
    const access = (spec as Partial<RouteSpec>).access;
    if (!access || !isAction(access.action)) throw new Error(`${where} declares no access (an action of src/domain/access-policy.ts): every route needs a rule`);
    if (access.kind !== undefined && (!isKindAction(access.action) || !registeredKinds().includes(access.kind))) {
      throw new Error(`${where}: access ${access.action} on kind ${access.kind} has no rule in the policy`);
    }
    if (!ruleOf(access.action, access.kind)) throw new Error(`${where}: the policy has no rule for ${access.action}`);
  }
}

export interface ServerOptions {
  /** The routes served (ROUTES unless a test builds a server with others). */
  routes?: readonly RouteSpec[];
  logger?: boolean;
  /** Where the log goes (standard output by default); tests read it to prove what is never written. */
  logStream?: NodeJS.WritableStream;
}

export async function buildServer(db: Database, config: ServerConfig, options: ServerOptions = {}): Promise<FastifyInstance> {
  const routes = options.routes ?? ROUTES;
  checkRouteAccess(routes);
  const largestBody = Math.max(config.maxUploadBytes, config.maxOperatorUploadBytes ?? 0);
  const app = Fastify({
    // Errors of the server itself are logged, by kind and place; request bodies, query strings and the
    // messages of errors (which can quote a value sent) never are.
    logger: options.logger || options.logStream
      ? { level: 'warn', ...(options.logStream ? { stream: options.logStream } : {}), serializers: { req: (request: FastifyRequest) => ({ method: request.method, route: request.routeOptions?.url }) } }
      : false,
    bodyLimit: largestBody,
    trustProxy: trustProxySetting(config.trustProxy),
  });
  const context: RouteContext = {
    db,
    config,
    signInLimits: {
      userAddress: new SignInLimiter({ free: 0, capSeconds: 60 }),
      user: new SignInLimiter({ free: 5, capSeconds: 15 }),
      address: new SignInLimiter({ free: 50, capSeconds: 60 }),
    },
  };
  // GET /api/health answers without the database (routes.ts says why): the versions it reports are read now.
  await engineVersionsOnce(db);
  prepareSignIn();
  const csp = contentSecurityPolicy(config.basemapUrl);
  const languageOf = (request: FastifyRequest): Language => preferredLanguage(request.headers['accept-language']);

  // Bodies arrive as text, decoded strictly by their declared charset (or as UTF-8): never with replacement
  // characters. Handlers decide how to read them (an import reports a malformed file as a record-level
  // problem, not as a failed request). A large body stays bytes: the handler decodes it off this thread
  // (request-body.ts, decode-off-thread.ts), so a 100 MB upload never holds the server's thread.
  app.addContentTypeParser(['application/json', 'application/geo+json', 'text/csv', 'text/plain', 'application/octet-stream'], { parseAs: 'buffer' }, (request, body, done) => {
    try {
      if ((body as Buffer).length >= READ_IN_PLACE_BYTES) return done(null, body);
      done(null, decodeText(body as Buffer, charsetOf(request.headers['content-type']), 'The body'));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  // An Excel workbook is binary: kept as bytes (an operator's summary for the discrepancy report).
  app.addContentTypeParser('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  // Field offices have weak links: the province outlines alone are 2 MB of GeoJSON, 0.4 MB compressed.
  await app.register(fastifyCompress, { global: true, threshold: 1024 });
  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { fileSize: largestBody, files: 1 }, throwFileSizeLimit: true });

  app.addHook('onRequest', async (request) => {
    // A compressed body inflates to whatever it likes past every size limit: only identity is read.
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (encoding && encoding !== 'identity') {
      throw new ClearwayError('request.encoding', `Content-Encoding ${encoding} is not accepted: send the body uncompressed`, 415, { field: 'content-encoding' });
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('content-security-policy', csp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    reply.header('cross-origin-opener-policy', 'same-origin');
    return payload;
  });

  app.setErrorHandler((error, request, reply) => {
    const language = languageOf(request);
    const send = (status: number, body: ReturnType<typeof problem>) => {
      // Refused for its size, the rest of the body is not wanted: the connection closes after the answer
      // instead of staying open (and holding a server that is shutting down) while the client sends it.
      if (status === 413) reply.header('connection', 'close');
      return reply.code(status).type('application/problem+json').header('content-language', language).header('vary', 'Accept-Language').send(body);
    };
    if (error instanceof ClearwayError) return send(error.status, problem(language, error.status, error.code, error.message, error.details));
    if (error instanceof z.ZodError) {
      const issues = error.issues.map((i) => ({ field: i.path.join('.'), reason: i.message }));
      const detail = issues.map((i) => `${i.field || 'request'}: ${i.reason}`).join('; ');
      return send(400, problem(language, 400, 'request.invalid', detail, { issues }));
    }
    if (error instanceof SilentEngineFailure) return send(500, problem(language, 500, 'engine.silent-failure', error.message));
    const fastifyError = error as { code?: string; statusCode?: number; message?: string };
    // PostgreSQL refused a change because another one got there first (a unique key taken meanwhile, a
    // deadlock): the transaction rolled back, and trying again on the record as it is now is the answer.
    if (fastifyError.code === '23505' || fastifyError.code === '40P01' || fastifyError.code === '40001') {
      return send(409, problem(language, 409, 'workflow.conflict', 'Another change to the same records was made at the same time; nothing was changed: look again and retry'));
    }
    // Text PostgreSQL cannot store that a check upstream missed (22021: a NUL byte; 22P05: untranslatable):
    // the request's content, and a 422, never a 500.
    if (fastifyError.code === '22021' || fastifyError.code === '22P05') {
      return send(422, problem(language, 422, 'text.unstorable', 'The request holds text that cannot be stored (a NUL byte or a broken character); nothing was changed'));
    }
    if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fastifyError.code === 'FST_REQ_FILE_TOO_LARGE') {
      // This caller's limit (by role, or the route's own few kB for sign-in), else the largest anyone may send.
      const bytes = uploadLimitOf(request) ?? request.routeOptions.bodyLimit ?? largestBody;
      const routeBound = request.routeOptions.bodyLimit !== undefined && request.routeOptions.bodyLimit < largestBody;
      const code = routeBound && fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'request.too-large' : 'file.too-large';
      return send(413, problem(language, 413, code, `The upload is larger than the limit of ${megabytes(bytes)}`, { limit: bytes }));
    }
    if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return send(415, problem(language, 415, 'request.media-type', `Content-Type ${request.headers['content-type'] ?? '(none)'} is not read here`));
    }
    // Any other refusal of the request's form (an empty JSON body, a bad Content-Length, a multipart body that
    // is not one): request.invalid keeps its one status.
    if (fastifyError.statusCode && fastifyError.statusCode < 500) {
      return send(400, problem(language, 400, 'request.invalid', fastifyError.message ?? 'Bad request'));
    }
    // The kind and place of the failure, not its message: a database error can quote a value sent.
    request.log.error({ error: { name: (error as Error).name, code: fastifyError.code, stack: (error as Error).stack?.split('\n').slice(1).join('\n') } }, 'request failed');
    return send(500, problem(language, 500, 'internal', 'Something went wrong on the server; nothing was changed'));
  });

  for (const spec of routes) {
    app.route({
      method: spec.method,
      url: spec.path,
      ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
      // Who is calling is settled before the body is read: the body limit depends on the caller's role.
      preParsing: async (request, _reply, payload) => {
        let principal: Principal | null = null;
        if (!spec.skipAuthentication) {
          try {
            principal = await authenticateOnce(request, db);
          } catch {
            principal = null; // The handler reports the refusal; until then the caller counts as anonymous.
          }
        }
        const limit = bodyLimitFor(config, principal, spec.bodyLimit);
        setUploadLimit(request, limit);
        const tooLarge = () => new ClearwayError(spec.bodyLimit ? 'request.too-large' : 'file.too-large', `The body is larger than the limit of ${megabytes(limit)}${spec.bodyLimit ? ' for this request' : principal ? ` for a ${principal.role}` : ' without signing in'}`, 413, { limit });
        const declared = Number(request.headers['content-length']);
        if (Number.isFinite(declared) && declared > limit) throw tooLarge();
        // Multipart bodies are read by the handler from the socket itself (@fastify/multipart), their file
        // bounded by the same limit there: a second reader here would hold the socket back once its buffer filled.
        if ((request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/')) return payload;
        // A body without a length (chunked) is counted as it arrives and stopped at the limit.
        let seen = 0;
        return payload.pipe(new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            seen += chunk.length;
            callback(seen > limit ? tooLarge() : null, chunk);
          },
        }));
      },
      handler: async (request, reply) => {
        const principal = spec.skipAuthentication ? null : await authenticateOnce(request, db);
        // The policy is asked before the handler: a refused caller gets 401 or 403 and nothing of the answer.
        requireAccess(principal, spec.access.action, spec.access.kind === undefined ? {} : { kind: spec.access.kind });
        // Query and path parameters reach SQL too: a NUL there is named like one in a body.
        for (const [where, values] of [['query', request.query], ['path', request.params]] as const) {
          const found = findUnstorableText(values);
          if (found) throw new ClearwayError('text.unstorable', `The ${where} parameter ${describeUnstorable(found)}`, 422, { field: found.path });
        }
        const query = spec.query ? spec.query.parse(request.query) : {};
        const params = spec.params ? spec.params.parse(request.params) : {};
        // Every answer leaves through the presenter: the public never gets staff names, file names or free text.
        return presentFor(principal, spec.access, await spec.handler({ query, params, request, reply, context, principal }));
      },
    });
  }

  const packageVersion = (JSON.parse(fs.readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const document = openApiDocument([...routes], packageVersion);
  app.get('/api/openapi.json', async () => document);

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || !fs.existsSync(path.join(webDistDir, 'index.html'))) {
      const language = languageOf(request);
      return reply.code(404).type('application/problem+json').header('content-language', language)
        .send(problem(language, 404, 'not-found', `Nothing at ${request.method} ${request.url.split('?')[0]}`));
    }
    return reply.sendFile('index.html');
  });
  // Pre-compressed files (web/vite.config.ts writes .br and .gz) save a field office's weak link most of the bytes.
  if (fs.existsSync(webDistDir)) {
    await app.register(fastifyStatic, {
      root: webDistDir,
      wildcard: false,
      preCompressed: true,
      // Vite names assets by content hash: they never change, so browsers may keep them.
      setHeaders: (response, filePath) => {
        if (filePath.includes(`${path.sep}assets${path.sep}`)) response.setHeader('cache-control', 'public, max-age=31536000, immutable');
      },
    });
  }
  return app;
}

/**
 * CLEARWAY_TRUST_PROXY: which proxies may say who the client is (X-Forwarded-For). A number is how many
 * proxies stand in front; otherwise a comma-separated list of addresses or CIDRs (or proxy-addr's names
 * loopback, linklocal, uniquelocal). `true` means the one proxy in front (1 hop); unset or `false`, none.
 */
export function trustProxyFromEnv(value: string | undefined): false | number | string[] {
  const text = (value ?? '').trim();
  if (text === '' || text === 'false') return false;
  if (text === 'true') return 1;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((part) => part.trim()).filter(Boolean);
  const address = /^(?:loopback|linklocal|uniquelocal|[0-9.]+(?:\/\d{1,2})?|[0-9a-f:.]+(?:\/\d{1,3})?)$/i;
  const wrong = entries.find((entry) => !address.test(entry));
  if (wrong !== undefined) {
    throw new ClearwayError('field.invalid', `CLEARWAY_TRUST_PROXY: ${wrong} is not an address, a CIDR or a number of proxies`, 400, { field: 'CLEARWAY_TRUST_PROXY' });
  }
  return entries;
}

function megabytesFromEnv(value: string | undefined, fallback: number): number {
  const number = Number(value ?? fallback);
  return (Number.isFinite(number) && number > 0 ? number : fallback) * 1_048_576;
}

export function serverConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const maxUploadBytes = megabytesFromEnv(env.CLEARWAY_MAX_UPLOAD_MB, 100);
  return {
    basemapUrl: env.CLEARWAY_BASEMAP_URL || null,
    secureCookies: env.CLEARWAY_SECURE_COOKIES === 'true',
    trustProxy: trustProxyFromEnv(env.CLEARWAY_TRUST_PROXY),
    maxUploadBytes,
    // Operators send monthly files of their own work: a lower bound, never above the authority's.
    maxOperatorUploadBytes: Math.min(maxUploadBytes, megabytesFromEnv(env.CLEARWAY_MAX_UPLOAD_MB_OPERATOR, 20)),
  };
}
