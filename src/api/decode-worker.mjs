// Entry of an upload-decoding worker thread: sources are TypeScript, so the thread registers tsx first.
import { register } from 'tsx/esm/api';

register();
await import('./decode-worker.ts');
