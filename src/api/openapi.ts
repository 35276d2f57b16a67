// The OpenAPI 3.1 document, generated from the route declarations and their zod schemas (JSON Schema
// 2020-12, which OpenAPI 3.1 uses as is).
import { z } from 'zod';
import { kindComponents, recordsBodyContent } from './kind-schemas.ts';
import type { RouteSpec } from './route.ts';
import { scopesByRole, whoMay } from '../domain/access-policy.ts';

type JsonObject = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonObject => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return rest;
};

function parameters(schema: z.ZodType | undefined, where: 'query' | 'path'): JsonObject[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (object.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const openApiPath = (path: string): string => path.replace(/:([a-zA-Z_]+)/g, '{$1}');

export function openApiDocument(routes: RouteSpec[], version: string): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const spec of routes) {
    const responses: JsonObject = {};
    for (const [status, response] of Object.entries(spec.responses)) {
      const contentType = response.contentType ?? 'application/json';
      responses[status] = {
        description: response.description,
        content: { [contentType]: { schema: response.schema ? jsonSchema(response.schema, 'output') : {} } },
      };
    }
    const operation: JsonObject = {
      summary: spec.summary,
      tags: spec.tags,
      operationId: `${spec.method.toLowerCase()}${spec.path.replace(/[/:{}-]+(\w)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
      responses,
    };
    if (spec.body) {
      operation.requestBody = {
        description: spec.body.description,
        required: true,
        content: spec.body.records
          ? recordsBodyContent(spec.body.records.kinds, spec.body.contentTypes, spec.body.records.items ?? false)
          : Object.fromEntries(spec.body.contentTypes.map((type) => [type, { schema: spec.body?.schema ? jsonSchema(spec.body.schema, 'input') : {} }])),
      };
    }
    // Who may call it, from the access policy itself: in words, and as a table (x-clearway-access).
    const scopes = scopesByRole(spec.access.action, spec.access.kind);
    operation['x-clearway-access'] = { action: spec.access.action, ...(spec.access.kind ? { kind: spec.access.kind } : {}), scopes };
    if (scopes.anonymous === null) {
      operation.security = [{ bearer: [] }, { session: [] }];
      operation.description = `Who may call it: ${whoMay(spec.access.action, spec.access.kind)}. With a session, send X-CSRF-Token.`;
    } else {
      operation.description = 'Who may call it: anyone, signed in or not.';
    }
    const path = openApiPath(spec.path);
    paths[path] = { ...(paths[path] ?? {}), [spec.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Clearway API',
      version,
      description: 'The official record of explosive ordnance hazards and land release. Errors are application/problem+json (RFC 9457) with a stable code.',
    },
    paths,
    components: {
      // Each kind's exchange fields, from its declaration (kind-schemas.ts).
      schemas: kindComponents(),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (npx clearway users token create)' },
        session: { type: 'apiKey', in: 'cookie', name: 'clearway_session', description: 'Set by POST /api/session' },
      },
    },
  };
}
