// A worker thread that reads one uploaded file into records (JSON.parse of 100 MB takes ~4 s), so the
// server's thread stays free to answer; the records go back in small batches (read-off-thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { ClearwayError } from '../domain/problems.ts';
import { readerFor } from '../formats/registry.ts';
import type { FormatId } from '../formats/records.ts';
import { BATCH, type ReadMessage } from './read-off-thread.ts';

const { fileName, format, text } = workerData as { fileName: string; format?: FormatId; text: string };
const post = (message: ReadMessage) => parentPort!.postMessage(message);

try {
  const records = readerFor(fileName, format).read(text);
  // One batch per request of the main thread: messages already waiting on a port are all taken in at once,
  // so sending every batch ahead would hand the main thread the whole file's records in one long turn.
  let next = 0;
  const send = () => {
    if (next >= records.length) return post({ done: records.length });
    post({ records: records.slice(next, next + BATCH) });
    next += BATCH;
  };
  parentPort!.on('message', send);
  send();
} catch (error) {
  if (error instanceof ClearwayError) post({ refused: { code: error.code, message: error.message, status: error.status, details: error.details } });
  else post({ failed: error instanceof Error ? error.message : String(error) });
}
