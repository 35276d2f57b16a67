// Reading a large file off the server's thread (docs/decisions/0015). The readers (src/formats) are
// synchronous: a 100 MB GeoJSON is one JSON.parse of ~4 s, during which the server would answer nothing.
// Above a size where that matters, the reader runs in a worker thread (kept warm between files,
// warm-workers.ts) and hands the records back in batches, each a few milliseconds of the main thread's time;
// the records are the same values the reader returns in the main thread (structured clone keeps plain data
// as it is), except that each geometry comes as text and is parsed when first asked for (record-polygon.ts).
import { readerFor } from '../formats/registry.ts';
import type { FormatId, RawRecord } from '../formats/records.ts';
import { received, type RecordSent } from './record-polygon.ts';
import { refusalError, WarmWorkers, type Refusal } from './warm-workers.ts';

/** Records per message: small enough that taking one in keeps the main thread's turn short. */
export const BATCH = 500;

/** Below this a file is read in place: handing it to a thread and back costs more than the read blocks. */
export const READ_IN_PLACE_BYTES = 2 * 1_048_576;

/** Above this a thread that read or decoded a file is ended after it, not kept warm (warm-workers.ts). */
export const KEEP_THREAD_BELOW_BYTES = 32 * 1_048_576;

export interface ReadJob {
  fileName: string;
  format: FormatId;
  text: string;
}

export type ReadMessage = { records: RecordSent[] } | { done: number } | Refusal | { failed: string };

const readers = new WarmWorkers(new URL('./read-file-worker.mjs', import.meta.url));

/** Starts a reading thread ahead of the first large file (the server does as it starts). */
export const warmFileReader = (): void => readers.warm();

/** The file's records, as `readerFor(fileName, format).read(text)` gives them, read off this thread when large. */
export async function readRecordsOffThread(fileName: string, text: string, format?: FormatId): Promise<RawRecord[]> {
  // The format is chosen here, so an unknown one is refused before any thread is asked.
  const reader = readerFor(fileName, format);
  if (text.length < READ_IN_PLACE_BYTES) return reader.read(text);
  const records: RawRecord[] = [];
  const start: ReadJob = { fileName, format: reader.id, text };
  return readers.run<ReadMessage, RawRecord[]>({
    start,
    keepThread: text.length < KEEP_THREAD_BELOW_BYTES,
    onMessage(message, reply) {
      if ('records' in message) {
        for (const sent of message.records) records.push(received(sent));
        // The next batch after a turn of the event loop, so requests waiting meanwhile are answered.
        setImmediate(() => reply('next'));
        return undefined;
      }
      if ('done' in message) return { value: records };
      if ('refused' in message) throw refusalError(message);
      throw new Error(`Reading ${fileName} failed: ${message.failed}`);
    },
  });
}
