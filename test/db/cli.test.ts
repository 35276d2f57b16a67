// The `clearway` command as a data officer runs it, against a new store on the engine under test: a new
// data folder (embedded) or a new, empty database (server, through DATABASE_URL).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyServerDatabase, engineUnderTest } from '../support/test-database.ts';
import { fixturesDir } from '../support/fixtures.ts';

const root = path.resolve(fixturesDir, '../..');
let env: NodeJS.ProcessEnv;
let workDir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function clearway(...args: string[]): Promise<Run> {
  return clearwayWith({}, ...args);
}

function clearwayWith(extraEnv: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['bin/clearway.mjs', ...args], { cwd: root, env: { ...env, ...extraEnv }, timeout: 240_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-cli-'));
  const { DATABASE_URL: _unused, ...rest } = process.env;
  env = engineUnderTest() === 'server'
    ? { ...rest, DATABASE_URL: await createEmptyServerDatabase() }
    : { ...rest, CLEARWAY_DATA_DIR: path.join(workDir, 'data') };
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('the clearway command', () => {
  it('creates a new store with the reference data alone (no demo data) and reports on it', async () => {
    const run = await clearway('report', 'land-release', '--by', 'province', '--format', 'csv');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('unit_code,unit_name,original_m2,cancelled_m2,reduced_m2,cleared_m2,remaining_m2');
    expect(lines).toHaveLength(26);
    expect(lines.slice(1).every((line) => line.endsWith(',0.00,0.00,0.00,0.00,0.00'))).toBe(true);
    if (engineUnderTest() === 'embedded') expect(fs.existsSync(path.join(workDir, 'data', 'PG_VERSION'))).toBe(true);
  });

  it('validates only with --dry-run, then imports, and refuses a bad file with a non-zero exit', async () => {
    const hazards = path.join(fixturesDir, 'hazards-small.geojson');
    const dry = await clearway('import', 'hazards', hazards, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run: all 6 hazards would be accepted; nothing stored');
    const stored = await clearway('import', 'hazards', hazards);
    expect(stored.code).toBe(0);
    expect(stored.stdout).toContain('stored 6 of 6 hazards');
    const again = await clearway('import', 'hazards', hazards);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('error [ref.exists] feature 0, ref HZ-PL-0001 field ref: hazard HZ-PL-0001 is already in the official record');
    const releases = await clearway('import', 'releases', path.join(fixturesDir, 'releases-small.geojson'), '--format', 'json');
    expect(releases.code).toBe(0);
    expect(JSON.parse(releases.stdout)).toMatchObject({ stored: true, accepted: 5, statusChanges: 4 });
  });

  it('imports EO finds from a CSV with lon/lat and reports them by province and by model', async () => {
    const file = path.join(workDir, 'finds.csv');
    fs.writeFileSync(file, 'ref,category,model,quantity,found_on,destroyed_on,operator,lon,lat\nCLI-F1,AP,PMN-2,2,2024-02-01,2024-02-02,HALO,103.198,13.095\nCLI-F2,submunition,BLU-26,5,2025-01-10,,CMAC,104.92,11.56\n');
    const stored = await clearway('import', 'finds', file);
    expect(stored.stderr).toBe('');
    expect(stored.code).toBe(0);
    expect(stored.stdout).toContain('stored 2 of 2 finds');
    const byProvince = await clearway('report', 'finds', '--by', 'province', '--format', 'csv');
    expect(byProvince.code).toBe(0);
    const lines = byProvince.stdout.trim().split('\n');
    expect(lines[0]).toBe('unit_code,unit_name,finds,items,destroyed_items');
    // The releases imported above hold 20 devices, now finds too.
    expect(lines).toContain('02,Battambang,1,2,2');
    const byModel = JSON.parse((await clearway('report', 'finds', '--by', 'model', '--format', 'json', '--as-of', '2024-12-31')).stdout) as { rows: { unit_code: string; items: number }[]; total: { items: number } };
    expect(byModel.rows.find((r) => r.unit_code === 'PMN-2')?.items).toBe(5);
    // BLU-26: the 14 of a release that ended in 2023, not the 5 found in 2025.
    expect(byModel.rows.find((r) => r.unit_code === 'BLU-26')?.items).toBe(14);
    const badDate = await clearway('report', 'finds', '--as-of', '31/12/2024');
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toContain('--as-of');
  });

  it('prints the report as JSON with a total', async () => {
    const run = await clearway('report', 'land-release', '--by', 'operator', '--format', 'json');
    const report = JSON.parse(run.stdout) as { rows: { unit_code: string }[]; total: { original_m2: number } };
    expect(report.rows.map((r) => r.unit_code)).toEqual(['CMAC', 'HALO', 'NPA', 'unassigned']);
    expect(report.total.original_m2).toBeGreaterThan(3_000_000);
  });

  it('adds an organisation that imports can then name', async () => {
    const added = await clearway('orgs', 'add', 'CSHD2', 'Cambodian Self Help Demining (test)');
    expect(added.code).toBe(0);
    const list = await clearway('orgs', 'list');
    expect(list.stdout).toMatch(/^CSHD2\s+operator\s+Cambodian Self Help Demining \(test\)$/m);
    const duplicate = await clearway('orgs', 'add', 'CSHD2', 'Again');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already exists');
    const invalid = await clearway('orgs', 'add', 'bad code', 'x');
    expect(invalid.code).toBe(1);
  });

  it('adds the first administrator with a password from the environment, and makes an API token', async () => {
    const added = await clearwayWith({ CLEARWAY_PASSWORD: 'first-admin-password' }, 'users', 'add', 'admin', '--role', 'administrator', '--org', 'CMAA');
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain('Added admin (administrator, CMAA).');
    expect(added.stdout).not.toContain('first-admin-password');
    const list = await clearway('users', 'list');
    expect(list.stdout).toMatch(/^admin\s+administrator\s+CMAA/m);
    expect(list.stdout).not.toContain('first-admin-password');
    const token = await clearway('users', 'token', 'create', 'admin', '--name', 'backup script');
    expect(token.stdout).toMatch(/^Token \d+ for admin: cw_[A-Za-z0-9_-]{40,}$/m);
    const refused = await clearwayWith({ CLEARWAY_PASSWORD: 'short' }, 'users', 'add', 'someone', '--role', 'operator_viewer', '--org', 'HALO');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('at least 10 characters');
  });

  it('gives a record to another operator as the authority\'s act, with a reason', async () => {
    const given = await clearway('owner', 'hazards', 'HZ-KC-0005', 'HALO', '--reason', 'handover letter of 2026-03-01');
    expect(given.stderr).toBe('');
    expect(given.stdout).toContain('hazard HZ-KC-0005 belongs to HALO (before: no operator), version 2.');
  });
});
