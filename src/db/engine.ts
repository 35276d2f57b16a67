// One interface over the two ways Clearway runs PostgreSQL + PostGIS: embedded (PGlite compiled to
// WebAssembly, data in a local folder) and a real server chosen by DATABASE_URL. Everything above this
// module speaks SQL through `Queryable` and never knows which engine answers.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import pg from 'pg';

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

// Both engines return the same JavaScript values for the types we read: 64-bit integers and numerics as
// numbers (our counts and areas stay far below 2^53), dates as 'YYYY-MM-DD' strings (no time zone
// drift), timestamps as ISO strings.
const OID = { int8: 20, numeric: 1700, date: 1082, timestamptz: 1184, timestamp: 1114 } as const;
const toNumber = (value: string): number => Number(value);
const toIsoTimestamp = (value: string): string => new Date(value).toISOString();
const keepText = (value: string): string => value;

const pgTypesConfigured = (() => {
  pg.types.setTypeParser(OID.int8, toNumber);
  pg.types.setTypeParser(OID.numeric, toNumber);
  pg.types.setTypeParser(OID.date, keepText);
  pg.types.setTypeParser(OID.timestamptz, toIsoTimestamp);
  pg.types.setTypeParser(OID.timestamp, keepText);
  return true;
})();

const pgliteParsers = {
  [OID.int8]: toNumber,
  [OID.numeric]: toNumber,
  [OID.date]: keepText,
  [OID.timestamptz]: toIsoTimestamp,
  [OID.timestamp]: keepText,
};
// PGlite would otherwise send JavaScript Dates and bigints in its own way; we pass strings and numbers.
void pgliteTypes;

interface PGliteResult {
  rows: unknown[];
  command?: string;
  affectedRows?: number;
}

/** CLEARWAY_LOG_SLOW_MS=200 prints every statement slower than that to stderr: for finding slow SQL. */
const slowMs = Number(process.env.CLEARWAY_LOG_SLOW_MS ?? 0);

async function timed<T>(sql: string, run: () => Promise<T>): Promise<T> {
  if (!slowMs) return run();
  const started = performance.now();
  try {
    return await run();
  } finally {
    const elapsed = performance.now() - started;
    if (elapsed >= slowMs) process.stderr.write(`slow sql ${elapsed.toFixed(0)} ms: ${sql.replace(/\s+/g, ' ').slice(0, 300)}\n`);
  }
}

function checked<Row>(sql: string, result: PGliteResult): QueryResult<Row> {
  if (result.command === undefined) throw new SilentEngineFailure(sql);
  const rowCount = result.command === 'SELECT' ? result.rows.length : (result.affectedRows ?? result.rows.length);
  return { rows: result.rows as Row[], rowCount };
}

type PGliteQueryable = {
  query(text: string, params?: unknown[]): Promise<PGliteResult>;
};

function embeddedQueryable(target: PGliteQueryable): Queryable {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const result = await timed(text, () => target.query(text, [...params]));
      return checked<Row>(text, result);
    },
  };
}

export interface EmbeddedOptions {
  /** Folder holding the database files; created when missing. Omit for an in-memory database. */
  dataDir?: string;
  /** A gzipped tarball of a data folder (PGlite dumpDataDir) to start from: used by tests. */
  loadDataDir?: Blob;
}

export async function openEmbedded(options: EmbeddedOptions = {}): Promise<Database> {
  if (options.dataDir) fs.mkdirSync(path.resolve(options.dataDir), { recursive: true });
  const pglite = await PGlite.create({
    dataDir: options.dataDir ? path.resolve(options.dataDir) : undefined,
    loadDataDir: options.loadDataDir,
    extensions: { postgis },
    parsers: pgliteParsers,
  });
  const top = embeddedQueryable(pglite);
  return {
    engine: 'embedded',
    query: top.query,
    async transaction(work) {
      return pglite.transaction(async (tx) => work(embeddedQueryable(tx)));
    },
    async runScript(text) {
      const results = await pglite.exec(text);
      // exec stops silently at a statement that failed inside GEOS; scripts end with a sentinel select
      // so a short result list is detected (see migrate.ts).
      const last = results.at(-1);
      if (!last || last.command === undefined) throw new SilentEngineFailure(text);
      const sentinel = (last.rows[0] as { script_complete?: unknown } | undefined)?.script_complete;
      if (sentinel !== true) throw new SilentEngineFailure(text);
    },
    async close() {
      await pglite.close();
    },
  };
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
