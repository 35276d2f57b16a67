import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Browser tests against the real `clearway serve`: one server and one browser per file, files one at a time.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    globalSetup: ['e2e/support/build-web.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    // Importing fixtures and opening the embedded PostgreSQL takes a while on a fresh data folder.
    hookTimeout: 300_000,
  },
});
