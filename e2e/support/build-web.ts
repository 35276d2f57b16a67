import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** The server serves web/dist: build it from the current sources so the test never runs an old page. */
export default async function buildWeb(): Promise<void> {
  if (process.env['CLEARWAY_E2E_SKIP_BUILD'] === '1') return;
  // Vitest sets NODE_ENV=test, and Vite would then bundle React's development build: test what ships instead.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({ configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
}
