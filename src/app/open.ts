// Opening Clearway's database: the engine chosen by configuration, the schema brought up to date, and the
// reference data loaded on first use (or upgraded when the shipped version is newer).
import path from 'node:path';
import { openEmbedded, openEmbeddedThrough, openServer, type Database } from '../db/engine.ts';
import { DataFolderInUse, liveHolder, type DataFolderHolder } from '../db/data-folder-lock.ts';

// The API and the CLI reach the database only through app/: these are the two things they need to name.
export { SilentEngineFailure, type Database } from '../db/engine.ts';
export { DataFolderInUse } from '../db/data-folder-lock.ts';
import { migrate } from '../db/migrate.ts';
import { loadReferenceData, upgradeReferenceData, type ReferenceUpgrade } from '../db/reference-data.ts';

export interface ClearwayConfig {
  /** Server engine when set. */
  databaseUrl?: string;
  /** Embedded engine's data folder. */
  dataDir: string;
}

/** Configuration from the environment: DATABASE_URL, CLEARWAY_DATA_DIR (default ./data). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ClearwayConfig> = {}): ClearwayConfig {
  return {
    databaseUrl: overrides.databaseUrl ?? (env.DATABASE_URL || undefined),
    dataDir: path.resolve(overrides.dataDir ?? env.CLEARWAY_DATA_DIR ?? 'data'),
  };
}

export interface OpenedClearway {
  db: Database;
  migrations: string[];
  referenceLoaded: boolean;
  /** Set when the database held an older version of the reference data and was brought up to date. */
  referenceUpgraded: ReferenceUpgrade | null;
  /** Set when the data folder is held by another process and this one works through it. */
  through?: DataFolderHolder;
}

export interface OpenOptions {
  /**
   * For `serve` and `start`: they must own the data folder, and are refused (DataFolderInUse) when another
   * process holds it; once open, they share it with other commands through the folder's socket. Other
   * commands work through a serving holder, and wait for one that is not serving (another command) to end.
   */
  serving?: boolean;
  /** What the lock names as the holder, e.g. `clearway serve --port 8080`. */
  command?: string;
  /** Said once when this command waits for the holder (a server still opening, or another command). */
  onWait?: (holder: DataFolderHolder) => void;
}

/** How long a command waits for a holder that does not share the folder (yet): a first start loads demo data. */
const HOLDER_READY_MS = 300_000;

export async function openClearway(config: ClearwayConfig, options: OpenOptions = {}): Promise<OpenedClearway> {
  if (config.databaseUrl) return prepare(await openServer(config.databaseUrl));
  const deadline = Date.now() + HOLDER_READY_MS;
  let waited = false;
  for (;;) {
    const holder = liveHolder(config.dataDir);
    if (!holder) {
      try {
        const db = await openEmbedded({ dataDir: config.dataDir, command: options.command });
        const opened = await prepare(db);
        // Only now may other commands come in: the schema and the reference data are complete. A command
        // does not share: it ends soon, and would cut off whoever came in through it.
        if (options.serving) await db.shareWithOtherCommands?.();
        return opened;
      } catch (error) {
        // Another process took the folder between our look and our lock: go through it as below.
        if (error instanceof DataFolderInUse) continue;
        throw error;
      }
    }
    if (options.serving) throw new DataFolderInUse(config.dataDir, holder);
    try {
      // The holder brought the schema up to date before it shared the folder: nothing to migrate here.
      return { db: await openEmbeddedThrough(holder.socket), migrations: [], referenceLoaded: false, referenceUpgraded: null, through: holder };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ECONNREFUSED') throw error;
      // The holder is alive but not sharing: a server still opening (or loading the demo data), or another
      // command, which will end. Either way this command runs when it can.
      if (Date.now() > deadline) throw new DataFolderInUse(config.dataDir, holder);
      if (!waited) options.onWait?.(holder);
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function prepare(db: Database): Promise<OpenedClearway> {
  try {
    return { db, ...(await prepareDatabase(db)) };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** What opening does to a database: the schema brought up to date, the reference data loaded or upgraded. */
export async function prepareDatabase(db: Database): Promise<Omit<OpenedClearway, 'db'>> {
  const migrations = await migrate(db);
  const referenceLoaded = await loadReferenceData(db);
  const referenceUpgraded = referenceLoaded ? null : await upgradeReferenceData(db);
  return { migrations, referenceLoaded, referenceUpgraded };
}

/** Today's date in Cambodia (UTC+7), the calendar the authority's records use. */
export function todayInCambodia(now: Date = new Date()): string {
  return new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
}
