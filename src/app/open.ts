// Opening Clearway's database: the engine chosen by configuration, the schema brought up to date, and the
// reference data loaded on first use (or upgraded when the shipped version is newer).
import path from 'node:path';
import { openDatabase, type Database } from '../db/engine.ts';

// The API and the CLI reach the database only through app/: these are the two things they need to name.
export { SilentEngineFailure, type Database } from '../db/engine.ts';
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
}

export async function openClearway(config: ClearwayConfig): Promise<OpenedClearway> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
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
