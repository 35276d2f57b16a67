// A worker thread that decodes large uploads and checks their text, one at a time (decode-off-thread.ts says why).
import { parentPort } from 'node:worker_threads';
import { failureMessage } from '../app/warm-workers.ts';
import { decodeUpload } from './request-body.ts';
import type { DecodeMessage, DecodeRequest } from './decode-off-thread.ts';

const post = (message: DecodeMessage) => parentPort!.postMessage(message);

parentPort!.on('message', (request: DecodeRequest) => {
  try {
    post({ text: decodeUpload(request) });
  } catch (error) {
    post(failureMessage(error));
  }
});
