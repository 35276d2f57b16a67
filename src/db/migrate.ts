// Applies the numbered SQL files in src/db/migrations in order, once each, on either engine.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './engine.ts';

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(): Migration[] {
  return fs
    .readdirSync(migrationsDir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.replace(/\.sql$/, ''),
      sql: fs.readFileSync(path.join(migrationsDir, file), 'utf8'),
    }));
}

/** Brings the schema up to date; returns the names of the migrations it applied. */
export async function migrate(db: Database): Promise<string[]> {
  await db.query(`create table if not exists schema_migration (
    version integer primary key, name text not null, applied_at timestamptz not null default now())`);
  const done = new Set((await db.query<{ version: number }>('select version from schema_migration')).rows.map((r) => r.version));
  const applied: string[] = [];
  for (const migration of listMigrations()) {
    if (done.has(migration.version)) continue;
    // One script per migration, in one transaction with its bookkeeping row. The transaction lock makes
    // a second process starting at once on the same server wait, then fail on the bookkeeping row's key
    // rather than apply the migration twice. The final select is the sentinel the embedded engine's
    // runScript checks for (a script that stopped silently lacks it).
    await db.runScript(
      `begin;\nselect pg_advisory_xact_lock(7263101);\n${migration.sql}\n;insert into schema_migration (version, name) values (${migration.version}, '${migration.name}');\ncommit;\nselect true as script_complete;`,
    );
    applied.push(migration.name);
  }
  return applied;
}
