// Reading request bodies: an uploaded file (raw body or multipart field "file") or a JSON document. Text is
// decoded strictly (formats/text-encoding.ts) and checked for what PostgreSQL cannot store before any of it
// reaches SQL, so such input is a 422 naming where it is, never a 500.
import type { FastifyRequest } from 'fastify';
import { ClearwayError } from '../domain/problems.ts';
import { describeUnstorable, findUnstorableText, jsonTextDepth, MAX_JSON_DEPTH, type UnstorableText } from '../domain/storable-text.ts';
import { charsetOf, decodeText } from '../formats/text-encoding.ts';
import { decodeOffThread, type DecodeRequest } from './decode-off-thread.ts';

export interface UploadedFile {
  text: string;
  fileName?: string;
  format?: 'geojson' | 'csv';
}

function formatOf(contentType: string | undefined, fileName?: string): 'geojson' | 'csv' | undefined {
  if (fileName?.toLowerCase().endsWith('.csv') || contentType?.startsWith('text/csv')) return 'csv';
  if (fileName || contentType?.includes('json')) return 'geojson';
  return undefined;
}

/** The place of unstorable text as the record and field a person fixes: a feature, an item or a row, and its field. */
function placeOf(found: UnstorableText): Record<string, unknown> {
  const record = /^(features|items|rows|reasons)\[(\d+)\](?:\.properties)?(?:\.(\w+)|\["(.*)"\])?/.exec(found.path);
  const field = record?.[3] ?? record?.[4] ?? found.path.split('.').pop();
  const key = record?.[1] === 'features' ? 'feature' : record?.[1] === 'rows' ? 'row' : 'item';
  return { path: found.path, ...(record ? { [key]: Number(record[2]) } : {}), ...(field ? { field } : {}) };
}

/** Refuses a parsed document holding text PostgreSQL cannot store (422), or nested too deep to read (400). */
export function checkStorable(value: unknown, what: string): void {
  const found = findUnstorableText(value);
  if (!found) return;
  if (found.reason === 'depth') throw new ClearwayError('request.invalid', `${what}: ${describeUnstorable(found)}`, 400, { path: found.path });
  throw new ClearwayError('text.unstorable', `${what}: ${describeUnstorable(found)}`, 422, placeOf(found));
}

function checkJsonText(text: string, what: string): void {
  // Counted on the text first: a parser or a later JSON.stringify of 10,000 levels could overflow the stack.
  if (jsonTextDepth(text) > MAX_JSON_DEPTH) throw new ClearwayError('request.invalid', `${what} is nested more than ${MAX_JSON_DEPTH} levels deep`, 400, { field: 'body' });
  // A NUL or a lone surrogate can only be written as an escape in valid JSON: parse to name it only then.
  if (!/\\u(?:0000|d[89a-f])/i.test(text)) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    return; // Not JSON: the reader reports that, naming the line.
  }
  checkStorable(parsed, what);
}

const uploadLimits = new WeakMap<FastifyRequest, number>();

/** The largest body this caller may send (set by the server once it knows who is calling). */
export function setUploadLimit(request: FastifyRequest, bytes: number): void {
  uploadLimits.set(request, bytes);
}

export const uploadLimitOf = (request: FastifyRequest): number | undefined => uploadLimits.get(request);

/** The multipart field "file" as bytes, with its name and media type, up to the caller's upload limit. */
export async function readMultipartFile(request: FastifyRequest): Promise<{ bytes: Buffer; fileName: string; contentType: string }> {
  const maxBytes = uploadLimitOf(request);
  try {
    const file = await request.file(maxBytes ? { limits: { fileSize: maxBytes } } : undefined);
    if (!file) throw new ClearwayError('request.invalid', 'The multipart request has no "file" field', 400, { field: 'file' });
    return { bytes: await file.toBuffer(), fileName: file.filename, contentType: file.mimetype };
  } catch (error) {
    if (error instanceof ClearwayError || (error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw error;
    // A body that is not the multipart it says (no boundary, a part cut off, a broken header): the request's fault.
    const why = error instanceof Error ? error.message : String(error);
    throw new ClearwayError('request.invalid', `The multipart body cannot be read: ${why.slice(0, 200)}`, 400, { field: 'body' });
  }
}

/** An upload's bytes as text, decoded strictly and, for JSON, checked (what the decoding worker runs). */
export function decodeUpload(upload: DecodeRequest): string {
  const text = decodeText(Buffer.from(upload.bytes.buffer, upload.bytes.byteOffset, upload.bytes.byteLength), upload.charset, upload.what);
  if (upload.json) checkJsonText(text, upload.what);
  return text;
}

export async function readUpload(request: FastifyRequest): Promise<UploadedFile> {
  if (request.isMultipart()) {
    const file = await readMultipartFile(request);
    const format = formatOf(file.contentType, file.fileName);
    const what = `The file ${file.fileName}`;
    const text = await decodeOffThread({ bytes: file.bytes, charset: charsetOf(file.contentType), what, json: format !== 'csv' }, decodeUpload);
    return { text, fileName: file.fileName, format };
  }
  const body = request.body;
  const format = formatOf(request.headers['content-type']);
  // A large body arrives as bytes (server.ts): decoded and checked off the server's thread.
  if (Buffer.isBuffer(body) && body.length > 0) {
    const text = await decodeOffThread({ bytes: body, charset: charsetOf(request.headers['content-type']), what: 'The file', json: format !== 'csv' }, decodeUpload);
    return { text, format };
  }
  if (typeof body !== 'string' || body.length === 0) {
    throw new ClearwayError('request.invalid', 'Send the file as the request body (GeoJSON or CSV) or as the multipart field "file"', 400, { field: 'body' });
  }
  if (format !== 'csv') checkJsonText(body, 'The file');
  return { text: body, format };
}

/** The body as text: a large one arrives as bytes (server.ts), decoded here as the small ones were on arrival. */
function bodyText(request: FastifyRequest): unknown {
  const body = request.body;
  return Buffer.isBuffer(body) ? decodeText(body, charsetOf(request.headers['content-type']), 'The body') : body;
}

export function jsonBody(request: FastifyRequest): unknown {
  // Only application/json: an HTML form can send text/plain across sites without any CORS check, and must
  // not be able to forge a JSON request (a sign-in into someone else's account, say).
  const contentType = request.headers['content-type'] ?? '';
  const body = contentType.startsWith('application/json') ? bodyText(request) : undefined;
  if (typeof body !== 'string') {
    throw new ClearwayError('request.media-type', 'Send a JSON body with Content-Type: application/json', 415, { field: 'body' });
  }
  if (jsonTextDepth(body) > MAX_JSON_DEPTH) {
    throw new ClearwayError('request.invalid', `The body is nested more than ${MAX_JSON_DEPTH} levels deep`, 400, { field: 'body' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body) as unknown;
  } catch {
    throw new ClearwayError('request.invalid', 'The body is not valid JSON', 400, { field: 'body' });
  }
  checkStorable(parsed, 'The body');
  return parsed;
}
