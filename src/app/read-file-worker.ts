// A worker thread that reads uploaded files into records, one at a time (JSON.parse of 100 MB takes ~4 s),
// so the server's thread stays free to answer; the records go back in small batches (read-off-thread.ts).
import { parentPort } from 'node:worker_threads';
import { readerFor } from '../formats/registry.ts';
import type { RawRecord } from '../formats/records.ts';
import { BATCH, type ReadJob, type ReadMessage } from './read-off-thread.ts';
import { failureMessage } from './warm-workers.ts';
import { toSend } from './record-polygon.ts';

const post = (message: ReadMessage) => parentPort!.postMessage(message);

// The file being sent back. Messages already waiting on a port are all taken in at once, so sending every
// batch ahead would hand the main thread the whole file's records in one long turn; one batch is sent ahead
// of the main thread's request, so that this thread copies the next batch out while it takes one in.
let records: RawRecord[] = [];
let next = 0;

function send(): void {
  if (next > records.length) return;
  if (next === records.length) {
    const count = records.length;
    // The thread waits for the next file: it holds nothing of this one.
    records = [];
    next = 1;
    return post({ done: count });
  }
  // Each geometry goes as text, its polygon worked out here (record-polygon.ts says why).
  post({ records: records.slice(next, next + BATCH).map(toSend) });
  next = Math.min(next + BATCH, records.length);
}

parentPort!.on('message', (message: ReadJob | 'next') => {
  if (message === 'next') return send();
  try {
    records = readerFor(message.fileName, message.format).read(message.text);
    next = 0;
    send();
    send();
  } catch (error) {
    records = [];
    post(failureMessage(error));
  }
});
