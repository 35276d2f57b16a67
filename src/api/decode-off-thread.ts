// Decoding a large upload off the server's thread (point 9 of issue 8, docs/decisions/0018). Fastify hands
// a large body over as bytes; turning 100 MB of bytes into text, scanning it for nesting depth and for what
// PostgreSQL cannot store is a second or more of JavaScript that would hold every other request back.
// Above the size where that matters, a worker thread (kept warm between uploads) does it and sends the text
// back (a copy of a few tens of milliseconds); a refusal comes back as the same ClearwayError the main thread
// would have thrown.
import { KEEP_THREAD_BELOW_BYTES, READ_IN_PLACE_BYTES, warmFileReader } from '../app/read-off-thread.ts';
import { refusalError, WarmWorkers, type Refusal } from '../app/warm-workers.ts';

export interface DecodeRequest {
  bytes: Uint8Array;
  /** The sender's charset (Content-Type), if any. */
  charset?: string;
  /** How messages name the upload ("The file hazards.geojson"). */
  what: string;
  /** A JSON document (GeoJSON): also checked for depth and for text PostgreSQL cannot store. */
  json: boolean;
}

export type DecodeMessage = { text: string } | Refusal | { failed: string };

const decoders = new WarmWorkers(new URL('./decode-worker.mjs', import.meta.url));

/** Starts the threads a large upload uses (decoding it, then reading its records) ahead of the first one. */
export function warmUploadThreads(): void {
  decoders.warm();
  warmFileReader();
}

/** The upload's text, decoded and checked as `decode` does, off this thread when the upload is large. */
export async function decodeOffThread(request: DecodeRequest, decode: (request: DecodeRequest) => string): Promise<string> {
  if (request.bytes.length < READ_IN_PLACE_BYTES) return decode(request);
  // The bytes are handed over, not copied, when they fill their own buffer (Fastify's body of a large upload).
  const { bytes } = request;
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return decoders.run<DecodeMessage, string>({
    start: request,
    transfer: whole ? [bytes.buffer as ArrayBuffer] : [],
    keepThread: bytes.length < KEEP_THREAD_BELOW_BYTES,
    onMessage(message) {
      if ('text' in message) return { value: message.text };
      if ('refused' in message) throw refusalError(message);
      throw new Error(`Decoding the upload failed: ${message.failed}`);
    },
  });
}
