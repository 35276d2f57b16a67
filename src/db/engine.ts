// One interface over the two ways Clearway runs PostgreSQL + PostGIS: embedded (PGlite compiled to
// WebAssembly, data in a local folder) and a real server chosen by DATABASE_URL. Everything above this
// module speaks SQL through `Queryable` and never knows which engine answers.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import pg from 'pg';
import { lockDataFolder } from './data-folder-lock.ts';
import { EmbeddedClient, fromWireError, socketTransport, type RawResult, type Response, type Transport } from './embedded-protocol.ts';
import { keepText, OID, toIsoTimestamp, toNumber } from './embedded-types.ts';
import type { WorkerEvent, WorkerSettings } from './embedded-worker.ts';

export type EngineName = 'embedded' | 'server';

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

/** A second connection for read-only statements beside a transaction (docs/decisions/0011). */
export interface ReadOnlyConnection extends Queryable {
  /** Closes the connection; waits for nothing: the caller awaits its own statements first. */
  release(): void;
}

export interface Database extends Queryable {
  readonly engine: EngineName;
  /**
   * A connection of its own that refuses writes, for checks that read committed data only, run beside
   * a transaction on another core. Undefined on the embedded engine (one connection).
   */
  readonly readOnlyConnection?: () => Promise<ReadOnlyConnection | null>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Embedded engine on a data folder only: from now on, other `clearway` commands reach this database through
   * the folder's socket (called once the schema is up to date, so they never meet a half-migrated one).
   */
  readonly shareWithOtherCommands?: () => Promise<void>;
  /** Runs a script of several statements (migrations only: never data changes that could fail silently). */
  runScript(text: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The embedded engine's PostGIS can fail inside GEOS and return neither a row nor an error; the only trace
 * is a result without `command` (see docs/decisions/0003-embedded-engine-silent-failures.md). We turn that
 * into this error so the surrounding transaction rolls back instead of committing a half-done change.
 */
export class SilentEngineFailure extends Error {
  constructor(readonly sql: string) {
    super(
      'The embedded database engine returned no result and no error for a statement (a geometry operation ' +
        'failed inside GEOS); the change was rolled back. Statement: ' + sql.replace(/\s+/g, ' ').slice(0, 200),
    );
    this.name = 'SilentEngineFailure';
  }
}

// Both engines return the same JavaScript values for the types we read (embedded-types.ts says which).
const pgTypesConfigured = (() => {
  pg.types.setTypeParser(OID.int8, toNumber);
  pg.types.setTypeParser(OID.numeric, toNumber);
  pg.types.setTypeParser(OID.date, keepText);
  pg.types.setTypeParser(OID.timestamptz, toIsoTimestamp);
  pg.types.setTypeParser(OID.timestamp, keepText);
  return true;
})();

/**
 * CLEARWAY_LOG_SLOW_MS=200 prints every statement slower than that to stderr, with when it started and ended
 * (seconds since the process started): for finding slow SQL, and which statements ran side by side.
 */
const slowMs = Number(process.env.CLEARWAY_LOG_SLOW_MS ?? 0);

async function timed<T>(sql: string, run: () => Promise<T>): Promise<T> {
  if (!slowMs) return run();
  const started = performance.now();
  try {
    return await run();
  } finally {
    const elapsed = performance.now() - started;
    if (elapsed >= slowMs) process.stderr.write(`slow sql ${elapsed.toFixed(0)} ms (${(started / 1000).toFixed(2)}-${(performance.now() / 1000).toFixed(2)} s): ${sql.replace(/\s+/g, ' ').slice(0, 300)}\n`);
  }
}

function checked<Row>(sql: string, result: RawResult): QueryResult<Row> {
  if (result.command === undefined) throw new SilentEngineFailure(sql);
  const rowCount = result.command === 'SELECT' ? result.rows.length : (result.affectedRows ?? result.rows.length);
  return { rows: result.rows as Row[], rowCount };
}

export interface EmbeddedOptions {
  /** Folder holding the database files; created when missing. Omit for an in-memory database. */
  dataDir?: string;
  /** A gzipped tarball of a data folder (PGlite dumpDataDir) to start from: used by tests. */
  loadDataDir?: Blob;
  /** What the data folder's lock names as its holder (default: this process's command line). */
  command?: string;
}

/** The embedded engine seen through its requests: the same for the worker's port and a holder's socket. */
function embeddedDatabase(client: EmbeddedClient, close: () => Promise<void>, share?: () => Promise<void>): Database {
  const queryable = (tx?: number): Queryable => ({
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const response = await timed(text, () => client.request({ op: 'query', tx, sql: text, params: [...params] }));
      return checked<Row>(text, response.result!);
    },
  });
  const top = queryable();
  return {
    engine: 'embedded',
    query: top.query,
    async transaction(work) {
      const { tx } = await client.request({ op: 'begin' });
      let result;
      try {
        result = await work(queryable(tx));
      } catch (error) {
        await client.request({ op: 'end', tx: tx!, commit: false }).catch(() => undefined);
        throw error;
      }
      // A failed commit rolls back inside the engine and reaches the caller as this request's error.
      await client.request({ op: 'end', tx: tx!, commit: true });
      return result;
    },
    async runScript(text) {
      const { results = [] } = await client.request({ op: 'exec', sql: text });
      // exec stops silently at a statement that failed inside GEOS; scripts end with a sentinel select
      // so a short result list is detected (see migrate.ts).
      const last = results.at(-1);
      if (!last || last.command === undefined) throw new SilentEngineFailure(text);
      const sentinel = (last.rows[0] as { script_complete?: unknown } | undefined)?.script_complete;
      if (sentinel !== true) throw new SilentEngineFailure(text);
    },
    close,
    ...(share ? { shareWithOtherCommands: share } : {}),
  };
}

const defaultCommand = () => ['clearway', ...process.argv.slice(2)].join(' ');

/**
 * Opens the embedded engine in a worker thread of its own (docs/decisions/0015). With a data folder, this
 * process first takes the folder's lock (DataFolderInUse when another process holds it) and serves the
 * database to other commands on the lock's socket while it is open.
 */
export async function openEmbedded(options: EmbeddedOptions = {}): Promise<Database> {
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  const lock = dataDir ? await lockDataFolder(dataDir, options.command ?? defaultCommand()) : null;
  // A process that ends without closing (an error after opening) leaves no lock behind it.
  const releaseAtExit = () => lock?.release();
  if (lock) process.on('exit', releaseAtExit);
  const settings: WorkerSettings = {
    dataDir,
    loadDataDir: options.loadDataDir ? new Uint8Array(await options.loadDataDir.arrayBuffer()) : undefined,
    socketPath: lock?.holder.socket,
  };
  const worker = new Worker(new URL('./embedded-worker.mjs', import.meta.url), { workerData: settings });
  const release = () => {
    lock?.release();
    process.off('exit', releaseAtExit);
  };
  const transport = workerTransport(worker);
  try {
    await transport.ready;
  } catch (error) {
    await worker.terminate();
    release();
    throw error;
  }
  const client = new EmbeddedClient(transport);
  const share = lock ? async () => void (await client.request({ op: 'share' })) : undefined;
  return embeddedDatabase(client, async () => {
    // The embedded engine writes its files on close: the worker closes PGlite before it is stopped.
    try {
      await transport.shutdown();
    } finally {
      await worker.terminate();
      release();
    }
  }, share);
}

/**
 * The worker's port as a transport. The worker keeps this process alive only while a request waits for
 * its answer, so a command that forgets to close still ends (its lock is removed at exit).
 */
function workerTransport(worker: Worker): Transport & { ready: Promise<void>; shutdown(): Promise<void> } {
  let onResponse: (response: Response) => void = () => undefined;
  let onClose: (reason: Error) => void = () => undefined;
  let pending = 0;
  let settleReady!: { resolve: () => void; reject: (error: Error) => void };
  let settleClosed: (() => void) | null = null;
  const ready = new Promise<void>((resolve, reject) => (settleReady = { resolve, reject }));
  const hold = (delta: number) => {
    pending += delta;
    if (pending > 0) worker.ref();
    else worker.unref();
  };
  worker.on('message', (message: Response | WorkerEvent) => {
    if ('ready' in message) return settleReady.resolve();
    if ('failed' in message) return settleReady.reject(fromWireError(message.failed));
    if ('closed' in message) return settleClosed?.();
    hold(-1);
    onResponse(message);
  });
  const gone = (reason: Error) => {
    settleReady.reject(reason);
    settleClosed?.();
    onClose(reason);
  };
  worker.on('error', (error) => gone(new Error(`The embedded database engine stopped: ${error.message}`)));
  worker.on('exit', (code) => gone(new Error(`The embedded database engine stopped (exit ${code})`)));
  return {
    ready,
    send(request) {
      hold(1);
      worker.postMessage(request);
    },
    listen(response, close) {
      onResponse = response;
      onClose = close;
    },
    async close() {
      await worker.terminate();
    },
    shutdown() {
      return new Promise<void>((resolve) => {
        settleClosed = resolve;
        worker.ref();
        worker.postMessage({ op: 'shutdown' });
      });
    },
  };
}

/**
 * The embedded database of a data folder another process holds, reached through that process's socket:
 * how `clearway users disable` and the other commands act while `clearway serve` runs.
 */
export async function openEmbeddedThrough(socketPath: string): Promise<Database> {
  const transport = await socketTransport(socketPath);
  const client = new EmbeddedClient(transport);
  return embeddedDatabase(client, () => client.close());
}

/** For tests and the template cache: the whole data folder as a gzipped tarball. */
export async function dumpEmbedded(dataDir: string): Promise<Blob> {
  const pglite = await PGlite.create({ dataDir: path.resolve(dataDir), extensions: { postgis } });
  try {
    const dump = await pglite.dumpDataDir('gzip');
    return dump;
  } finally {
    await pglite.close();
  }
}

function serverQueryable(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const result = await timed(text, () => client.query(text, [...params]));
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
    },
  };
}

const CHECK_CONNECTIONS = 2;

/** An idle connection the server closed (a restart, an idle timeout): the pool replaces it; said, not fatal. */
function logIdleConnectionError(pool: string, error: Error): void {
  process.stderr.write(`clearway: an idle ${pool} connection to PostgreSQL was closed: ${error.message}\n`);
}

export async function openServer(connectionString: string, options: { maxConnections?: number } = {}): Promise<Database> {
  void pgTypesConfigured;
  const pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 8 });
  // Without a listener, an idle connection closed by the server would stop the whole process.
  pool.on('error', (error) => logIdleConnectionError('main', error));
  // Fail now, with the server's own message, rather than on the first request.
  const probe = await pool.connect();
  probe.release();
  const top = serverQueryable(pool);
  // Read-only check connections come from a pool of their own, taken only by an import that already holds its
  // transaction's connection: an import never waits for the main pool while holding a check connection, so
  // many imports at once cannot take every connection and wait on each other.
  let checkPool: pg.Pool | null = null;
  return {
    engine: 'server',
    query: top.query,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work(serverQueryable(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async readOnlyConnection() {
      if (!checkPool) {
        checkPool = new pg.Pool({ connectionString, max: CHECK_CONNECTIONS, options: '-c default_transaction_read_only=on' });
        checkPool.on('error', (error) => logIdleConnectionError('check', error));
      }
      // Never waited for: an import that finds both taken runs its checks on its own transaction instead
      // of holding its connection idle while others finish.
      if (checkPool.idleCount === 0 && checkPool.totalCount >= CHECK_CONNECTIONS) return null;
      const client = await checkPool.connect();
      let broken: Error | undefined;
      const q = serverQueryable(client);
      return {
        query: async (text, params) => {
          try {
            return await q.query(text, params);
          } catch (error) {
            // A connection that failed is closed rather than handed to the next import.
            if (!(error as { code?: string }).code) broken = error as Error;
            throw error;
          }
        },
        release: () => client.release(broken),
      };
    },
    async runScript(text) {
      await pool.query(text);
    },
    async close() {
      await Promise.all([pool.end(), checkPool?.end()]);
    },
  };
}

export interface OpenOptions {
  /** A PostgreSQL connection string: use the server engine. */
  databaseUrl?: string;
  /** The embedded engine's data folder (ignored with databaseUrl). */
  dataDir?: string;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  return options.databaseUrl ? openServer(options.databaseUrl) : openEmbedded({ dataDir: options.dataDir });
}
