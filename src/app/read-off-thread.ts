// Reading a large file off the server's thread (docs/decisions/0015). The readers (src/formats) are
// synchronous: a 100 MB GeoJSON is one JSON.parse of ~4 s, during which the server would answer nothing.
// Above a size where that matters, the reader runs in a worker thread of its own and hands the records back
// in batches, each a few milliseconds of the main thread's time; the records are the same values the reader
// returns in the main thread (structured clone keeps plain data as it is).
import { Worker } from 'node:worker_threads';
import { ClearwayError, type ProblemCode } from '../domain/problems.ts';
import { readerFor } from '../formats/registry.ts';
import type { FormatId, RawRecord } from '../formats/records.ts';

/** Records per message: small enough that taking one in keeps the main thread's turn short. */
export const BATCH = 500;

/** Below this a file is read in place: starting a worker (~0.3 s) costs more than the read blocks. */
export const READ_IN_PLACE_BYTES = 2 * 1_048_576;

export type ReadMessage =
  | { records: RawRecord[] }
  | { done: number }
  | { refused: { code: ProblemCode; message: string; status: number; details: Record<string, unknown> } }
  | { failed: string };

/** The file's records, as `readerFor(fileName, format).read(text)` gives them, read off this thread when large. */
export async function readRecordsOffThread(fileName: string, text: string, format?: FormatId): Promise<RawRecord[]> {
  // The format is chosen here, so an unknown one is refused before any thread starts.
  const reader = readerFor(fileName, format);
  if (text.length < READ_IN_PLACE_BYTES) return reader.read(text);
  const worker = new Worker(new URL('./read-file-worker.mjs', import.meta.url), { workerData: { fileName, format: reader.id, text } });
  const records: RawRecord[] = [];
  try {
    return await new Promise<RawRecord[]>((resolve, reject) => {
      worker.on('message', (message: ReadMessage) => {
        if ('records' in message) {
          for (const record of message.records) records.push(record);
          // The next batch after a turn of the event loop, so requests waiting meanwhile are answered.
          setImmediate(() => worker.postMessage('next'));
        } else if ('done' in message) {
          resolve(records);
        } else if ('refused' in message) {
          const { code, message: text, status, details } = message.refused;
          reject(new ClearwayError(code, text, status, details));
        } else {
          reject(new Error(`Reading ${fileName} failed: ${message.failed}`));
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`Reading ${fileName} stopped (exit ${code})`)));
    });
  } finally {
    await worker.terminate();
  }
}
