// Reading request bodies: an uploaded file (raw body or multipart field "file") or a JSON document.
import type { FastifyRequest } from 'fastify';
import { ClearwayError } from '../domain/problems.ts';

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

/** The multipart field "file" as bytes, with its name and media type. */
export async function readMultipartFile(request: FastifyRequest): Promise<{ bytes: Buffer; fileName: string; contentType: string }> {
  const file = await request.file();
  if (!file) throw new ClearwayError('request.invalid', 'The multipart request has no "file" field', 400, { field: 'file' });
  return { bytes: await file.toBuffer(), fileName: file.filename, contentType: file.mimetype };
}

export async function readUpload(request: FastifyRequest): Promise<UploadedFile> {
  if (request.isMultipart()) {
    const file = await readMultipartFile(request);
    return { text: file.bytes.toString('utf8'), fileName: file.fileName, format: formatOf(file.contentType, file.fileName) };
  }
  const body = request.body;
  if (typeof body !== 'string' || body.length === 0) {
    throw new ClearwayError('request.invalid', 'Send the file as the request body (GeoJSON or CSV) or as the multipart field "file"', 400, { field: 'body' });
  }
  return { text: body, format: formatOf(request.headers['content-type']) };
}

export function jsonBody(request: FastifyRequest): unknown {
  // Only application/json: an HTML form can send text/plain across sites without any CORS check, and must
  // not be able to forge a JSON request (a sign-in into someone else's account, say).
  const contentType = request.headers['content-type'] ?? '';
  if (typeof request.body !== 'string' || !contentType.startsWith('application/json')) {
    throw new ClearwayError('request.media-type', 'Send a JSON body with Content-Type: application/json', 415, { field: 'body' });
  }
  try {
    return JSON.parse(request.body) as unknown;
  } catch {
    throw new ClearwayError('request.invalid', 'The body is not valid JSON', 400, { field: 'body' });
  }
}

