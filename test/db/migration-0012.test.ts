// Migration 0012 moves hazards and land releases onto keep_history, the versioning every kind uses. On a
// record made with the hand-written triggers before it (imports, an approved submission, a status the
// authority set, a frozen report), every version is kept as it was, every figure as of a past date is the
// same, the frozen report compares as before, and the next change is numbered after the last version kept.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../src/app/accounts.ts';
import { setHazardStatus } from '../../src/app/hazard-status.ts';
import { compareFrozen, freezeReport, showFrozen } from '../../src/app/frozen-reports.ts';
import { landReleaseReport } from '../../src/app/land-release-report.ts';
import { approveSubmission, createSubmission, submitSubmission } from '../../src/app/submissions.ts';
import { releasesBehind } from '../../src/app/traceability.ts';
import type { Database } from '../../src/db/engine.ts';
import { hazardDetail } from '../../src/db/hazard-queries.ts';
import { recordHistory } from '../../src/app/record-history.ts';
import { REPORT_DIMENSIONS } from '../../src/domain/land-release-figures.ts';
import type { Principal } from '../../src/domain/roles.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { box, collection, fixturesDir, hazardFeature, importText, releaseFeature } from '../support/fixtures.ts';

let db: Database;
const [X, Y] = [103.05, 13.62];
const DATES = ['2021-12-31', '2023-10-31', '2023-12-31', undefined] as const;

// The schema before 0012, as 0001, 0004 and 0007 left it: history tables naming the record hazard_id /
// release_id, in their own column order, filled by the hand-written triggers. Columns a later migration
// added to the record are added to its old history too, as that migration would have.
const BEFORE_0012 = `
  drop trigger hazard_before_change on hazard; drop trigger hazard_after_insert on hazard; drop trigger hazard_after_update on hazard;
  drop trigger land_release_before_change on land_release; drop trigger land_release_after_insert on land_release;
  drop trigger land_release_after_update on land_release;
  drop table hazard_version; drop table land_release_version;
  create table hazard_version (
    hazard_id bigint not null references hazard (id), version integer not null, ref text not null, type text not null,
    status text not null, contamination text[] not null, source text not null, recorded_on date not null, operator_code text,
    province_code text, district_code text, commune_code text, village_code text, notes text,
    geom geometry(MultiPolygon, 4326) not null, area_m2 double precision not null, changed_at timestamptz not null,
    changed_by text not null, change_reason text not null, batch_id bigint, combined_into bigint,
    status_source text not null default 'computed', status_reason text, status_set_by text, status_set_at timestamptz,
    primary key (hazard_id, version));
  create table land_release_version (
    release_id bigint not null references land_release (id), version integer not null, ref text not null,
    hazard_id bigint not null, kind text not null, method text not null, operator_code text not null,
    start_date date not null, end_date date not null, devices jsonb not null, geom geometry(MultiPolygon, 4326) not null,
    area_m2 double precision not null, changed_at timestamptz not null, changed_by text not null,
    change_reason text not null, batch_id bigint, primary key (release_id, version));
  do $$
  declare c record;
  begin
    for c in select r.relname as tab, a.attname, format_type(a.atttypid, a.atttypmod) as typ
             from pg_attribute a join pg_class r on r.oid = a.attrelid
             where r.relname in ('hazard', 'land_release') and a.attnum > 0 and not a.attisdropped and a.attname <> 'id'
               and not exists (select 1 from pg_attribute o where o.attrelid = (r.relname || '_version')::regclass
                               and o.attname = a.attname and not o.attisdropped)
             order by r.relname, a.attnum
    loop
      execute format('alter table %I add column %I %s', c.tab || '_version', c.attname, c.typ);
    end loop;
  end $$;
  create trigger hazard_version_append_only before update or delete on hazard_version
    for each row execute function history_is_append_only();
  create trigger land_release_version_append_only before update or delete on land_release_version
    for each row execute function history_is_append_only();
  create function hazard_before_change() returns trigger language plpgsql as $f$
  begin
    if tg_op = 'DELETE' then
      raise exception 'hazard % cannot be deleted: the official record keeps every hazard and its history', old.ref;
    end if;
    if tg_op = 'UPDATE' then new.version := old.version + 1; new.changed_at := now(); else new.version := 1; end if;
    return new;
  end $f$;
  create function hazard_after_change() returns trigger language plpgsql as $f$
  declare columns text;
  begin
    select string_agg(quote_ident(v.attname), ', ' order by v.attnum) into columns
    from pg_attribute v
    join pg_attribute h on h.attrelid = 'hazard'::regclass and h.attname = v.attname and h.attnum > 0 and not h.attisdropped
    where v.attrelid = 'hazard_version'::regclass and v.attnum > 0 and not v.attisdropped and v.attname <> 'hazard_id';
    execute format('insert into hazard_version (hazard_id, %s) select id, %s from changed_hazards', columns, columns);
    return null;
  end $f$;
  create trigger hazard_before_change before insert or update or delete on hazard
    for each row execute function hazard_before_change();
  create trigger hazard_after_insert after insert on hazard
    referencing new table as changed_hazards for each statement execute function hazard_after_change();
  create trigger hazard_after_update after update on hazard
    referencing new table as changed_hazards for each statement execute function hazard_after_change();
  create function land_release_before_change() returns trigger language plpgsql as $f$
  begin
    if tg_op = 'DELETE' then
      raise exception 'land release % cannot be deleted: the official record keeps its history', old.ref;
    end if;
    if tg_op = 'UPDATE' then new.version := old.version + 1; new.changed_at := now(); else new.version := 1; end if;
    return new;
  end $f$;
  create function land_release_after_change() returns trigger language plpgsql as $f$
  begin
    insert into land_release_version (release_id, version, ref, hazard_id, kind, method, operator_code,
      start_date, end_date, devices, geom, area_m2, changed_at, changed_by, change_reason, batch_id)
    select id, version, ref, hazard_id, kind, method, operator_code, start_date, end_date, devices, geom, area_m2,
      changed_at, changed_by, change_reason, batch_id
    from changed_releases;
    return null;
  end $f$;
  create trigger land_release_before_change before insert or update or delete on land_release
    for each row execute function land_release_before_change();
  create trigger land_release_after_insert after insert on land_release
    referencing new table as changed_releases for each statement execute function land_release_after_change();
  create trigger land_release_after_update after update on land_release
    referencing new table as changed_releases for each statement execute function land_release_after_change();
  select true as script_complete;`;

// Every version as a JSON object, the record's id under one name whatever the shape (geometry as EWKB hex,
// times and arrays as stored).
const history = async (table: string, idColumn: string) =>
  (await db.query<{ row: Record<string, unknown> }>(
    `select (to_jsonb(v) - '${idColumn}') || jsonb_build_object('record_id', v.${idColumn}) as row
     from ${table} v order by v.${idColumn}, v.version`,
  )).rows.map((r) => r.row);

async function figures() {
  const reports = [];
  for (const by of REPORT_DIMENSIONS) for (const asOf of DATES) reports.push(await landReleaseReport(db, by, asOf));
  return reports;
}

const behind = async () => {
  const province = (await db.query<{ province_code: string }>(`select province_code from hazard where ref = 'M12-A'`)).rows[0]!.province_code;
  return Promise.all(DATES.map((asOf) => releasesBehind(db, 'province', province, { limit: 50, offset: 0 }, asOf)));
};

const columnsOf = async (table: string) =>
  (await db.query<{ attname: string }>(
    `select attname from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`, [table],
  )).rows.map((r) => r.attname);

function expectStored(report: Awaited<ReturnType<typeof importText>>): void {
  expect(report.stored, JSON.stringify(report)).toBe(true);
}

let before: {
  hazards: Record<string, unknown>[]; releases: Record<string, unknown>[]; figures: unknown; behind: unknown; frozen: unknown;
};
let submissionId: number;
let officer: Principal;
let reviewer: Principal;

/** An operator's file, submitted and approved by the authority: the way the official record changes. */
async function submitAndApprove(text: string, kind: 'hazards' | 'releases'): Promise<number> {
  const draft = await createSubmission(db, officer, { kind, fileName: 'completion.geojson', text });
  expect(draft.validation.errorCount, JSON.stringify(draft.validation)).toBe(0);
  await submitSubmission(db, officer, draft.id);
  expect((await approveSubmission(db, reviewer, draft.id)).state).toBe('approved');
  return draft.id;
}

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  await db.runScript(BEFORE_0012);
  const principal = async (username: string, role: Principal['role'], organisation: string): Promise<Principal> => ({
    userId: await addUser(db, { username, role, organisation, password: 'a-long-password' }, 'test'), username, role, organisation, via: 'token',
  });
  officer = await principal('halo.officer', 'operator_data_officer', 'HALO');
  reviewer = await principal('cmaa.reviewer', 'authority_reviewer', 'CMAA');

  expectStored(await importText(db, 'hazards', collection([
    hazardFeature({ ref: 'M12-A', operator: 'HALO', recorded_on: '2020-01-15' }, box(X, Y, X + 0.01, Y + 0.01)),
    hazardFeature({ ref: 'M12-B', operator: 'HALO', recorded_on: '2022-03-01', contamination: ['AT'] }, box(X + 0.02, Y, X + 0.03, Y + 0.01)),
  ])));
  expectStored(await importText(db, 'releases', collection([
    releaseFeature({ ref: 'M12-R1', hazard_ref: 'M12-A', start_date: '2021-01-01', end_date: '2021-03-01', devices: [{ category: 'AP', model: 'PMN-2', quantity: 2 }] }, box(X, Y, X + 0.004, Y + 0.01)),
    releaseFeature({ ref: 'M12-R2', hazard_ref: 'M12-A', kind: 'reduced', method: 'ts', start_date: '2022-06-01', end_date: '2022-06-30' }, box(X + 0.004, Y, X + 0.006, Y + 0.01)),
    releaseFeature({ ref: 'M12-R3', hazard_ref: 'M12-B', kind: 'cancelled', method: 'nts', start_date: '2023-09-01', end_date: '2023-09-30' }, box(X + 0.02, Y, X + 0.025, Y + 0.01)),
  ])));
  await freezeReport(db, { report: 'land-release', by: 'province', asOf: '2023-12-31', name: 'Before 0012', actor: 'cmaa.reviewer' });

  // After the freeze: an officer edits a hazard's notes in SQL (a path the trigger sees too), an operator's
  // submission updates one release's end date and adds another, which an authority reviewer approves, and
  // the authority reopens a hazard.
  await db.query(`update hazard set notes = 'boundary walked again', changed_by = 'cmaa.officer', change_reason = 'field visit' where ref = 'M12-A'`);
  submissionId = await submitAndApprove(collection([
    releaseFeature({ ref: 'M12-R3', hazard_ref: 'M12-B', kind: 'cancelled', method: 'nts', start_date: '2023-09-01', end_date: '2023-10-15' }, box(X + 0.02, Y, X + 0.025, Y + 0.01)),
    releaseFeature({ ref: 'M12-R4', hazard_ref: 'M12-B', start_date: '2023-11-01', end_date: '2023-11-30' }, box(X + 0.025, Y, X + 0.027, Y + 0.01)),
  ]), 'releases');
  await setHazardStatus(db, { ref: 'M12-B', status: 'reopened', reason: 'failed post-clearance inspection', actor: 'cmaa.reviewer' });

  before = {
    hazards: await history('hazard_version', 'hazard_id'),
    releases: await history('land_release_version', 'release_id'),
    figures: await figures(),
    behind: await behind(),
    frozen: await showFrozen(db, 'Before 0012'),
  };
  const sql = fs.readFileSync(path.join(fixturesDir, '../../src/db/migrations/0012_hazards_and_releases_keep_history.sql'), 'utf8');
  await db.runScript(`begin;\n${sql}\n;commit;\nselect true as script_complete;`);
});
afterAll(async () => db?.close());

describe('migration 0012 on a record versioned by the hand-written triggers', () => {
  it('held a history worth keeping: several versions, batches, a submission and an authority status', () => {
    const versions = (ref: string) => before.hazards.filter((v) => v.ref === ref).map((v) => v.version);
    expect(versions('M12-A').length).toBeGreaterThanOrEqual(3);
    expect(before.releases.filter((v) => v.ref === 'M12-R3').map((v) => v.end_date)).toEqual(['2023-09-30', '2023-10-15']);
    expect(before.hazards.some((v) => v.ref === 'M12-B' && v.status === 'reopened' && v.status_reason === 'failed post-clearance inspection')).toBe(true);
  });

  it('keeps every version of every hazard and release, column for column', async () => {
    expect(await history('hazard_version', 'id')).toEqual(before.hazards);
    expect(await history('land_release_version', 'id')).toEqual(before.releases);
  });

  it('gives both histories the shape keep_history gives every kind, and drops the hand-written triggers', async () => {
    expect(await columnsOf('hazard_version')).toEqual(await columnsOf('hazard'));
    expect(await columnsOf('land_release_version')).toEqual(await columnsOf('land_release'));
    const triggers = await db.query<{ table: string; fn: string }>(
      `select c.relname as table, p.proname as fn from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
       where c.relname in ('hazard', 'land_release', 'find') and not t.tgisinternal order by 1, 2`,
    );
    const fns = (table: string) => triggers.rows.filter((t) => t.table === table).map((t) => t.fn);
    expect(fns('hazard')).toEqual(fns('find'));
    expect(fns('land_release')).toEqual(fns('find'));
    const old = await db.query(`select proname from pg_proc where proname in
      ('hazard_before_change', 'hazard_after_change', 'land_release_before_change', 'land_release_after_change', 'move_history_onto_keep_history')`);
    expect(old.rows).toEqual([]);
  });

  it('gives the same figures as of every date, the same releases behind them, and the frozen report unchanged', async () => {
    expect(await figures()).toEqual(before.figures);
    expect(await behind()).toEqual(before.behind);
    expect(await showFrozen(db, 'Before 0012')).toEqual(before.frozen);
  });

  it('compares the frozen report through the kept history: the changes since the freeze, with their submission', async () => {
    const comparison = await compareFrozen(db, 'Before 0012');
    const changes = comparison.rows.flatMap((r) => r.changes.map((c) => `${c.record} ${c.ref} ${c.change}${c.submission_id === null ? '' : ` submission ${c.submission_id}`}`));
    expect(changes.sort()).toEqual([`release M12-R3 updated submission ${submissionId}`, `release M12-R4 new submission ${submissionId}`]);
    expect(comparison.total.difference.cleared_m2).toBeGreaterThan(0);
  });

  it('serves each record history from the kept versions', async () => {
    const detail = await hazardDetail(db, 'M12-B');
    expect(detail!.history.map((v) => v.version)).toEqual(before.hazards.filter((v) => v.ref === 'M12-B').map((v) => v.version).reverse());
    expect(detail!.history[0]).toMatchObject({ status: 'reopened', status_source: 'authority', changed_by: 'cmaa.reviewer' });
    const releases = await recordHistory(db, null, 'releases', 'M12-R3');
    expect(releases!.map((v) => [v.version, v.end_date])).toEqual([[2, '2023-10-15'], [1, '2023-09-30']]);
  });

  it('numbers the next change after the last version kept, and still refuses deletes and history edits', async () => {
    const last = before.hazards.filter((v) => v.ref === 'M12-A').length;
    const after = await submitAndApprove(collection([
      hazardFeature({ ref: 'M12-A', operator: 'HALO', notes: 'after 0012' }, box(X, Y, X + 0.01, Y + 0.01)),
    ]), 'hazards');
    const newest = (await db.query<{ version: number; notes: string; changed_by: string; submission_id: number; current: boolean }>(
      `select v.version, v.notes, v.changed_by, b.submission_id, v.version = h.version as current
       from hazard_version v join hazard h on h.id = v.id join change_batch b on b.id = v.batch_id
       where h.ref = 'M12-A' order by v.version desc limit 1`,
    )).rows[0];
    expect(newest).toEqual({ version: last + 1, notes: 'after 0012', changed_by: 'cmaa.reviewer', submission_id: after, current: true });
    await db.query(`update land_release set change_reason = 'corrected', changed_by = 'test' where ref = 'M12-R3'`);
    expect((await recordHistory(db, null, 'releases', 'M12-R3'))!.map((v) => [v.version, v.change_reason])[0]).toEqual([3, 'corrected']);
    await expect(db.query(`delete from hazard where ref = 'M12-A'`)).rejects.toThrow(/hazard M12-A cannot be deleted/);
    await expect(db.query(`delete from land_release where ref = 'M12-R3'`)).rejects.toThrow(/M12-R3 cannot be deleted/);
    await expect(db.query(`update land_release_version set end_date = '2020-01-01'`)).rejects.toThrow(/append-only/);
  });
});
