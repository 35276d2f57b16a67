// A route is declared once, with the zod schemas that validate its input; the same declaration builds the
// OpenAPI document (openapi.ts), so the document cannot drift from what the server accepts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Database } from '../app/open.ts';

export interface RouteContext {
  db: Database;
  config: ServerConfig;
}

export interface ServerConfig {
  /** XYZ tile URL of an online basemap, when the office has a connection. */
  basemapUrl: string | null;
  /** Token that allows writes through the API until accounts arrive (issue 4); no token, no writes. */
  apiToken: string | null;
  /** Largest accepted upload, in bytes. */
  maxUploadBytes: number;
}

export interface RouteSpec<Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  summary: string;
  tags: string[];
  query?: Q;
  params?: P;
  /** What the body is, for the document (bodies are read by the handler). */
  body?: { contentTypes: string[]; description: string; schema?: z.ZodType };
  responses: Record<number, { description: string; contentType?: string; schema?: z.ZodType }>;
  /** Routes that change the official record need the API token. */
  writes?: boolean;
  handler(input: { query: z.infer<Q>; params: z.infer<P>; request: FastifyRequest; reply: FastifyReply; context: RouteContext }): Promise<unknown>;
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
