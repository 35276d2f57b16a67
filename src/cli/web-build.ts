// The web app is built once from its sources (Vite) and then served as files; `start` builds it when
// web/dist is missing or older than web/src, so a fresh checkout needs no separate build step.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

export function webBuildIsCurrent(): boolean {
  const index = path.join(webDir, 'dist', 'index.html');
  if (!fs.existsSync(index)) return false;
  const sources = Math.max(newestSource(path.join(webDir, 'src')), fs.statSync(path.join(webDir, 'index.html')).mtimeMs);
  return fs.statSync(index).mtimeMs >= sources;
}

export async function ensureWebBuilt(log: (line: string) => void): Promise<void> {
  if (webBuildIsCurrent()) return;
  log('Building the web app (first start only)...');
  const { build } = await import('vite');
  await build({ configFile: path.join(webDir, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
}
