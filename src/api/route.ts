// A route is declared once, with the zod schemas that validate its input; the same declaration builds the
// OpenAPI document (openapi.ts), so the document cannot drift from what the server accepts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Database } from '../app/open.ts';
import type { SignInLimiter } from '../app/accounts.ts';
import type { Principal } from '../domain/roles.ts';
import type { Action, KindName } from '../domain/access-policy.ts';

export interface RouteContext {
  db: Database;
  config: ServerConfig;
  /**
   * Failed sign-ins per username at one address (growing delays: guessing one password), per username from
   * anywhere (a gentler curve: many addresses guessing one account) and per address (loose: an office shares one).
   */
  signInLimits: { userAddress: SignInLimiter; user: SignInLimiter; address: SignInLimiter };
}

export interface ServerConfig {
  /** XYZ tile URL of an online basemap, when the office has a connection. */
  basemapUrl: string | null;
  /** Send the session cookie only over HTTPS (set when Clearway is served behind TLS). */
  secureCookies: boolean;
  /** Largest accepted upload, in bytes, for administrators and the authority's staff. */
  maxUploadBytes: number;
  /** Largest accepted upload for operators, donors and anyone else (default: maxUploadBytes). */
  maxOperatorUploadBytes?: number;
  /**
   * Behind a reverse proxy: which hops to believe about the client's address in X-Forwarded-For (for sign-in
   * limits): the proxies' addresses or CIDRs, or how many proxies stand in front. Default: none.
   */
  trustProxy?: false | number | string[];
}

export interface RouteAccess {
  action: Action;
  kind?: KindName;
}

export interface RouteSpec<Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  summary: string;
  tags: string[];
  query?: Q;
  params?: P;
  /** What the body is, for the document (bodies are read by the handler). */
  body?: { contentTypes: string[]; description: string; schema?: z.ZodType };
  responses: Record<number, { description: string; contentType?: string; schema?: z.ZodType }>;
  /**
   * What calling it does, in the access policy's words (src/domain/access-policy.ts): the server asks the
   * policy before the handler, the OpenAPI document says who may from it, and a route without it is refused
   * when the server is built. A kind action without a kind serves several kinds: the handler asks again.
   */
  access: RouteAccess;
  /** A smaller body limit than the caller's upload limit (sign-in takes a few kB). */
  bodyLimit?: number;
  /** Sign-in itself: a stale session cookie must not stand in the way of signing in again. */
  skipAuthentication?: boolean;
  handler(input: { query: z.infer<Q>; params: z.infer<P>; request: FastifyRequest; reply: FastifyReply; context: RouteContext; principal: Principal | null }): Promise<unknown>;
}

export function route<Q extends z.ZodType, P extends z.ZodType>(spec: RouteSpec<Q, P>): RouteSpec {
  return spec as unknown as RouteSpec;
}

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string(),
}).meta({ id: 'Problem' });

/** A page of a list: every list route takes these. */
export const page = {
  limit: z.coerce.number().int().min(1).max(10_000).default(100).describe('page size (at most 10,000)'),
  offset: z.coerce.number().int().min(0).default(0),
};

/** A bounding box in degrees, for the lists of things with a place. */
export const bboxSchema = z
  .string()
  .transform((text) => text.split(',').map(Number))
  .refine((n) => n.length === 4 && n.every(Number.isFinite) && n[0]! <= n[2]! && n[1]! <= n[3]!, 'bbox is minLon,minLat,maxLon,maxLat')
  .transform((n) => n as [number, number, number, number])
  .describe('minLon,minLat,maxLon,maxLat');
