// The `clearway` command: start, serve, demo, import, report, orgs.
import fs from 'node:fs';
import os from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { configFromEnv, DataFolderInUse, openClearway, todayInCambodia, type ClearwayConfig } from '../app/open.ts';
import { type ImportKind, type ImportReport } from '../app/import-records.ts';
import { migrationImport } from '../app/migration-import.ts';
import { checkAsOf, landReleaseCsv, landReleaseReport } from '../app/land-release-report.ts';
import { compareFrozen, comparisonCsv, FREEZABLE_REPORTS, freezeReport, frozenCsv, listFrozen, showFrozen } from '../app/frozen-reports.ts';
import { setHazardStatus } from '../app/hazard-status.ts';
import { changeRecordOwner } from '../app/record-owner.ts';
import { AUTHORITY_SETTABLE_STATUSES } from '../domain/hazard-status.ts';
import { discrepancyCsv, discrepancyReport } from '../app/discrepancy-report.ts';
import { hasHazards, loadDemoData } from '../app/demo-data.ts';
import { addOrganisation, listOrganisations } from '../app/official-record.ts';
import { addUser, createApiToken, disableUser, listUsers, revokeApiToken } from '../app/accounts.ts';
import { DEMO_PASSWORD, DEMO_USERS, hasDemoData } from '../app/demo-data.ts';
import { ROLES, type Principal, type Role } from '../domain/roles.ts';
import { machineAdministrator, requireAccess, type Action, type Target } from '../domain/access-policy.ts';
import { buildServer, serverConfigFromEnv } from '../api/server.ts';
import { warmUploadThreads } from '../api/decode-off-thread.ts';
import { ensureWebBuilt } from './web-build.ts';
import { languageOfArguments, LocalisedCommand } from './usage-errors.ts';
import type { Database } from '../app/open.ts';
import { REPORT_DIMENSIONS, type ReportDimension } from '../domain/land-release-figures.ts';
import { describeProblem, ClearwayError, LANGUAGES, problemTitle, type Language, type RecordProblem } from '../domain/problems.ts';
import { isoDateSchema, organisationCodeSchema } from '../domain/exchange-format.ts';
import { decodeText } from '../formats/text-encoding.ts';
import { KIND_IDS, kindOf, type KindId } from '../kinds/registry.ts';
import { FIND_REPORT_DIMENSIONS, findsCsv, findsReport, type FindReportDimension } from '../app/finds.ts';

/** Largest file the CLI reads: JavaScript strings stop near 512 MB. */
const MAX_FILE_BYTES = 480 * 1_048_576;

interface GlobalOptions {
  dataDir?: string;
  lang?: Language;
}

/** The language problems are printed in: --lang, else CLEARWAY_LANG, else English. Set once the options are parsed. */
let language: Language = 'en';

/** An error as one line: in Khmer the code's message leads and the English detail follows it. */
function errorLine(error: ClearwayError): string {
  if (language === 'en') return `error [${error.code}]: ${error.message}`;
  return `កំហុស [${error.code}]: ${problemTitle(error.code, language)} (${error.message})`;
}

function config(program: Command): ClearwayConfig {
  const options = program.opts<GlobalOptions>();
  return configFromEnv(process.env, options.dataDir ? { dataDir: options.dataDir } : {});
}

const commandLine = () => ['clearway', ...process.argv.slice(2)].join(' ');

/**
 * Opens the store for one command. When a `serve` holds the data folder, the command works through it (so
 * `users disable` takes effect in the running server at once) instead of opening the folder a second time.
 */
async function withDatabase<T>(program: Command, work: (db: Database) => Promise<T>): Promise<T> {
  const { db } = await openClearway(config(program), {
    command: commandLine(),
    onWait: (holder) => process.stderr.write(`Waiting for process ${holder.pid} (\`${holder.command}\`) to let go of the data folder or share it...\n`),
  });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

function printImportReport(report: ImportReport): void {
  const verdict = report.stored
    ? `stored ${report.accepted} of ${report.records} ${report.kind}`
    : report.dryRun && report.errors.length === 0
      ? `dry run: all ${report.records} ${report.kind} would be accepted; nothing stored`
      : `refused: ${report.errorCount} error(s) in ${report.records} record(s)${report.errorCount > report.errors.length ? ` (the first ${report.errors.length} listed)` : ''}; nothing stored`;
  console.log(`${report.file} (${report.format ?? 'unknown format'}): ${verdict}${report.statusChanges ? `; ${report.statusChanges} hazard status change(s)` : ''} in ${(report.durationMs / 1000).toFixed(1)} s`);
  for (const problem of [...report.errors, ...report.notes]) console.log(`  ${describeProblem(problem, language)}`);
}

/** A password from the CLEARWAY_PASSWORD variable or standard input: never from the command line, which others can read. */
async function readPassword(): Promise<string> {
  if (process.env.CLEARWAY_PASSWORD) return process.env.CLEARWAY_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write('Password (then Enter, Ctrl+D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Who runs the command on the server, as the operating system knows them (the audit names them). */
function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/**
 * The CLI acts as the machine's administrator (it holds the data folder or the database's credentials); it
 * still asks the access policy before it acts, like the API, and the audit names the OS-level actor.
 */
function cliPrincipal(action: Action, target: Target = {}): Principal {
  const principal = machineAdministrator(osUser());
  requireAccess(principal, action, target);
  return principal;
}
const cliActor = (action: Action, target: Target = {}) => cliPrincipal(action, target).username;

async function serve(program: Command, options: { port: string; host: string; demo: boolean }): Promise<number> {
  const started = Date.now();
  const settings = config(program);
  await ensureWebBuilt((line) => console.log(line));
  // One process per data folder: a second serve or start is refused, naming the one that runs.
  const { db, referenceLoaded, referenceUpgraded } = await openClearway(settings, { serving: true, command: commandLine() });
  if (referenceLoaded) console.log('Created a new database with the reference data (provinces, districts, communes, villages, organisations).');
  if (referenceUpgraded) console.log(`Updated the reference data from version ${referenceUpgraded.from} to ${referenceUpgraded.to} (${referenceUpgraded.retiredUnits} retired codes kept).`);
  if (options.demo && !(await hasHazards(db))) {
    console.log('Loading the demo data (first start only)...');
    const demo = await loadDemoData(db);
    console.log(`Demo data: ${demo.hazards.accepted} hazards, ${demo.releases.accepted} land releases.`);
  }
  if (await hasDemoData(db)) {
    console.log(`Demo accounts (demo data only), all with the password "${DEMO_PASSWORD}": ${DEMO_USERS.map((u) => u.username).join(', ')}.`);
  }
  const app = await buildServer(db, serverConfigFromEnv(), { logger: true });
  const port = Number(options.port);
  await app.listen({ port, host: options.host });
  // The threads that decode and read large uploads start now, not when the first one arrives (0.3-0.5 s each).
  warmUploadThreads();
  const shown = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  const where = settings.databaseUrl ? 'the PostgreSQL server in DATABASE_URL' : `embedded PostgreSQL + PostGIS in ${settings.dataDir}`;
  console.log(`Clearway is running at http://${shown}:${port}/ (${where}), ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Stop with Ctrl+C.`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  // The embedded engine writes its files on close: stop cleanly so the next start finds them whole.
  await app.close();
  await db.close();
  return 0;
}

function buildProgram(result: { code: number }): Command {
  const program = new LocalisedCommand('clearway', () => language)
    .description('Clearway: the national mine action information management system')
    .option('--data-dir <dir>', 'folder of the embedded database (default ./data or CLEARWAY_DATA_DIR); ignored when DATABASE_URL is set')
    .addOption(new Option('--lang <language>', 'language of problem messages (or CLEARWAY_LANG)').choices([...LANGUAGES]))
    .hook('preAction', (command) => {
      const chosen = command.opts<GlobalOptions>().lang ?? process.env.CLEARWAY_LANG;
      language = chosen === 'km' ? 'km' : 'en';
    })
    .exitOverride()
    .showHelpAfterError();

  const portOption = () => new Option('--port <port>', 'port to listen on').default(process.env.PORT ?? '8080');
  const hostOption = () => new Option('--host <host>', 'address to listen on (0.0.0.0 for the office network)').default(process.env.HOST ?? '127.0.0.1');

  program
    .command('start')
    .description('start Clearway, loading the demo data into a new database (what `npm start` runs)')
    .addOption(portOption())
    .addOption(hostOption())
    .action(async (options: { port: string; host: string }) => {
      result.code = await serve(program, { ...options, demo: true });
    });

  program
    .command('serve')
    .description('start the server on the existing data (no demo data)')
    .addOption(portOption())
    .addOption(hostOption())
    .action(async (options: { port: string; host: string }) => {
      result.code = await serve(program, { ...options, demo: false });
    });

  program
    .command('demo')
    .description('load the demo data (a few thousand hazards and releases, fixed seed)')
    .option('--hazards <count>', 'number of hazards', '3000')
    .action(async (options: { hazards: string }) => {
      await withDatabase(program, async (db) => {
        if (await hasHazards(db)) throw new ClearwayError('ref.exists', 'This database already holds hazards; load the demo data into a new one');
        const demo = await loadDemoData(db, { hazardCount: Number(options.hazards) });
        printImportReport(demo.hazards);
        printImportReport(demo.releases);
      });
    });

  program
    .command('import')
    .description('import records of one kind (hazards, releases, finds) from a GeoJSON or CSV file in the exchange format')
    .addArgument(new Command().createArgument('<kind>', KIND_IDS.join(', ')).choices([...KIND_IDS]))
    .argument('<file>', 'the file')
    .option('--dry-run', 'validate only; store nothing')
    .option('--repair', 'repair invalid polygons and report what changed')
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json']).default('text'))
    .action(async (kind: ImportKind, file: string, options: { dryRun?: boolean; repair?: boolean; format: 'text' | 'json' }) => {
      if (!fs.existsSync(file)) throw new ClearwayError('file.malformed', `No file at ${file}`);
      const size = fs.statSync(file).size;
      if (size > MAX_FILE_BYTES) throw new ClearwayError('file.too-large', `${file} is ${(size / 1_048_576).toFixed(0)} MB; split it into files under 480 MB`);
      // Decoded strictly (a byte-order mark, else UTF-8): a legacy-encoded file is refused by line, not stored with U+FFFD.
      const text = decodeText(fs.readFileSync(file), undefined, file);
      await withDatabase(program, async (db) => {
        // The administrator's migration import: straight into the official record (the API's import becomes a
        // submission for another person to approve), so its audit entry says what it was and who ran it.
        const report = await migrationImport(db, { kind, fileName: file, text, dryRun: options.dryRun, repair: options.repair, today: todayInCambodia() }, { osUser: osUser(), host: os.hostname() });
        if (options.format === 'json') console.log(JSON.stringify(report, null, 2));
        else printImportReport(report);
        result.code = report.errors.length > 0 ? 1 : 0;
      });
    });

  const report = program.command('report').description('reports on the official record');
  report
    .command('finds')
    .description('EO finds, items and items destroyed by one dimension; rows sum to the national total')
    .addOption(new Option('--by <dimension>', 'rows by').choices([...FIND_REPORT_DIMENSIONS]).default('province'))
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--as-of <date>', 'what was found on or before this date (YYYY-MM-DD), as the record knows it now')
    .action(async (options: { by: FindReportDimension; format: 'csv' | 'json'; asOf?: string }) => {
      const asOf = options.asOf === undefined ? null : isoDateSchema.safeParse(options.asOf);
      if (asOf && !asOf.success) throw new ClearwayError('date.not-iso', `--as-of ${options.asOf} is not an ISO date (YYYY-MM-DD)`);
      await withDatabase(program, async (db) => {
        const result = await findsReport(db, options.by, asOf?.data ?? null);
        process.stdout.write(options.format === 'csv' ? findsCsv(result) : `${JSON.stringify(result, null, 2)}
`);
      });
    });

  report
    .command('land-release')
    .description('land release accounting (original = cancelled + reduced + cleared + remaining, m2)')
    .addOption(new Option('--by <dimension>', 'rows by').choices([...REPORT_DIMENSIONS]).default('province'))
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--as-of <date>', 'YYYY-MM-DD: the land as it stood on that date, as the record knows it now')
    .action(async (options: { by: ReportDimension; format: 'csv' | 'json'; asOf?: string }) => {
      checkAsOf(options.asOf, '--as-of');
      await withDatabase(program, async (db) => {
        const result = await landReleaseReport(db, options.by, options.asOf);
        process.stdout.write(options.format === 'csv' ? landReleaseCsv(result) : `${JSON.stringify(result, null, 2)}\n`);
      });
    });

  // Reports frozen for publication (src/app/frozen-reports.ts): the figures as of a date, kept as they were.
  report
    .command('freeze')
    .description('freeze a report as of a date under a name, for publication (e.g. report freeze land-release --by province --as-of 2025-12-31 --name "Article 7 2025")')
    .addArgument(new Command().createArgument('<report>', 'the report').choices(Object.keys(FREEZABLE_REPORTS)))
    .option('--by <dimension>', 'rows by', 'province')
    .requiredOption('--as-of <date>', 'YYYY-MM-DD')
    .requiredOption('--name <name>', 'the name people cite it by; unique')
    .action(async (name: string, options: { by: string; asOf: string; name: string }) => {
      checkAsOf(options.asOf, '--as-of');
      await withDatabase(program, async (db) => {
        const frozen = await freezeReport(db, { report: name, by: options.by, asOf: options.asOf, name: options.name, actor: cliActor('freeze') });
        console.log(`Froze "${frozen.name}": ${frozen.report} by ${frozen.by} as of ${frozen.as_of}, ${frozen.row_count} rows.`);
      });
    });
  const frozen = report.command('frozen').description('reports frozen for publication');
  frozen
    .command('list')
    .description('list the frozen reports, newest first')
    .action(async () => {
      await withDatabase(program, async (db) => {
        for (const f of await listFrozen(db)) console.log(`${f.name}\t${f.report} by ${f.by} as of ${f.as_of}\t${f.row_count} rows\tfrozen ${f.created_at} by ${f.created_by}`);
      });
    });
  frozen
    .command('show')
    .description('exactly the figures frozen')
    .argument('<name>')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .action(async (name: string, options: { format: 'csv' | 'json' }) => {
      await withDatabase(program, async (db) => {
        const found = await showFrozen(db, name);
        process.stdout.write(options.format === 'csv' ? frozenCsv(found) : `${JSON.stringify(found, null, 2)}\n`);
      });
    });
  frozen
    .command('compare')
    .description("a frozen report beside today's figures for the same date, with the records and submissions that explain each difference")
    .argument('<name>')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .action(async (name: string, options: { format: 'csv' | 'json' }) => {
      await withDatabase(program, async (db) => {
        const comparison = await compareFrozen(db, name);
        process.stdout.write(options.format === 'csv' ? comparisonCsv(comparison) : `${JSON.stringify(comparison, null, 2)}\n`);
      });
    });

  report
    .command('discrepancy')
    .description("compare an operator's own monthly summary (XLSX or CSV: province, month, kind, released_m2) with the official record")
    .argument('<file>', 'the summary')
    .requiredOption('--organisation <code>', 'whose summary it is, e.g. HALO')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .action(async (file: string, options: { organisation: string; format: 'csv' | 'json' }) => {
      if (!fs.existsSync(file)) throw new ClearwayError('file.malformed', `No file at ${file}`);
      const bytes = fs.readFileSync(file);
      await withDatabase(program, async (db) => {
        try {
          const comparison = await discrepancyReport(db, { organisation: options.organisation.trim().toUpperCase(), summary: { file: { bytes, fileName: file } }, actor: cliActor('discrepancy'), includeDrafts: true });
          process.stdout.write(options.format === 'csv' ? discrepancyCsv(comparison) : `${JSON.stringify(comparison, null, 2)}\n`);
        } catch (error) {
          // A summary with errors: each one on its own line, as an import report lists them.
          const errors = error instanceof ClearwayError ? (error.details.errors as RecordProblem[] | undefined) : undefined;
          if (!errors) throw error;
          console.error(errorLine(error as ClearwayError));
          for (const problem of errors) console.error(`  ${describeProblem(problem, language)}`);
          result.code = 1;
        }
      });
    });

  program
    .command('hazards')
    .description('the official record\'s hazards')
    .command('status')
    .description('set a hazard\'s status as the authority (reopened, open, in_progress, released), kept by the accounting; computed hands it back')
    .argument('<ref>', 'the hazard')
    .addArgument(new Command().createArgument('<status>', 'the status').choices([...AUTHORITY_SETTABLE_STATUSES]))
    .requiredOption('--reason <text>', 'why (e.g. the inspection that failed)')
    .action(async (ref: string, status: string, options: { reason: string }) => {
      await withDatabase(program, async (db) => {
        const changed = await setHazardStatus(db, { ref, status, reason: options.reason, actor: cliActor('hazard_status') });
        console.log(`Hazard ${changed.ref} is ${changed.status} (${changed.status_source === 'authority' ? 'set by the authority' : 'computed'}), version ${changed.version}.`);
      });
    });

  program
    .command('owner')
    .description('give an official record to another operator, as the authority, with a reason (a new version, audited): the only way its owner changes')
    .addArgument(new Command().createArgument('<kind>', 'the kind of record').choices([...KIND_IDS]))
    .argument('<ref>', 'the record')
    .argument('<operator>', 'the code of the organisation that owns it from now on')
    .requiredOption('--reason <text>', 'why (e.g. the handover letter)')
    .action(async (kind: KindId, ref: string, operator: string, options: { reason: string }) => {
      await withDatabase(program, async (db) => {
        const changed = await changeRecordOwner(db, { kind, ref, operator, reason: options.reason, actor: cliActor('administer', { kind }) });
        console.log(`${kindOf(kind).noun.en} ${changed.ref} belongs to ${changed.operator} (before: ${changed.previous ?? 'no operator'}), version ${changed.version}.`);
      });
    });

  const orgs = program.command('orgs').description('organisations of the sector');
  orgs
    .command('add')
    .description('add an organisation with its short code (imports name operators by it)')
    .argument('<code>', 'short code, e.g. CSHD')
    .argument('<name>', 'full name')
    .addOption(new Option('--kind <kind>', 'kind').choices(['authority', 'operator', 'donor', 'other']).default('operator'))
    .action(async (code: string, name: string, options: { kind: string }) => {
      const parsed = organisationCodeSchema.safeParse(code);
      if (!parsed.success) throw new ClearwayError('field.invalid', `code ${code}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      await withDatabase(program, async (db) => {
        await addOrganisation(db, { code: parsed.data, name, kind: options.kind }, `cli:${process.env.USER ?? 'unknown'}`);
        console.log(`Added ${options.kind} ${parsed.data} (${name}).`);
      });
    });
  orgs
    .command('list')
    .description('list the organisations')
    .action(async () => {
      await withDatabase(program, async (db) => {
        for (const o of await listOrganisations(db)) console.log(`${o.code.padEnd(8)} ${o.kind.padEnd(10)} ${o.name}`);
      });
    });
  const users = program.command('users').description('accounts and API tokens');
  users
    .command('add')
    .description('add an account (the password comes from CLEARWAY_PASSWORD or standard input)')
    .argument('<username>', 'e.g. cmaa.officer')
    .addOption(new Option('--role <role>', 'role').choices([...ROLES]).makeOptionMandatory())
    .requiredOption('--org <code>', 'organisation short code')
    .option('--name <name>', 'display name')
    .action(async (username: string, options: { role: Role; org: string; name?: string }) => {
      const password = await readPassword();
      await withDatabase(program, async (db) => {
        await addUser(db, { username, displayName: options.name, role: options.role, organisation: options.org, password }, cliActor('accounts'));
        console.log(`Added ${username} (${options.role}, ${options.org}).`);
      });
    });
  users
    .command('list')
    .description('list the accounts')
    .action(async () => {
      await withDatabase(program, async (db) => {
        for (const u of await listUsers(db)) console.log(`${u.username.padEnd(20)} ${u.role.padEnd(24)} ${u.organisation_code.padEnd(8)} ${u.disabled_at ? 'disabled' : ''}`);
      });
    });
  users
    .command('disable')
    .description('disable an account: its sessions end and its API tokens are revoked')
    .argument('<username>')
    .action(async (username: string) => {
      await withDatabase(program, async (db) => {
        await disableUser(db, username, cliActor('accounts'));
        console.log(`Disabled ${username}; its sessions and tokens no longer work.`);
      });
    });
  const token = users.command('token').description('API tokens for machine clients (Authorization: Bearer)');
  token
    .command('create')
    .description('create a token for an account; it is printed once')
    .argument('<username>')
    .requiredOption('--name <name>', 'what the token is for')
    .action(async (username: string, options: { name: string }) => {
      await withDatabase(program, async (db) => {
        const created = await createApiToken(db, username, options.name, cliActor('accounts'));
        console.log(`Token ${created.id} for ${username}: ${created.token}`);
        console.log('It is shown only now; revoke it with `npx clearway users token revoke ID`.');
      });
    });
  token
    .command('revoke')
    .description('revoke a token')
    .argument('<id>')
    .action(async (id: string) => {
      await withDatabase(program, async (db) => {
        await revokeApiToken(db, Number(id), cliActor('accounts'));
        console.log(`Revoked token ${id}.`);
      });
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // Errors in the arguments themselves come before the preAction hook: their language is read from argv.
  language = languageOfArguments(argv, process.env);
  const result = { code: 0 };
  const program = buildProgram(result);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ClearwayError) {
      console.error(errorLine(error));
      return 1;
    }
    if (error instanceof DataFolderInUse) {
      console.error(`error: ${error.message}`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message.slice(0, 2000)}`);
    return 1;
  }
}
