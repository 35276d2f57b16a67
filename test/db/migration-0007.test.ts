// Migration 0007 fills what the figures as of a date read (per-release unit shares and figures, the date
// each hazard counts from) for data recorded before it, exactly as the accounting fills them for new data.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/engine.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { box, collection, fixturesDir, hazardFeature, importFixture, importText, releaseFeature } from '../support/fixtures.ts';

let db: Database;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  expect((await importFixture(db, 'hazards', 'hazards-small.geojson')).stored).toBe(true);
  expect((await importFixture(db, 'releases', 'releases-small.geojson')).stored).toBe(true);
  // A hazard across the boundary of Battambang (02) and Pailin (24): its releases are split by overlay.
  const { x, y } = (await db.query<{ x: number; y: number }>(
    `select st_x(p) as x, st_y(p) as y from (
       select st_closestpoint(st_boundary(pl.geom), st_centroid(bb.geom)) as p
       from admin_unit pl, admin_unit bb where pl.code = '24' and bb.code = '02') q`,
  )).rows[0]!;
  expect((await importText(db, 'hazards', collection([hazardFeature({ ref: 'MIG-SPLIT', recorded_on: '2023-05-01' }, box(x - 0.004, y - 0.004, x + 0.004, y + 0.004))]))).stored).toBe(true);
  expect((await importText(db, 'releases', collection([
    releaseFeature({ ref: 'MIG-R1', hazard_ref: 'MIG-SPLIT', end_date: '2024-01-31', start_date: '2024-01-01' }, box(x - 0.004, y - 0.004, x + 0.004, y)),
    releaseFeature({ ref: 'MIG-R2', hazard_ref: 'MIG-SPLIT', kind: 'reduced', method: 'ts', end_date: '2024-06-30', start_date: '2024-06-01' }, box(x - 0.004, y - 0.002, x + 0.004, y + 0.004)),
  ]))).stored).toBe(true);
});
afterAll(async () => db?.close());

const snapshot = async () => ({
  shares: (await db.query(`select release_id, hazard_id, level, unit_code, round(counted_m2::numeric, 6) as m2 from release_unit_share order by 1, 3, 4`)).rows,
  figures: (await db.query(`select release_id, hazard_id, kind, method, operator_code, end_date, round(counted_m2::numeric, 6) as m2, province_code, district_code from release_figures order by 1`)).rows,
  known: (await db.query(`select hazard_id, known_since from hazard_accounting order by 1`)).rows,
});

describe('migration 0007 on a record made before it', () => {
  it('fills per-release unit shares, release figures and the date each hazard counts from, as the accounting does', async () => {
    const byAccounting = await snapshot();
    const split = await db.query<{ unit_code: string }>(
      `select x.unit_code from release_unit_share x join land_release r on r.id = x.release_id where r.ref = 'MIG-R1' and x.level = 'province' order by 1`,
    );
    expect(split.rows.map((r) => r.unit_code)).toEqual(['02', '24']);
    // Back to the schema before 0007 (its data kept), then the migration itself, as a deployment runs it.
    await db.runScript(`
      drop table release_unit_share; drop table release_figures; drop table frozen_report;
      drop index hazard_combined_into_idx;
      alter table hazard_accounting drop column known_since;
      alter table hazard drop constraint hazard_status_source_known, drop constraint hazard_authority_status_explained,
        drop constraint hazard_reopened_by_authority, drop column status_source, drop column status_reason,
        drop column status_set_by, drop column status_set_at;
      alter table hazard_version drop column status_source, drop column status_reason, drop column status_set_by, drop column status_set_at;
      select true as script_complete;`);
    // 0007 and the later migrations that change what it made (0018: keys; 0019: a release's units on its figures).
    const sql = ['0007_figures_as_of_and_frozen_reports.sql', '0018_device_finds_and_release_figures_cheaper.sql', '0019_release_units_on_release_figures.sql']
      .map((file) => fs.readFileSync(path.join(fixturesDir, '../../src/db/migrations', file), 'utf8')).join('\n;\n');
    await db.runScript(`begin;\n${sql}\n;commit;\nselect true as script_complete;`);
    const migrated = await snapshot();
    expect(migrated).toEqual(byAccounting);
    // Most releases count wholly in one unit (their figures name it); the split one keeps its shares.
    expect(migrated.figures.filter((f) => f.province_code !== null).length).toBeGreaterThan(0);
    expect(migrated.figures.filter((f) => f.province_code === null).length).toBe(2);
    // The history trigger still copies every column, the new ones included.
    await db.query(`update hazard set notes = 'after migration', changed_by = 'test', change_reason = 'check' where ref = 'MIG-SPLIT'`);
    const last = (await db.query<{ notes: string; status_source: string }>(
      `select v.notes, v.status_source from hazard_version v join hazard h on h.id = v.id where h.ref = 'MIG-SPLIT' order by v.version desc limit 1`,
    )).rows[0];
    expect(last).toEqual({ notes: 'after migration', status_source: 'computed' });
  });
});
