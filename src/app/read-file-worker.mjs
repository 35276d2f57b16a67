// Entry of a file-reading worker thread: sources are TypeScript, so the thread registers tsx first.
import { register } from 'tsx/esm/api';

register();
await import('./read-file-worker.ts');
