// A worker thread that decodes one large upload and checks its text (decode-off-thread.ts says why).
import { parentPort, workerData } from 'node:worker_threads';
import { ClearwayError } from '../domain/problems.ts';
import { decodeUpload } from './request-body.ts';
import type { DecodeMessage, DecodeRequest } from './decode-off-thread.ts';

const request = workerData as DecodeRequest;
const post = (message: DecodeMessage) => parentPort!.postMessage(message);

try {
  post({ text: decodeUpload(request) });
} catch (error) {
  if (error instanceof ClearwayError) post({ refused: { code: error.code, message: error.message, status: error.status, details: error.details } });
  else post({ failed: error instanceof Error ? error.message : String(error) });
}
