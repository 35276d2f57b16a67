// A route is declared once, with the zod schemas that validate its input; the same declaration builds the
// OpenAPI document (openapi.ts), so the document cannot drift from what the server accepts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Database } from '../app/open.ts';
import type { SignInLimiter } from '../app/accounts.ts';
import type { Principal } from '../domain/roles.ts';
import type { Action, KindName } from '../domain/access-policy.ts';
import type { KindId } from '../kinds/registry.ts';
import type { Page } from '../domain/page.ts';

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
  /**
   * What the body is, for the document (bodies are read by the handler). `records`: a file of these kinds in
   * the exchange format (the document shows each kind's fields, from its declaration); `items`: JSON
   * {items: [Feature]} is taken too.
   */
  body?: { contentTypes: string[]; description: string; schema?: z.ZodType; records?: { kinds: readonly KindId[]; items?: boolean } };
  responses: Record<number, { description: string; contentType?: string; schema?: z.ZodType }>;
  /**
   * What calling it does, in the access policy's words (src/domain/access-policy.ts): the server asks the
   * policy before the handler, the OpenAPI document says who may from it, and a route without it is refused
   * when the server is built. A kind action without a kind serves several kinds: the handler asks again.
   */
  access: RouteAccess;
  /** A smaller body limit than the caller's upload limit (sign-in takes a few kB). */
  bodyLimit?: number;
  /**
   * A GET route that takes no page parameters says why its answer is not a list that grows with the record
   * (one record, a report with a row per unit, a set fixed in code); every other GET route is paginated.
   */
  unpaged?: string;
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

/**
 * The page parameters of a list: every GET route that answers a list takes limit and offset, with a largest
 * page, so no answer grows with the record (a test walks ROUTES for it). A route whose items are heavy (the
 * review's items carry their geometry) or whose current clients expect a whole small set in one answer (the
 * 197 districts) says its own default and bound.
 */
export function pageQuery(defaultLimit = 100, maxLimit = 10_000) {
  return {
    limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit).describe(`page size (at most ${maxLimit.toLocaleString('en-US')})`),
    offset: z.coerce.number().int().min(0).default(0).describe('how many items to skip'),
  };
}

/** The page parameters most lists take: 100 by default, at most 10,000. */
export const page = pageQuery();

export interface PageRequest {
  limit: number;
  offset: number;
}

export type { Page };

export function pageOf<T>(items: T[], total: number, request: PageRequest): Page<T> {
  return { items, total, limit: request.limit, offset: request.offset, more: request.offset + items.length < total };
}

/** A page of a short list read whole (organisations, one record's versions, frozen reports). */
export function pageOfAll<T>(all: T[], request: PageRequest): Page<T> {
  return pageOf(all.slice(request.offset, request.offset + request.limit), all.length, request);
}

/** The page fields of a list's answer, for the OpenAPI document. */
export const pageFields = {
  total: z.number().int().describe('items in the whole list'),
  limit: z.number().int(),
  offset: z.number().int(),
  more: z.boolean().describe('whether items follow this page (ask again with offset + limit)'),
};

export const pageSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), ...pageFields });

/** A bounding box in degrees, for the lists of things with a place. */
export const bboxSchema = z
  .string()
  .transform((text) => text.split(',').map(Number))
  .refine((n) => n.length === 4 && n.every(Number.isFinite) && n[0]! <= n[2]! && n[1]! <= n[3]!, 'bbox is minLon,minLat,maxLon,maxLat')
  .transform((n) => n as [number, number, number, number])
  .describe('minLon,minLat,maxLon,maxLat');
