// Entry of the embedded engine's worker thread: sources are TypeScript, so the thread registers tsx (as
// bin/clearway.mjs does for the main thread) before loading the worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./embedded-worker.ts');
