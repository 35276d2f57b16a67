// Every test of Clearway: unit tests, the database tests on both engines (the same files run twice), and
// the browser tests. `npm test` (scripts/test.sh) runs them all.
import { defineConfig } from 'vitest/config';

const databaseProject = (engine: 'embedded' | 'server') => ({
  test: {
    name: engine,
    include: ['test/db/**/*.test.ts'],
    env: { CLEARWAY_TEST_ENGINE: engine },
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts', 'web/src/**/*.test.ts'] } },
      databaseProject('embedded'),
      databaseProject('server'),
      {
        test: {
          name: 'browser',
          include: ['e2e/**/*.e2e.test.ts'],
          // Builds web/dist from the current sources first, so the browser never tests an old page.
          globalSetup: ['e2e/support/build-web.ts'],
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
