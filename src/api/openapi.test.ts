// The OpenAPI document lists every declared kind's exchange fields, and the routes that take files of
// records point at them: a kind added to the registry appears in the document without touching it.
import { describe, expect, it } from 'vitest';
import { KIND_IDS, kindOf } from '../kinds/registry.ts';
import { kindSchemaName } from './kind-schemas.ts';
import { openApiDocument } from './openapi.ts';
import { ROUTES } from './routes.ts';

type Schema = { $ref?: string; oneOf?: Schema[]; anyOf?: Schema[]; allOf?: Schema[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; description?: string; type?: string };
interface Operation { requestBody?: { content: Record<string, { schema: Schema }> } }
const document = openApiDocument(ROUTES, 'test') as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};
const schemas = document.components.schemas;

/** Every $ref reachable from a schema, to the depth a request body nests them. */
const refsIn = (schema: Schema | undefined): string[] =>
  !schema ? [] : [
    ...(schema.$ref ? [schema.$ref.replace('#/components/schemas/', '')] : []),
    ...[...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])].flatMap(refsIn),
    ...Object.values(schema.properties ?? {}).flatMap(refsIn),
    ...refsIn(schema.items),
  ];

describe('the OpenAPI document and the kinds of record', () => {
  it.each(KIND_IDS)('lists the exchange fields of %s as declared: each field, described, required as declared', (id) => {
    const kind = kindOf(id);
    const name = kindSchemaName(id);
    const properties = schemas[`${name}Properties`]!;
    expect(Object.keys(properties.properties ?? {}).sort()).toEqual(kind.fields.map((f) => f.name).sort());
    for (const field of kind.fields) expect(properties.properties![field.name]!.description).toBe(field.description);
    expect(properties.required!.sort()).toEqual(kind.fields.filter((f) => f.required).map((f) => f.name).sort());
    expect(refsIn(schemas[`${name}Feature`])).toEqual([`${name}Properties`]);
    expect(refsIn(schemas[`${name}FeatureCollection`])).toEqual([`${name}Feature`]);
  });

  it.each(KIND_IDS)('points the import route of %s at its file: GeoJSON, the CSV columns and the multipart field', (id) => {
    const content = document.paths[`/api/imports/${id}`]!.post!.requestBody!.content;
    const name = kindSchemaName(id);
    expect(refsIn(content['application/geo+json']!.schema)).toEqual([`${name}FeatureCollection`]);
    expect(refsIn(content['application/json']!.schema)).toEqual([`${name}FeatureCollection`]);
    for (const field of kindOf(id).fields) expect(content['text/csv']!.schema.description).toContain(field.name);
    expect(content['multipart/form-data']!.schema.required).toEqual(['file']);
  });

  it('points the submission routes at a file of any kind, a mixed file, or {items}', () => {
    for (const operation of [document.paths['/api/submissions']!.post!, document.paths['/api/submissions/{id}']!.put!]) {
      const content = operation.requestBody!.content;
      const files = refsIn(content['application/geo+json']!.schema);
      expect(files).toEqual([...KIND_IDS.map((id) => `${kindSchemaName(id)}FeatureCollection`), 'MixedFeatureCollection']);
      expect(refsIn(content['application/json']!.schema)).toEqual([...files, ...KIND_IDS.map((id) => `${kindSchemaName(id)}Feature`)]);
    }
    expect(refsIn(schemas.MixedFeatureCollection).sort()).toEqual(KIND_IDS.map((id) => `${kindSchemaName(id)}Feature`).sort());
  });

  it.each(KIND_IDS)('documents the history of %s, served by the one route every kind gets from its declaration', (id) => {
    expect(document.paths[`/api/${id}/{ref}/history`]?.get).toBeDefined();
    expect(ROUTES.filter((r) => r.path === `/api/${id}/:ref/history`)).toHaveLength(1);
  });

  it('leaves no reference dangling', () => {
    const all = JSON.stringify(document).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const target of new Set(all)) expect(schemas).toHaveProperty(target.replace('#/components/schemas/', ''));
  });
});
