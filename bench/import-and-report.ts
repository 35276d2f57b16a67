// Benchmark: import of 10,000 and 100,000 hazard polygons (20 to 200 vertices) with one release each, on
// both engines, beside ogr2ogr loading the same files into the same PostGIS server without validation;
// the land release report by province over what was imported; an embedded restart on existing data.
//
//   node --max-old-space-size=12000 --import tsx bench/import-and-report.ts [--sizes 10000,100000] [--engines server,embedded]
//
// Prints a table and writes bench/results/import-and-report-<date and time>.json. Not a test: figures, not verdicts.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openServer, type Database } from '../src/db/engine.ts';
import { importRecords } from '../src/app/import-records.ts';
import { landReleaseReport } from '../src/app/land-release-report.ts';
import { compareFrozen, freezeReport } from '../src/app/frozen-reports.ts';
import type { ReportDimension } from '../src/domain/land-release-figures.ts';
import { openClearway } from '../src/app/open.ts';
import { createTemplateDatabase, startPostgresServer } from '../test/support/postgres-server.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    engines: { type: 'string', default: 'server,embedded' },
    'report-runs': { type: 'string', default: '5' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const engines = values.engines.split(',') as ('server' | 'embedded')[];
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-bench-'));

interface Row {
  case: string;
  engine: string;
  size: number;
  seconds: number;
  note: string;
}
const rows: Row[] = [];
const record = (row: Row) => {
  rows.push(row);
  console.log(`${row.case.padEnd(34)} ${row.engine.padEnd(9)} ${String(row.size).padStart(7)} ${row.seconds.toFixed(2).padStart(9)} s  ${row.note}`);
};

const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;

function generate(size: number): { hazards: string; releases: string } {
  const out = path.join(work, `data-${size}`);
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/generate-demo-data.ts', '--bench', '--hazards', String(size), '--provinces', 'reference/provinces.geojson', '--out', out], { cwd: root, stdio: 'inherit' });
  return { hazards: path.join(out, 'hazards.geojson'), releases: path.join(out, 'releases.geojson') };
}

async function importFile(db: Database, kind: 'hazards' | 'releases', file: string): Promise<{ seconds: number; accepted: number; errors: number }> {
  const started = process.hrtime.bigint();
  const report = await importRecords(db, { kind, fileName: path.basename(file), text: fs.readFileSync(file, 'utf8'), actor: 'bench', today: '2026-11-22' });
  if (!report.stored) throw new Error(`${kind} refused: ${JSON.stringify(report.errors.slice(0, 3))}`);
  return { seconds: seconds(started), accepted: report.accepted, errors: report.errors.length };
}

async function reportTimings(db: Database, runs: number, by: ReportDimension = 'province', asOf?: string): Promise<number[]> {
  const timings: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await landReleaseReport(db, by, asOf);
    timings.push(seconds(started));
  }
  return timings.sort((a, b) => a - b);
}

/** The report as of a date (issue 8, point 6), a freeze and its comparison with today's figures. */
async function asOfTimings(db: Database, engine: string, size: number, runs: number): Promise<void> {
  // The bench data's releases end across several years: a date in the middle leaves some out.
  const middle = (await db.query<{ d: string }>(`select percentile_disc(0.5) within group (order by end_date)::text as d from land_release`)).rows[0]!.d;
  for (const by of ['province', 'district', 'operator', 'year'] as const) {
    const timings = await reportTimings(db, runs, by, middle);
    record({ case: `report as of a date by ${by}`, engine, size, seconds: median(timings), note: `as_of ${middle}; median of ${timings.length}; min ${timings[0]!.toFixed(3)} s (target well under 1 s)` });
  }
  let started = process.hrtime.bigint();
  await freezeReport(db, { report: 'land-release', by: 'province', asOf: middle, name: `bench ${size}`, actor: 'bench' });
  record({ case: 'report freeze by province', engine, size, seconds: seconds(started), note: `as_of ${middle}` });
  started = process.hrtime.bigint();
  await compareFrozen(db, `bench ${size}`);
  record({ case: 'report frozen compare', engine, size, seconds: seconds(started), note: 'nothing changed since the freeze' });
}

const median = (values: number[]) => values[Math.floor(values.length / 2)] ?? Number.NaN;
const fileMb = (file: string) => (fs.statSync(file).size / 1_048_576).toFixed(0);

async function main(): Promise<void> {
  const server = engines.includes('server') ? await startPostgresServer() : null;
  const postgisVersion = server
    ? await (async () => {
        await createTemplateDatabase(server);
        const template = await openServer(server.url('clearway_template'), { maxConnections: 1 });
        const v = (await template.query<{ v: string }>(`select version() || ' / PostGIS ' || postgis_lib_version() as v`)).rows[0]!.v;
        await template.close();
        return v;
      })()
    : null;
  console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; server: ${postgisVersion ?? 'not run'}`);
  console.log(`${'case'.padEnd(34)} ${'engine'.padEnd(9)} ${'size'.padStart(7)} ${'time'.padStart(11)}  note`);
  try {
    for (const size of sizes) {
      const files = generate(size);
      const note = `hazards ${fileMb(files.hazards)} MB, releases ${fileMb(files.releases)} MB`;
      if (server) {
        const admin = await openServer(server.url('postgres'), { maxConnections: 1 });
        await admin.query(`create database baseline_${size}`);
        await admin.query(`create database clearway_${size} template clearway_template`);
        await admin.close();
        const baseline = await openServer(server.url(`baseline_${size}`));
        await baseline.query('create extension postgis');
        await baseline.close();
        const url = new URL(server.url(`baseline_${size}`));
        const pg = `PG:host=${url.hostname} port=${url.port} user=${url.username} dbname=baseline_${size}`;
        const started = process.hrtime.bigint();
        for (const [layer, file] of [['hazards', files.hazards], ['releases', files.releases]] as const) {
          execFileSync('ogr2ogr', ['-f', 'PostgreSQL', pg, file, '-nln', layer, '-nlt', 'PROMOTE_TO_MULTI', '-lco', 'GEOMETRY_NAME=geom', '-lco', 'SPATIAL_INDEX=GIST', '-gt', '65536'], { stdio: 'inherit' });
        }
        const ogr = seconds(started);
        record({ case: 'ogr2ogr load (no validation)', engine: 'server', size, seconds: ogr, note });
        const db = await openServer(server.url(`clearway_${size}`));
        const h = await importFile(db, 'hazards', files.hazards);
        const r = await importFile(db, 'releases', files.releases);
        record({ case: 'clearway import hazards', engine: 'server', size, seconds: h.seconds, note: `${h.accepted} stored` });
        record({ case: 'clearway import releases', engine: 'server', size, seconds: r.seconds, note: `${r.accepted} stored, accounting refreshed` });
        record({ case: 'clearway import total', engine: 'server', size, seconds: h.seconds + r.seconds, note: `${((h.seconds + r.seconds) / ogr).toFixed(2)}x ogr2ogr (target <= 3x)` });
        const timings = await reportTimings(db, Number(values['report-runs']));
        record({ case: 'report land-release by province', engine: 'server', size, seconds: median(timings), note: `median of ${timings.length}; min ${timings[0]!.toFixed(3)} s (target <= 1 s)` });
        await asOfTimings(db, 'server', size, Number(values['report-runs']));
        await db.close();
      }
      if (engines.includes('embedded')) {
        const dataDir = path.join(work, `embedded-${size}`);
        const started = process.hrtime.bigint();
        const { db } = await openClearway({ dataDir });
        record({ case: 'embedded: new data folder', engine: 'embedded', size, seconds: seconds(started), note: 'create, migrate, reference data' });
        const h = await importFile(db, 'hazards', files.hazards);
        const r = await importFile(db, 'releases', files.releases);
        record({ case: 'clearway import hazards', engine: 'embedded', size, seconds: h.seconds, note: `${h.accepted} stored` });
        record({ case: 'clearway import releases', engine: 'embedded', size, seconds: r.seconds, note: `${r.accepted} stored, accounting refreshed` });
        record({ case: 'clearway import total', engine: 'embedded', size, seconds: h.seconds + r.seconds, note: '' });
        const timings = await reportTimings(db, Number(values['report-runs']));
        record({ case: 'report land-release by province', engine: 'embedded', size, seconds: median(timings), note: `median of ${timings.length}` });
        await asOfTimings(db, 'embedded', size, Number(values['report-runs']));
        await db.close();
        const reopened = process.hrtime.bigint();
        const again = await openClearway({ dataDir });
        await again.db.query('select count(*) from hazard');
        record({ case: 'embedded restart on existing data', engine: 'embedded', size, seconds: seconds(reopened), note: 'open, migrations checked, first query (target <= 15 s)' });
        await again.db.close();
      }
    }
  } finally {
    server?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const resultsDir = path.join(root, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `import-and-report-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30) }, server: postgisVersion, rows }, null, 2)}\n`);
  console.log(`saved ${path.relative(root, file)}`);
}

await main();
