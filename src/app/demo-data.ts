// Demo data: a few thousand hazards and their releases that look like Cambodia's, generated with a fixed
// seed (src/demo) and imported through the same import as any operator's file.
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../db/engine.ts';
import { referenceDir } from '../db/reference-data.ts';
import { generateDemoData, DEFAULT_SEED, type ProvinceCollection } from '../demo/generate-demo-data.ts';
import { importWithin, ImportRefused, type ImportReport } from './import-records.ts';
import { lockOfficialRecord } from '../db/change-batch.ts';
import { todayInCambodia } from './open.ts';
import { addUser } from './accounts.ts';
import type { Role } from '../domain/roles.ts';

async function userExists(db: Database, username: string): Promise<boolean> {
  return (await db.query('select 1 from app_user where username = $1', [username])).rows.length > 0;
}

export function loadProvinceOutlines(): ProvinceCollection {
  return JSON.parse(fs.readFileSync(path.join(referenceDir, 'provinces.geojson'), 'utf8')) as ProvinceCollection;
}

async function villagesByProvince(db: Database): Promise<Record<string, string[]>> {
  const result = await db.query<{ code: string; province: string }>(
    `select v.code, d.parent_code as province
     from admin_unit v join admin_unit c on c.code = v.parent_code join admin_unit d on d.code = c.parent_code
     where v.level = 'village' order by v.code`,
  );
  const byProvince: Record<string, string[]> = {};
  for (const row of result.rows) (byProvince[row.province] ??= []).push(row.code);
  return byProvince;
}

/** One account per role, for trying Clearway; created only with the demo data. */
export const DEMO_PASSWORD = 'demo-password';
export const DEMO_USERS: { username: string; role: Role; organisation: string; displayName: string }[] = [
  { username: 'admin', role: 'administrator', organisation: 'CMAA', displayName: 'Administrator (demo)' },
  { username: 'cmaa.officer', role: 'authority_data_officer', organisation: 'CMAA', displayName: 'CMAA data officer (demo)' },
  { username: 'cmaa.reviewer', role: 'authority_reviewer', organisation: 'CMAA', displayName: 'CMAA reviewer (demo)' },
  { username: 'cmac.officer', role: 'operator_data_officer', organisation: 'CMAC', displayName: 'CMAC data officer (demo)' },
  { username: 'halo.officer', role: 'operator_data_officer', organisation: 'HALO', displayName: 'HALO data officer (demo)' },
  { username: 'halo.viewer', role: 'operator_viewer', organisation: 'HALO', displayName: 'HALO viewer (demo)' },
  { username: 'donor.viewer', role: 'donor_viewer', organisation: 'UNDP', displayName: 'Donor viewer (demo)' },
];

export async function hasDemoData(db: Database): Promise<boolean> {
  return (await db.query(`select 1 from change_batch where made_by = 'demo' limit 1`)).rows.length > 0;
}

export async function hasHazards(db: Database): Promise<boolean> {
  return (await db.query('select 1 from hazard limit 1')).rows.length > 0;
}

export interface DemoResult {
  hazards: ImportReport;
  releases: ImportReport;
}

/**
 * Loads the demo data in one transaction: hazards, releases and the demo accounts are all there or none
 * is, so a first start that is killed half-way leaves a store without demo data, which the next start
 * fills again (a store with half of it would never be filled, as `start` loads into a store without hazards).
 */
export async function loadDemoData(db: Database, options: { hazardCount?: number; seed?: number } = {}): Promise<DemoResult> {
  const data = generateDemoData({
    provinces: loadProvinceOutlines(),
    villagesByProvince: await villagesByProvince(db),
    seed: options.seed ?? DEFAULT_SEED,
    hazardCount: options.hazardCount,
  });
  const today = todayInCambodia();
  const refused = (kind: string) => (error: unknown): never => {
    if (error instanceof ImportRefused) throw new Error(`Demo ${kind} were refused: ${JSON.stringify(error.report.errors.slice(0, 5))}`);
    throw error;
  };
  return db.transaction(async (tx) => {
    await lockOfficialRecord(tx);
    const hazards = await importWithin(tx, { kind: 'hazards', fileName: 'demo-hazards.geojson', text: JSON.stringify(data.hazards), actor: 'demo', today }).catch(refused('hazards'));
    const releases = await importWithin(tx, { kind: 'releases', fileName: 'demo-releases.geojson', text: JSON.stringify(data.releases), actor: 'demo', today }).catch(refused('releases'));
    // addUser makes its own transaction; here it joins this one, so the accounts come with the data or not at all.
    const joined: Database = { ...db, query: tx.query, readOnlyConnection: undefined, transaction: (work) => work(tx) };
    for (const user of DEMO_USERS) {
      if (!(await userExists(joined, user.username))) await addUser(joined, { ...user, password: DEMO_PASSWORD }, 'demo');
    }
    return { hazards, releases };
  });
}
