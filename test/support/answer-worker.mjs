// A worker thread for the tests of WarmWorkers: answers each message with its thread id and the message,
// refuses 'refuse' as a ClearwayError would be sent back, and stops its thread on 'stop'.
import { parentPort, threadId } from 'node:worker_threads';

parentPort.on('message', (message) => {
  if (message === 'stop') process.exit(3);
  if (message === 'refuse') return parentPort.postMessage({ refused: { code: 'file.encoding', message: 'refused', status: 422, details: { line: 1 } } });
  parentPort.postMessage({ threadId, message });
});
