// The HTTP server: the API under /api, the web app at /. Errors leave as problem+json (RFC 9457).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyMultipart from '@fastify/multipart';
import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import { z } from 'zod';
import { SilentEngineFailure, type Database } from '../app/open.ts';
import { prepareSignIn, SignInLimiter } from '../app/accounts.ts';
import { authenticate, requireRole } from './authentication.ts';
import { ClearwayError, PROBLEM_CODES, type ProblemCode } from '../domain/problems.ts';
import { openApiDocument } from './openapi.ts';
import { engineVersionsOnce, ROUTES } from './routes.ts';
import type { RouteContext, ServerConfig } from './route.ts';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const webDistDir = path.join(repositoryRoot, 'web', 'dist');

function problem(status: number, code: ProblemCode, detail: string, extra: Record<string, unknown> = {}) {
  return { type: `https://clearway.dev/problems/${code}`, title: PROBLEM_CODES[code], status, code, detail, ...extra };
}

export async function buildServer(db: Database, config: ServerConfig, options: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Errors of the server itself are logged; request bodies (passwords, files) never are.
    logger: options.logger ? { level: 'warn' } : false,
    bodyLimit: config.maxUploadBytes,
    trustProxy: config.trustProxy ?? false,
  });
  const context: RouteContext = { db, config, signInLimits: { user: new SignInLimiter(5), address: new SignInLimiter(50) } };
  // GET /api/health answers without the database (routes.ts says why): the versions it reports are read now.
  await engineVersionsOnce(db);
  prepareSignIn();

  // Bodies arrive as text; handlers decide how to read them (an import reports a malformed file as a
  // record-level problem, not as a failed request).
  app.addContentTypeParser(['application/json', 'application/geo+json', 'text/csv', 'text/plain', 'application/octet-stream'], { parseAs: 'string' }, (_request, body, done) => done(null, body));
  // An Excel workbook is binary: kept as bytes (an operator's summary for the discrepancy report).
  app.addContentTypeParser('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  // Field offices have weak links: the province outlines alone are 2 MB of GeoJSON, 0.4 MB compressed.
  await app.register(fastifyCompress, { global: true, threshold: 1024 });
  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { fileSize: config.maxUploadBytes, files: 1 }, throwFileSizeLimit: true });

  app.setErrorHandler((error, request, reply) => {
    const send = (status: number, body: ReturnType<typeof problem>) => reply.code(status).type('application/problem+json').send(body);
    if (error instanceof ClearwayError) return send(error.status, problem(error.status, error.code, error.message, error.details));
    if (error instanceof z.ZodError) {
      const issues = error.issues.map((i) => ({ field: i.path.join('.'), reason: i.message }));
      const detail = issues.map((i) => `${i.field || 'request'}: ${i.reason}`).join('; ');
      return send(400, problem(400, 'request.invalid', detail, { issues }));
    }
    if (error instanceof SilentEngineFailure) return send(500, problem(500, 'engine.silent-failure', error.message));
    const fastifyError = error as { code?: string; statusCode?: number; message?: string };
    // PostgreSQL refused a change because another one got there first (a unique key taken meanwhile, a
    // deadlock): the transaction rolled back, and trying again on the record as it is now is the answer.
    if (fastifyError.code === '23505' || fastifyError.code === '40P01' || fastifyError.code === '40001') {
      return send(409, problem(409, 'workflow.conflict', `Another change to the same records was made at the same time; nothing was changed: look again and retry (${fastifyError.message ?? ''})`));
    }
    if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fastifyError.code === 'FST_REQ_FILE_TOO_LARGE') {
      return send(413, problem(413, 'file.too-large', `The upload is larger than the limit of ${Math.round(config.maxUploadBytes / 1_048_576)} MB`));
    }
    if (fastifyError.statusCode && fastifyError.statusCode < 500) {
      return send(fastifyError.statusCode, problem(fastifyError.statusCode, 'request.invalid', fastifyError.message ?? 'Bad request'));
    }
    request.log.error(error);
    return send(500, problem(500, 'internal', 'Something went wrong on the server; nothing was changed'));
  });

  for (const spec of ROUTES) {
    app.route({
      method: spec.method,
      url: spec.path,
      handler: async (request, reply) => {
        const principal = spec.skipAuthentication ? null : await authenticate(request, db);
        if (spec.roles) requireRole(principal, spec.roles);
        const query = spec.query ? spec.query.parse(request.query) : {};
        const params = spec.params ? spec.params.parse(request.params) : {};
        return spec.handler({ query, params, request, reply, context, principal });
      },
    });
  }

  const packageVersion = (JSON.parse(fs.readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const document = openApiDocument(ROUTES, packageVersion);
  app.get('/api/openapi.json', async () => document);

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || !fs.existsSync(path.join(webDistDir, 'index.html'))) {
      return reply.code(404).type('application/problem+json').send(problem(404, 'not-found', `Nothing at ${request.method} ${request.url.split('?')[0]}`));
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

export function serverConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const megabytes = Number(env.CLEARWAY_MAX_UPLOAD_MB ?? 100);
  return {
    basemapUrl: env.CLEARWAY_BASEMAP_URL || null,
    secureCookies: env.CLEARWAY_SECURE_COOKIES === 'true',
    trustProxy: env.CLEARWAY_TRUST_PROXY === 'true',
    maxUploadBytes: (Number.isFinite(megabytes) && megabytes > 0 ? megabytes : 100) * 1_048_576,
  };
}
