// The exchange format of each kind of record as OpenAPI components, built from the kind's declaration (its
// zod schema, its fields and its geometry), so the document lists a new kind's fields as soon as the kind
// is declared. Import and submission routes name the kinds their body holds (RouteSpec.body.records); the
// document points them at these components.
import { z } from 'zod';
import { KIND_IDS, kindOf, type KindId, type RecordKind } from '../kinds/registry.ts';

type JsonObject = Record<string, unknown>;

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });

/** hazard -> Hazard, land_release -> LandRelease: the kind's table, as the document names its schemas. */
export const kindSchemaName = (id: KindId): string =>
  kindOf(id).table.split('_').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');

const GEOMETRY: Record<RecordKind['geometry'], JsonObject> = {
  polygon: {
    type: 'object',
    description: 'GeoJSON Polygon or MultiPolygon, WGS84 longitude/latitude',
    required: ['type', 'coordinates'],
    properties: { type: { enum: ['Polygon', 'MultiPolygon'] }, coordinates: { type: 'array' } },
  },
  point: {
    type: 'object',
    description: 'GeoJSON Point, WGS84 longitude/latitude, at least 6 decimal places',
    required: ['type', 'coordinates'],
    properties: { type: { const: 'Point' }, coordinates: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 3 } },
  },
  none: { type: 'null' },
};

/** The columns a CSV file of the kind has: its fields and where the geometry goes. */
function csvColumns(kind: RecordKind<object>): string {
  const geometry = kind.geometry === 'point' ? 'lon and lat (or wkt)' : kind.geometry === 'polygon' ? 'wkt' : 'none';
  return `CSV with a header row: ${kind.fields.map((f) => f.name).join(', ')}; geometry: ${geometry}`;
}

/** The kind's properties as JSON Schema: its zod schema as input, each declared field described. */
function propertiesSchema(kind: RecordKind<object>): JsonObject {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(kind.schema, { io: 'input', unrepresentable: 'any' }) as JsonObject & {
    properties?: Record<string, JsonObject>;
  };
  const properties = { ...(schema.properties ?? {}) };
  for (const field of kind.fields) properties[field.name] = { ...(properties[field.name] ?? {}), description: field.description };
  return {
    ...schema,
    description: `The exchange fields of a ${kind.noun.en} (GeoJSON properties, CSV columns)`,
    properties,
    required: kind.fields.filter((f) => f.required).map((f) => f.name),
  };
}

/** Per kind: <Name>Properties, <Name>Feature, <Name>FeatureCollection; and the mixed file of any kinds. */
export function kindComponents(): Record<string, JsonObject> {
  const components: Record<string, JsonObject> = {};
  for (const id of KIND_IDS) {
    const kind = kindOf(id);
    const name = kindSchemaName(id);
    components[`${name}Properties`] = propertiesSchema(kind);
    components[`${name}Feature`] = {
      type: 'object',
      description: `One ${kind.noun.en} as a GeoJSON Feature`,
      required: ['type', 'properties', 'geometry'],
      properties: { type: { const: 'Feature' }, properties: ref(`${name}Properties`), geometry: GEOMETRY[kind.geometry] },
    };
    components[`${name}FeatureCollection`] = {
      type: 'object',
      description: `A file of ${id} in the exchange format. ${csvColumns(kind)}`,
      required: ['type', 'features'],
      properties: { type: { const: 'FeatureCollection' }, features: { type: 'array', items: ref(`${name}Feature`) } },
    };
  }
  components.MixedFeatureCollection = {
    type: 'object',
    description: 'A file of several kinds: each record says its own record_kind (hazard, release or find) beside its fields',
    required: ['type', 'features'],
    properties: {
      type: { const: 'FeatureCollection' },
      features: {
        type: 'array',
        items: {
          anyOf: KIND_IDS.map((id) => ({
            allOf: [ref(`${kindSchemaName(id)}Feature`), { properties: { properties: { properties: { record_kind: { type: 'string' } }, required: ['record_kind'] } } }],
          })),
        },
      },
    },
  };
  return components;
}

/**
 * The request body of a route taking a file of records of these kinds: per content type, the schema of
 * the file (GeoJSON), its columns (CSV), the multipart field, and JSON {items: [Feature]} where accepted.
 */
export function recordsBodyContent(kinds: readonly KindId[], contentTypes: readonly string[], withItems: boolean): JsonObject {
  const files = kinds.map((id) => ref(`${kindSchemaName(id)}FeatureCollection`));
  if (kinds.length > 1) files.push(ref('MixedFeatureCollection'));
  const file: JsonObject = files.length === 1 ? files[0]! : { oneOf: files };
  const features = kinds.map((id) => ref(`${kindSchemaName(id)}Feature`));
  const items: JsonObject = {
    type: 'object',
    required: ['items'],
    properties: { items: { type: 'array', minItems: 1, items: features.length === 1 ? features[0] : { anyOf: features } } },
  };
  const csv = kinds.map((id) => csvColumns(kindOf(id))).join('. ');
  const content: JsonObject = {};
  for (const type of contentTypes) {
    if (type === 'text/csv') content[type] = { schema: { type: 'string', description: csv } };
    else if (type === 'multipart/form-data') content[type] = { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'a GeoJSON or CSV file' } } } };
    else if (type === 'application/json' && withItems) content[type] = { schema: { oneOf: [file, items] } };
    else content[type] = { schema: file };
  }
  return content;
}
