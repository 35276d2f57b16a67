// Decoding a large upload off the server's thread (point 9 of issue 8, docs/decisions/0018). Fastify hands
// a large body over as bytes; turning 100 MB of bytes into text, scanning it for nesting depth and for what
// PostgreSQL cannot store is a second or more of JavaScript that would hold every other request back.
// Above the size where that matters, a worker thread does it and sends the text back (a copy of a few tens
// of milliseconds); a refusal comes back as the same ClearwayError the main thread would have thrown.
import { Worker } from 'node:worker_threads';
import { ClearwayError, type ProblemCode } from '../domain/problems.ts';
import { READ_IN_PLACE_BYTES } from '../app/read-off-thread.ts';

export interface DecodeRequest {
  bytes: Uint8Array;
  /** The sender's charset (Content-Type), if any. */
  charset?: string;
  /** How messages name the upload ("The file hazards.geojson"). */
  what: string;
  /** A JSON document (GeoJSON): also checked for depth and for text PostgreSQL cannot store. */
  json: boolean;
}

export type DecodeMessage =
  | { text: string }
  | { refused: { code: ProblemCode; message: string; status: number; details: Record<string, unknown> } }
  | { failed: string };

/** The upload's text, decoded and checked as `decode` does, off this thread when the upload is large. */
export async function decodeOffThread(request: DecodeRequest, decode: (request: DecodeRequest) => string): Promise<string> {
  if (request.bytes.length < READ_IN_PLACE_BYTES) return decode(request);
  // The bytes are handed over, not copied, when they fill their own buffer (Fastify's body of a large upload).
  const { bytes } = request;
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  const worker = new Worker(new URL('./decode-worker.mjs', import.meta.url), {
    workerData: request,
    transferList: whole ? [bytes.buffer as ArrayBuffer] : [],
  });
  try {
    return await new Promise<string>((resolve, reject) => {
      worker.once('message', (message: DecodeMessage) => {
        if ('text' in message) resolve(message.text);
        else if ('refused' in message) {
          const { code, message: text, status, details } = message.refused;
          reject(new ClearwayError(code, text, status, details));
        } else reject(new Error(`Decoding the upload failed: ${message.failed}`));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`Decoding the upload stopped (exit ${code})`)));
    });
  } finally {
    await worker.terminate();
  }
}
