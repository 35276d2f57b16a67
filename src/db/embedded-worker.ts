// The worker thread that owns the embedded database (docs/decisions/0015): PGlite runs its WebAssembly here,
// so a statement that takes 20 s keeps this thread busy and never the server's. It answers the main thread
// over its MessagePort and, when it holds a data folder, other `clearway` commands over a unix socket.
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { EmbeddedHost, serveOnSocket, toWireError, type Request } from './embedded-protocol.ts';
import { pgliteParsers } from './embedded-types.ts';

export interface WorkerSettings {
  dataDir?: string;
  /** A gzipped data folder tarball to start from (tests). */
  loadDataDir?: Uint8Array;
  /** Where to serve other commands; only for a data folder this process has locked. */
  socketPath?: string;
}

export type WorkerEvent = { ready: true } | { failed: ReturnType<typeof toWireError> } | { closed: true };

const settings = workerData as WorkerSettings;
const port = parentPort!;

async function main(): Promise<void> {
  const pglite = await PGlite.create({
    dataDir: settings.dataDir,
    loadDataDir: settings.loadDataDir ? new Blob([settings.loadDataDir]) : undefined,
    extensions: { postgis },
    parsers: pgliteParsers,
  });
  const host = new EmbeddedHost(pglite);
  let socketServer: { close(): Promise<void> } | null = null;
  const share = async (): Promise<void> => {
    if (!settings.socketPath || socketServer) return;
    // A socket file left by a holder that died is in the way; the lock says we are the holder now.
    if (!settings.socketPath.startsWith('\\\\')) fs.rmSync(settings.socketPath, { force: true });
    socketServer = await serveOnSocket(host, settings.socketPath);
    if (!settings.socketPath.startsWith('\\\\')) fs.chmodSync(settings.socketPath, 0o600);
  };
  const session = host.session();
  port.on('message', (message: Request | { op: 'shutdown' }) => {
    if (message.op === 'shutdown') {
      void (async () => {
        // No new commands; those connected get their transactions rolled back as their sockets close.
        await socketServer?.close();
        await session.end();
        await pglite.close();
        port.postMessage({ closed: true } satisfies WorkerEvent);
      })();
      return;
    }
    if (message.op === 'share') {
      void share().then(
        () => port.postMessage({ id: message.id, ok: true }),
        (error: unknown) => port.postMessage({ id: message.id, ok: false, error: toWireError(error) }),
      );
      return;
    }
    void session.handle(message).then((response) => port.postMessage(response));
  });
  port.postMessage({ ready: true } satisfies WorkerEvent);
}

main().catch((error: unknown) => port.postMessage({ failed: toWireError(error) } satisfies WorkerEvent));
