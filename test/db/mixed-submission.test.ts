// An operator's completion report as one submission: a new hazard, its releases and the finds in them, each
// record saying its kind; items stored as rows when checked; approval applies them in order in one
// transaction, on the engine under test.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import type { Database } from '../../src/db/engine.ts';
import { addUser, createApiToken } from '../../src/app/accounts.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { box, collection, count, hazardFeature, importFixture, importText, releaseFeature } from '../support/fixtures.ts';
import { measureKeptReleases } from '../../src/db/release-import.ts';
import { polygonToWkbHex } from '../../src/db/wkb.ts';

let db: Database;
let app: FastifyInstance;
let halo: string;
let reviewer: string;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  await importFixture(db, 'hazards', 'hazards-small.geojson');
  await addUser(db, { username: 'halo.officer', role: 'operator_data_officer', organisation: 'HALO', password: 'a-long-password' }, 'test');
  await addUser(db, { username: 'cmaa.reviewer', role: 'authority_reviewer', organisation: 'CMAA', password: 'a-long-password' }, 'test');
  halo = (await createApiToken(db, 'halo.officer', 'mixed', 'test')).token;
  reviewer = (await createApiToken(db, 'cmaa.reviewer', 'mixed', 'test')).token;
  app = await buildServer(db, { basemapUrl: null, secureCookies: false, maxUploadBytes: 8 * 1024 * 1024 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const as = (token: string) => ({ authorization: `Bearer ${token}` });

/** A new hazard near Battambang, two releases of it, and finds in one of them. */
function completionReport(prefix: string) {
  const [w, s] = [103.05, 13.2];
  return collection([
    { ...hazardFeature({ ref: `${prefix}-HZ`, operator: 'HALO', record_kind: 'hazard' }, box(w, s, w + 0.01, s + 0.01)) },
    { ...releaseFeature({ ref: `${prefix}-LR1`, hazard_ref: `${prefix}-HZ`, record_kind: 'release' }, box(w, s, w + 0.005, s + 0.01)) },
    { ...releaseFeature({ ref: `${prefix}-LR2`, hazard_ref: `${prefix}-HZ`, kind: 'reduced', method: 'ts', record_kind: 'release' }, box(w + 0.005, s, w + 0.01, s + 0.005)) },
    { type: 'Feature', properties: { record_kind: 'find', ref: `${prefix}-F1`, category: 'AP', model: 'PMN-2', quantity: 2, found_on: '2021-02-01', release_ref: `${prefix}-LR1` }, geometry: { type: 'Point', coordinates: [w + 0.002, s + 0.004] } },
  ]);
}

async function submit(body: string, contentType = 'application/geo+json'): Promise<{ id: number; kind: string; validation: { records: number; accepted: number; errorCount: number; errors: { code: string; field?: string; feature?: number; line?: number }[]; notes: { code: string; reason: string }[] } }> {
  const created = await app.inject({ method: 'POST', url: '/api/submissions', headers: { ...as(halo), 'content-type': contentType }, body });
  expect(created.statusCode).toBe(201);
  return created.json();
}

describe('one submission, many kinds', () => {
  it('checks a new hazard, its releases and a find in one of them together, and stores the items as rows', async () => {
    const submission = await submit(completionReport('CR1'));
    expect(submission.kind).toBe('mixed');
    expect(submission.validation).toMatchObject({ records: 4, accepted: 4, errorCount: 0 });
    const rows = await db.query<{ idx: number; kind: string; ref: string }>('select idx, kind, ref from submission_item where submission_id = $1 order by idx', [submission.id]);
    expect(rows.rows).toEqual([
      { idx: 0, kind: 'hazards', ref: 'CR1-HZ' }, { idx: 1, kind: 'releases', ref: 'CR1-LR1' },
      { idx: 2, kind: 'releases', ref: 'CR1-LR2' }, { idx: 3, kind: 'finds', ref: 'CR1-F1' },
    ]);
    // Nothing reaches the official record before approval.
    expect(await count(db, `hazard where ref = 'CR1-HZ'`)).toBe(0);
    expect(await count(db, `find where ref = 'CR1-F1'`)).toBe(0);

    // Review reads the rows: each item says its kind.
    expect((await app.inject({ method: 'POST', url: `/api/submissions/${submission.id}/submit`, headers: as(halo) })).statusCode).toBe(200);
    const review = (await app.inject({ method: 'GET', url: `/api/submissions/${submission.id}/items?limit=2&offset=2`, headers: as(reviewer) })).json() as { total: number; items: { item: number; kind: string; ref: string }[] };
    expect(review.total).toBe(4);
    expect(review.items.map((i) => [i.item, i.kind, i.ref])).toEqual([[2, 'releases', 'CR1-LR2'], [3, 'finds', 'CR1-F1']]);

    // Approval applies hazards, then releases, then finds, in one transaction traced to the submission.
    expect((await app.inject({ method: 'POST', url: `/api/submissions/${submission.id}/approve`, headers: as(reviewer) })).statusCode).toBe(200);
    const applied = await db.query<{ ref: string; submission_id: number }>(
      `select x.ref, b.submission_id from (
         select ref, batch_id from hazard union all select ref, batch_id from land_release union all select ref, batch_id from find) x
       join change_batch b on b.id = x.batch_id where x.ref like 'CR1-%' order by x.ref`,
    );
    expect(applied.rows).toEqual(['CR1-F1', 'CR1-HZ', 'CR1-LR1', 'CR1-LR2'].map((ref) => ({ ref, submission_id: submission.id })));
    const find = await db.query(`select hazard_ref, release_ref, operator_code from find where ref = 'CR1-F1'`);
    expect(find.rows[0]).toEqual({ hazard_ref: 'CR1-HZ', release_ref: 'CR1-LR1', operator_code: 'HALO' });
    // The hazard's accounting counts both releases: half cleared, a quarter reduced, a quarter remaining.
    const accounting = await db.query<{ original_m2: number; cleared_m2: number; reduced_m2: number; remaining_m2: number }>(
      `select a.original_m2, a.cleared_m2, a.reduced_m2, a.remaining_m2 from hazard_accounting a join hazard h on h.id = a.hazard_id where h.ref = 'CR1-HZ'`,
    );
    const figures = accounting.rows[0]!;
    expect(figures.cleared_m2 + figures.reduced_m2 + figures.remaining_m2).toBeCloseTo(figures.original_m2, 2);
    expect(figures.cleared_m2 / figures.original_m2).toBeCloseTo(0.5, 3);
    expect(figures.reduced_m2 / figures.original_m2).toBeCloseTo(0.25, 3);
  });

  it('takes CSV too, with record_kind and WKT for polygons and points alike', async () => {
    const csv = [
      'record_kind,ref,type,contamination,source,recorded_on,hazard_ref,kind,method,operator,start_date,end_date,category,model,quantity,found_on,release_ref,wkt',
      'hazard,CSV-HZ,CHA,AP,technical survey,2020-01-15,,,,HALO,,,,,,,,"POLYGON((103.1 13.2,103.11 13.2,103.11 13.21,103.1 13.21,103.1 13.2))"',
      'release,CSV-LR,,,,,CSV-HZ,cleared,manual,HALO,2021-01-01,2021-03-01,,,,,,"POLYGON((103.1 13.2,103.11 13.2,103.11 13.21,103.1 13.21,103.1 13.2))"',
      'find,CSV-F,,,,,,,,HALO,,,UXO,Mortar 82mm,1,2021-02-01,CSV-LR,POINT(103.105 13.205)',
    ].join('\n');
    const submission = await submit(csv, 'text/csv');
    expect(submission.validation.errors).toEqual([]);
    expect(submission.validation.accepted).toBe(3);
  });

  it('names a record whose kind is missing or unknown, and a release whose new hazard has an error', async () => {
    const features = JSON.parse(completionReport('CR2')) as { features: { properties: Record<string, unknown> }[] };
    features.features[0]!.properties.type = 'XHA';
    features.features[3]!.properties.record_kind = 'accident';
    delete features.features[2]!.properties.record_kind;
    const submission = await submit(JSON.stringify(features));
    const codes = submission.validation.errors.map((e) => [e.code, e.field, e.feature]);
    expect(codes).toEqual(expect.arrayContaining([
      ['type.unknown', 'type', 0], ['record-kind.unknown', 'record_kind', 3], ['field.required', 'record_kind', 2],
      ['hazard.unknown', 'hazard_ref', 1],
    ]));
    expect((await app.inject({ method: 'POST', url: `/api/submissions/${submission.id}/submit`, headers: as(halo) })).statusCode).toBe(422);
  });

  it('refuses a find whose ref a release\'s device takes in the same submission, as the approval would', async () => {
    const report = JSON.parse(completionReport('DV1')) as { features: { properties: Record<string, unknown> }[] };
    // LR1's device becomes the find DV1-LR1-D1 when LR1 is written; the file's find says it is that find.
    report.features[1]!.properties.devices = [{ category: 'AP', model: 'PMN-2', quantity: 1 }];
    report.features[3]!.properties.ref = 'DV1-LR1-D1';
    const submission = await submit(JSON.stringify(report));
    expect(submission.validation.errors.map((e) => [e.code, e.feature])).toEqual([['ref.exists', 3]]);
  });

  it('checks new records against each other alike whether it keeps them pending or writes them (0022)', async () => {
    // Items all new: the check keeps its new records pending for the later items. One item updating an
    // official hazard makes it write them, as an approval does. The verdicts on the other items are the same.
    const [w, s] = [103.05, 13.3];
    const releases = (p: string) => [
      hazardFeature({ ref: `${p}-HZ`, operator: 'HALO', record_kind: 'hazard' }, box(w, s, w + 0.01, s + 0.01)),
      // Half of it outside its hazard (a note: not counted); none of it in its hazard; a hazard nobody has.
      releaseFeature({ ref: `${p}-LR1`, hazard_ref: `${p}-HZ`, record_kind: 'release' }, box(w + 0.005, s, w + 0.015, s + 0.01)),
      releaseFeature({ ref: `${p}-LR2`, hazard_ref: `${p}-HZ`, record_kind: 'release' }, box(w + 0.04, s, w + 0.05, s + 0.01)),
      releaseFeature({ ref: `${p}-LR3`, hazard_ref: `${p}-NONE`, record_kind: 'release' }, box(w, s, w + 0.005, s + 0.005)),
    ];
    const find = (p: string, ref: string, named: Record<string, string>) => ({
      type: 'Feature', properties: { record_kind: 'find', ref: `${p}-${ref}`, category: 'AP', model: 'PMN-2', quantity: 1, found_on: '2021-02-01', ...named },
      geometry: { type: 'Point', coordinates: [w + 0.002137, s + 0.004211] },
    });
    const finds = (p: string) => [
      hazardFeature({ ref: `${p}-HZ`, operator: 'HALO', record_kind: 'hazard' }, box(w, s, w + 0.01, s + 0.01)),
      hazardFeature({ ref: `${p}-HZ2`, operator: 'HALO', record_kind: 'hazard' }, box(w + 0.02, s, w + 0.03, s + 0.01)),
      releaseFeature({ ref: `${p}-LR1`, hazard_ref: `${p}-HZ`, record_kind: 'release' }, box(w, s, w + 0.005, s + 0.01)),
      // In a release of HZ but said to be in HZ2; in a release nobody has; in HZ2; in LR1, its hazard found from it.
      find(p, 'F1', { release_ref: `${p}-LR1`, hazard_ref: `${p}-HZ2` }),
      find(p, 'F2', { release_ref: `${p}-NOPE` }),
      find(p, 'F3', { hazard_ref: `${p}-HZ2` }),
      find(p, 'F4', { release_ref: `${p}-LR1` }),
    ];
    const update = hazardFeature({ ref: 'HZ-PL-0001', operator: 'HALO', record_kind: 'hazard' }, box(102.6, 12.85, 102.61, 12.86));
    type Validation = Awaited<ReturnType<typeof submit>>['validation'];
    type Problem = { code: string; field?: string; feature?: number; reason?: string };
    const problems = (v: Validation): Problem[] => [...v.errors, ...v.notes];
    const verdicts = (v: Validation, p: string) => problems(v).filter((e) => e.code !== 'record.updates')
      .map((e) => `${e.code} ${e.field} ${e.feature} ${e.reason?.replaceAll(p, '')}`).sort();
    for (const file of [releases, finds]) {
      const pending = (await submit(collection(file('PD1')))).validation;
      const written = (await submit(collection([...file('PD2'), update]))).validation;
      expect(written.notes.map((n) => n.code)).toContain('record.updates');
      expect(verdicts(pending, 'PD1')).toEqual(verdicts(written, 'PD2'));
      const codes = problems(pending).map((e) => `${e.code} ${e.feature}`);
      if (file === releases) expect(codes).toEqual(expect.arrayContaining(['release.outside-hazard 1', 'release.not-touching-hazard 2', 'hazard.unknown 3']));
      else {
        expect(codes).toEqual(expect.arrayContaining(['field.invalid 3', 'release.unknown 4']));
        expect(codes.filter((c) => / [56]$/.test(c))).toEqual([]);
      }
    }
    // Nothing of either check reached the official record, and the updated hazard is as it was.
    expect(await count(db, `hazard where ref like 'PD%'`)).toBe(0);
    expect(await count(db, `land_release where ref like 'PD%'`)).toBe(0);
    expect(await count(db, `hazard where ref = 'HZ-PL-0001' and version = 1`)).toBe(1);
  });

  it('counts notes of one code past ten instead of listing thousands', async () => {
    const features = [];
    for (let i = 0; i < 25; i++) features.push({ type: 'Feature', properties: { record_kind: 'find', ref: `NOTE-${i}`, category: 'UXO', model: `Homemade ${i}`, quantity: 1, found_on: '2022-01-01' }, geometry: { type: 'Point', coordinates: [103.2 + i * 0.001, 13.1] } });
    const submission = await submit(collection(features));
    const unlisted = submission.validation.notes.filter((n) => n.code === 'model.unlisted');
    expect(unlisted).toHaveLength(11);
    expect(unlisted.at(-1)!.reason).toBe('and 15 more model.unlisted notes');
  });
});

describe('polygons measured once (docs/decisions/0018)', () => {
  /** Submits, submits for review and approves; returns the approved hazard's area and its first unit share. */
  async function approveWith(prefix: string, before: (id: number) => Promise<void>): Promise<{ area: number; share: number }> {
    const submission = await submit(completionReport(prefix));
    expect(submission.validation.errorCount).toBe(0);
    await before(submission.id);
    expect((await app.inject({ method: 'POST', url: `/api/submissions/${submission.id}/submit`, headers: as(halo) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/api/submissions/${submission.id}/approve`, headers: as(reviewer) })).statusCode).toBe(200);
    const row = await db.query<{ area: number; share: number }>(
      `select h.area_m2 as area, s.original_m2 as share from hazard h join hazard_unit_share s on s.hazard_id = h.id and s.level = 'province'
       where h.ref = $1`, [`${prefix}-HZ`],
    );
    return row.rows[0]!;
  }
  /** What the check kept for the hazard item (item 0), with its area and its unit shares set to 12345 m2. */
  const alterKeptHazard = (id: number) => db.query(
    `update submission_item i set measures = jsonb_set(jsonb_set(m, '{hazard,measure,area_m2}', '12345'), '{hazard,shares}',
       (select jsonb_agg(jsonb_set(x, '{m2}', '12345')) from jsonb_array_elements(m -> 'hazard' -> 'shares') x))::json
     from (select measures::jsonb as m from submission_item where submission_id = $1 and idx = 0) k
     where i.submission_id = $1 and i.idx = 0`, [id],
  );

  it('approves with what the check measured while the reference data is the same, and measures again once it changes', async () => {
    // The check kept the hazard's and the releases' measures; the approval reads them instead of measuring:
    // a figure altered in between is the figure approved.
    const kept = await approveWith('KM1', async (id) => {
      const items = await db.query<{ kind: string; measured: boolean }>('select kind, measures is not null as measured from submission_item where submission_id = $1 order by idx', [id]);
      expect(items.rows).toEqual([{ kind: 'hazards', measured: true }, { kind: 'releases', measured: true }, { kind: 'releases', measured: true }, { kind: 'finds', measured: false }]);
      await alterKeptHazard(id);
    });
    expect(kept).toEqual({ area: 12345, share: 12345 });
    // New boundaries (a reference data update) since the check: the approval measures every polygon again.
    const version = (await db.query<{ version: number }>('select version from reference_data')).rows[0]!.version;
    try {
      const measured = await approveWith('KM2', async (id) => {
        await alterKeptHazard(id);
        await db.query('update reference_data set version = version + 1');
      });
      expect(measured.area).toBeGreaterThan(1_000_000);
      expect(measured.share).toBeCloseTo(measured.area, 3);
    } finally {
      await db.query('update reference_data set version = $1', [version]);
    }
  });
});

describe('an update never loses data silently', () => {
  it('keeps the operator, village and notes an item leaves out, clears a field given as null, and gives a new hazard the submitter\'s organisation', async () => {
    const [w, s] = [103.15, 13.25];
    const created = await submit(collection([hazardFeature({ ref: 'KEEP-1', record_kind: 'hazard', notes: 'bamboo fence on the north side', village_code: '02030101' }, box(w, s, w + 0.01, s + 0.01))]));
    expect(created.validation.errors).toEqual([]);
    await app.inject({ method: 'POST', url: `/api/submissions/${created.id}/submit`, headers: as(halo) });
    expect((await app.inject({ method: 'POST', url: `/api/submissions/${created.id}/approve`, headers: as(reviewer) })).statusCode).toBe(200);
    const first = await db.query(`select operator_code, notes, village_code from hazard where ref = 'KEEP-1'`);
    expect(first.rows[0]).toEqual({ operator_code: 'HALO', notes: 'bamboo fence on the north side', village_code: '02030101' });

    // The update says nothing of the operator or the village, and clears the notes explicitly.
    const update = JSON.parse(collection([hazardFeature({ ref: 'KEEP-1', record_kind: 'hazard', type: 'SHA' }, box(w, s, w + 0.012, s + 0.01))])) as { features: { properties: Record<string, unknown> }[] };
    update.features[0]!.properties.notes = null;
    const updating = await submit(JSON.stringify(update));
    expect(updating.validation.notes.map((n) => n.code)).toContain('record.updates');
    await app.inject({ method: 'POST', url: `/api/submissions/${updating.id}/submit`, headers: as(halo) });
    const review = (await app.inject({ method: 'GET', url: `/api/submissions/${updating.id}/items`, headers: as(reviewer) })).json() as { items: { before: { attributes: Record<string, unknown> }; after: { properties: Record<string, unknown> } }[] };
    expect(review.items[0]!.before.attributes).toMatchObject({ notes: 'bamboo fence on the north side' });
    expect(review.items[0]!.after.properties.notes).toBeNull();
    expect((await app.inject({ method: 'POST', url: `/api/submissions/${updating.id}/approve`, headers: as(reviewer) })).statusCode).toBe(200);
    const after = await db.query(`select type, operator_code, notes, village_code, version from hazard where ref = 'KEEP-1'`);
    expect(after.rows[0]).toEqual({ type: 'SHA', operator_code: 'HALO', notes: null, village_code: '02030101', version: expect.any(Number) });
    const history = await db.query(`select version, operator_code, notes from hazard_version where ref = 'KEEP-1' order by version`);
    expect(history.rows.map((r) => r.operator_code)).toEqual(history.rows.map(() => 'HALO'));
    expect(history.rows[0]).toMatchObject({ notes: 'bamboo fence on the north side' });
  });
});

describe('whether a release lies inside its hazard, measured when the submission was checked', () => {
  it('holds for the hazard polygon it was measured against, and is tested again for any other', async () => {
    // The check measures each release against the polygon of the hazard of the same submission, with that
    // polygon's digest; later the answer is taken only for a stored hazard whose polygon has the same digest.
    const [w, s] = [103.3, 13.3];
    expect((await importText(db, 'hazards', collection([hazardFeature({ ref: 'DIG-HZ', operator: 'HALO' }, box(w, s, w + 0.01, s + 0.01))]))).errorCount).toBe(0);
    const inside = { type: 'Polygon' as const, coordinates: [box(w + 0.002, s + 0.002, w + 0.004, s + 0.004)] };
    const wkb = polygonToWkbHex(inside);
    const digest = (await db.query<{ digest: string }>(`select encode(sha256(st_asbinary(geom)), 'hex') as digest from hazard where ref = 'DIG-HZ'`)).rows[0]!.digest;
    const measure = (hazard_digest: string, kept: boolean) => measureKeptReleases(db, [{ idx: 0, wkb, hazard_ref: 'DIG-HZ' }],
      new Map([[0, { invalid_reason: null, area_m2: 1, inside_of: { hazard_digest, inside: kept } }]]));
    // The stored polygon is the one measured: the kept answer is the answer, not tested again (a kept
    // "outside" is taken as it is, which shows it was not).
    expect((await measure(digest, false))[0]).toMatchObject({ inside: false });
    // Another polygon (the hazard changed since, or the release names another hazard): tested again.
    expect((await measure('0'.repeat(64), false))[0]).toMatchObject({ inside: true });
  });
});
