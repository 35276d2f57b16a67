// The submission loop through the web page only, in real Chromium against a real Clearway: HALO's data officer
// uploads two hazards in Battambang and submits them; CMAA's reviewer returns one with a reason; the officer
// reads the reason, uploads the corrected file and submits again; the reviewer approves; the map and the land
// release table then show the new hazards, and the table's figures lead to the releases behind them.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LandReleaseReport } from '../web/src/api';
import { formatSquareMetres } from '../web/src/format';
import { hazardLayerIds } from '../web/src/map-style';
import { reviewLayerIds } from '../web/src/review-map-style';
import type { ReviewPage } from '../web/src/submission-api';
import type { Page as ReleasesPage, ReleaseBehindFigure } from '../web/src/traceability-api';
import { launchChromium } from './support/browser';
import { startClearwayServer } from './support/clearway-server';
import type { ClearwayServer } from './support/clearway-server';
import english from '../web/src/locales/en.json';
import khmer from '../web/src/locales/km.json';
import { waitForBodyFlag } from './support/page-ready.ts';

// Code passed to page.evaluate runs in the browser; this file is type-checked as Node code (no DOM library).
type PageGlobals = { clearwayMap: MapLibreMap; clearwayReviewMap: MapLibreMap };

const screenshotDir = process.env['CLEARWAY_E2E_SCREENSHOTS'] ?? join(tmpdir(), 'clearway-e2e-screenshots');
const squareMetres = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const password = 'demo-password';
const operator = { username: 'halo.officer', role: 'operator_data_officer', organisation: 'HALO', password };
const reviewer = { username: 'cmaa.reviewer', role: 'authority_reviewer', organisation: 'CMAA', password };
const battambang = '02';

// Refs unique to this run, so the test also works against a server that has seen it before.
const run = Date.now().toString(36).toUpperCase();
const kept = `HZ-E2E-${run}-1`;
const returned = `HZ-E2E-${run}-2`;
const returnReason = 'The north-east corner was surveyed again: widen the area to the east.';
/** A hazard of the fixtures in Battambang; the first new hazard lies inside it. */
const overlapped = 'HZ-BB-0002';

let server: ClearwayServer;
let browser: Browser;
let page: Page;
let fileDir: string;
const pageErrors: string[] = [];

type Messages = { [key: string]: string | Messages };

function labels(messages: Messages): string[] {
  return Object.values(messages).flatMap((value) => (typeof value === 'string' ? [value] : labels(value)));
}

/** Whole English labels that Khmer does not share (so not "Clearway", "SHA" or the dash). */
const englishOnlyLabels = new Set(labels(english).filter((label) => !label.includes('{{') && !labels(khmer).includes(label)));

/** A square hazard in Battambang, `east` degrees wide, with its south-west corner at lon, lat. */
function square(ref: string, lon: number, lat: number, east: number): Feature<Polygon> {
  return {
    type: 'Feature',
    properties: { ref, type: 'CHA', contamination: ['AP', 'AT'], source: 'technical survey', recorded_on: '2025-01-15', operator: 'HALO' },
    geometry: {
      type: 'Polygon',
      coordinates: [[[lon, lat], [lon + east, lat], [lon + east, lat + 0.004], [lon, lat + 0.004], [lon, lat]]],
    },
  };
}

async function writeHazardFile(name: string, features: Feature<Polygon>[]): Promise<string> {
  const path = join(fileDir, name);
  const collection: FeatureCollection<Polygon> = { type: 'FeatureCollection', features };
  await writeFile(path, JSON.stringify(collection));
  return path;
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${server.baseUrl}${path}`);
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

async function battambangOriginal(): Promise<number> {
  const report = await getJson<LandReleaseReport>('/api/reports/land-release?by=province');
  return report.rows.find((row) => row.unit_code === battambang)?.original_m2 ?? 0;
}

async function screenshot(name: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, name);
  await page.screenshot({ path });
  console.info(`screenshot: ${path}`);
}

async function signIn(username: string): Promise<void> {
  await page.getByTestId('sign-in-open').click();
  await page.getByTestId('sign-in-username').fill(username);
  await page.getByTestId('sign-in-password').fill(password);
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('signed-in-user').filter({ hasText: username }).waitFor();
}

async function signOut(): Promise<void> {
  await page.getByTestId('sign-out').click();
  await page.getByTestId('sign-in-open').waitFor();
}

async function waitForState(state: string): Promise<void> {
  await page.locator(`[data-testid="submission-state"][data-state="${state}"]`).first().waitFor();
}

/** Opens one submission from a list (the operator's or the review queue) by its number. */
async function openSubmission(list: string, id: string): Promise<void> {
  await page.getByTestId(list).locator(`[data-testid="submission-row"][data-id="${id}"]`).getByTestId('submission-open').click();
}

beforeAll(async () => {
  [server, browser, fileDir] = await Promise.all([
    startClearwayServer({ accounts: [operator, reviewer] }),
    launchChromium(),
    mkdtemp(join(tmpdir(), 'clearway-e2e-files-')),
  ]);
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (fileDir) await rm(fileDir, { recursive: true, force: true });
});

describe('the submission loop in the browser', () => {
  let submissionId = '';
  let originalBefore = 0;

  it('lets an operator upload a file, read its validation report and submit it', async () => {
    originalBefore = await battambangOriginal();
    const first = await writeHazardFile('halo-hazards.geojson', [square(kept, 102.95, 13.046, 0.004), square(returned, 103.11, 13.05, 0.004)]);
    await page.goto(`${server.baseUrl}/`);
    await signIn(operator.username);
    await expect(page.getByTestId('signed-in').textContent()).resolves.toContain('Operator data officer · HALO');

    await page.getByTestId('view-submissions').click();
    await page.getByTestId('upload-kind-hazards').check();
    await page.getByTestId('upload-file').setInputFiles(first);
    await page.getByTestId('upload-submit').click();

    const report = page.getByTestId('validation-report');
    await report.waitFor();
    await expect(page.getByTestId('validation-summary').textContent()).resolves.toBe('2 records read, 2 accepted. No errors: it can be submitted for review.');
    submissionId = (await page.getByTestId('submission-page').getAttribute('data-id')) ?? '';
    expect(submissionId).toMatch(/^\d+$/);
    await waitForState('draft');

    await page.getByTestId('submit-for-review').click();
    await waitForState('submitted');
    await signOut();
  });

  it('lets a reviewer see the items on the map, in Khmer too, and return one with a reason', async () => {
    await signIn(reviewer.username);
    await page.getByTestId('view-review-queue').click();
    await openSubmission('review-queue-list', submissionId);
    await page.getByTestId('review-items').waitFor();
    await expect(page.getByTestId('review-item').count()).resolves.toBe(2);

    // Both submitted hazards are drawn on the review map, as the operator sent them.
    await waitForBodyFlag(page, 'reviewMapReady', 20_000);
    const drawn = () =>
      page.evaluate((layer) => {
        const map = (globalThis as unknown as PageGlobals).clearwayReviewMap;
        return [...new Set(map.queryRenderedFeatures({ layers: [layer] }).map((feature) => String(feature.properties['ref'])))].sort();
      }, reviewLayerIds.afterFill);
    await expect.poll(drawn, { timeout: 10_000 }).toEqual([kept, returned].sort());

    // One item opened: the official record beside the file (none yet: both are new hazards).
    const item = page.locator(`[data-testid="review-item"][data-ref="${returned}"]`);
    await item.getByTestId('review-item-select').click();
    await item.getByTestId('record-comparison').waitFor();
    await expect(item.getByTestId('review-item-action').textContent()).resolves.toBe('New');

    // The first item lies inside an official hazard: the reviewer may make it an update of that hazard (the
    // overlap in m2 shown), and changes their mind back to a new hazard; both choices are saved on the server.
    const first = page.locator(`[data-testid="review-item"][data-ref="${kept}"]`);
    await first.getByTestId('review-item-select').click();
    const overlapDrawn = () =>
      page.evaluate((layer) => (globalThis as unknown as PageGlobals).clearwayReviewMap.queryRenderedFeatures({ layers: [layer] }).map((f) => String(f.properties['ref'])), reviewLayerIds.overlapFill);
    await expect.poll(overlapDrawn, { timeout: 10_000 }).toContain(overlapped);
    await expect(first.getByTestId('reconciliation').textContent()).resolves.toMatch(new RegExp(`${overlapped}, which it overlaps by [\\d,]+ m²`));
    // The hazard has a release (LR-0003) reaching beyond the small new square: the reviewer is told how much
    // released land an update would stop counting, the figure the review API gives.
    const reviewed = (await page.evaluate(async (id) => (await fetch(`/api/submissions/${id}/items`)).json(), submissionId)) as ReviewPage;
    const outside = reviewed.items.find((i) => i.ref === kept)!.overlaps.find((o) => o.ref === overlapped)!.released_outside_m2!;
    expect(outside).toBeGreaterThan(1);
    await expect(first.getByTestId(`released-outside-${overlapped}`).textContent()).resolves.toContain(`${formatSquareMetres(outside)} m² of land released on ${overlapped}`);
    await first.getByTestId(`reconciliation-update-${overlapped}`).check();
    await first.getByTestId('review-item-action').filter({ hasText: `Update ${overlapped}` }).waitFor();
    await first.getByTestId('reconciliation-new').check();
    await first.getByTestId('review-item-action').filter({ hasText: /^New$/ }).waitFor();

    // The reviewer reads Khmer: every label of the review page switches, none stays in English.
    await page.getByTestId('language-km').click();
    await page.getByRole('heading', { name: `ការត្រួតពិនិត្យការដាក់ស្នើលេខ ${submissionId}` }).waitFor();
    const review = page.getByTestId('review-page');
    const khmerText = (await review.textContent()) ?? '';
    expect(khmerText).toContain('អនុម័ត និងអនុវត្ត'); // approve and apply
    expect(khmerText).toContain('កំណត់ត្រាផ្លូវការ'); // official record
    expect(khmerText).toContain('បានដាក់ស្នើ'); // submitted
    const visibleLines = (await page.locator('body').innerText()).split(/[\n\t]+/).map((line) => line.trim());
    expect(visibleLines.filter((line) => englishOnlyLabels.has(line) && line !== 'English'), 'labels still in English').toEqual([]);
    await screenshot('clearway-review-km.png');
    await page.getByTestId('language-en').click();
    await page.getByRole('heading', { name: `Review of submission ${submissionId}` }).waitFor();

    await item.getByTestId('return-item').check();
    await item.getByTestId('return-reason').fill(returnReason);
    await screenshot('clearway-review-en.png');
    await page.getByTestId('return').click();
    await waitForState('returned');
    await signOut();
  });

  it('shows the operator the reason, and takes the corrected file and the resubmission', async () => {
    await signIn(operator.username);
    await page.getByTestId('view-submissions').click();
    await openSubmission('submission-list', submissionId);
    await waitForState('returned');
    // A reload keeps the officer signed in, and able to make changes (the page learns its CSRF token again).
    await page.reload();
    await page.getByTestId('signed-in-user').filter({ hasText: operator.username }).waitFor();
    await waitForState('returned');
    const reasons = page.getByTestId('decision-reasons');
    await expect(reasons.getByTestId('decision-reason-row').count()).resolves.toBe(1);
    const reasonRow = (await reasons.getByTestId('decision-reason-row').textContent()) ?? '';
    expect(reasonRow).toContain(returned);
    expect(reasonRow).toContain(returnReason);

    const corrected = await writeHazardFile('halo-hazards-corrected.geojson', [square(kept, 102.95, 13.046, 0.004), square(returned, 103.11, 13.05, 0.006)]);
    await page.getByTestId('replace-file-input').setInputFiles(corrected);
    await page.getByTestId('replace-file-submit').click();
    await waitForState('draft');
    await expect(page.getByTestId('submission-facts').textContent()).resolves.toContain('halo-hazards-corrected.geojson');
    await expect(page.getByTestId('validation-summary').textContent()).resolves.toContain('No errors');

    await page.getByTestId('submit-for-review').click();
    await waitForState('submitted');
    await signOut();
  });

  it('lets the reviewer approve, and the map and the land release table show the new hazards', async () => {
    await signIn(reviewer.username);
    await page.getByTestId('view-review-queue').click();
    await openSubmission('review-queue-list', submissionId);
    await page.getByTestId('review-items').waitFor();
    await page.getByTestId('approve').click();
    await waitForState('approved');
    await page.getByTestId('review-outcome').waitFor();

    const originalAfter = await battambangOriginal();
    expect(originalAfter).toBeGreaterThan(originalBefore);

    await page.getByTestId('view-map').click();
    await waitForBodyFlag(page, 'mapReady', 30_000);
    const drawnRefs = () =>
      page.evaluate(
        ({ wanted, layers }) => {
          const map = (globalThis as unknown as PageGlobals).clearwayMap;
          const refs = new Set(map.queryRenderedFeatures({ layers }).map((feature) => String(feature.properties['ref'])));
          return wanted.filter((ref) => refs.has(ref));
        },
        { wanted: [kept, returned], layers: hazardLayerIds },
      );
    await expect.poll(drawnRefs, { timeout: 10_000 }).toEqual([kept, returned]);

    // The province's original area now counts both hazards, to the square metre the API reports.
    const table = page.getByTestId('land-release-table');
    const row = table.getByTestId('land-release-row').filter({ has: page.getByRole('rowheader', { name: 'Battambang', exact: true }) });
    await expect(row.getByTestId('figure-original').textContent()).resolves.toBe(squareMetres.format(Math.round(originalAfter)));
    await screenshot('clearway-after-approval.png');

    // And each figure leads to the releases behind it, with the file or submission each came from.
    const behind = await getJson<ReleasesPage<ReleaseBehindFigure>>(`/api/reports/land-release/releases?by=province&unit=${battambang}&limit=50`);
    await row.getByTestId('figure-original').click();
    const list = page.getByTestId('releases-behind');
    await list.waitFor();
    await expect.poll(() => list.getByTestId('release-behind').count()).toBe(behind.items.length);
  });

  it('lets the authority trace the submission in the audit log and compare HALO\'s own figures', async () => {
    await page.getByTestId('view-audit').click();
    await page.getByTestId('audit-ref').fill(submissionId);
    await page.getByTestId('audit-apply').click();
    const actions = () => page.getByTestId('audit-row').locator('code').allTextContents();
    // Other kinds of record may share the number (an import batch, say): the submission's own steps must all be there.
    const steps = ['submission.create', 'submission.submit', 'submission.return', 'submission.replace-file', 'submission.approve'];
    await expect.poll(actions, { timeout: 10_000 }).toEqual(expect.arrayContaining(steps));

    // HALO's spreadsheet: land cleared in Battambang that the official record has never heard of.
    const summary = join(fileDir, 'halo-summary.csv');
    await writeFile(summary, 'province,month,kind,released_m2\nBattambang,2024-05,cleared,1500\n');
    await page.getByTestId('view-discrepancy').click();
    await page.getByTestId('discrepancy-organisation').selectOption('HALO');
    await page.getByTestId('discrepancy-file').setInputFiles(summary);
    await page.getByTestId('discrepancy-compare').click();
    const row = page.getByTestId('discrepancy-row').filter({ hasText: 'Battambang' });
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('2024-05');
    expect(text).toContain('+1,500');
    await screenshot('clearway-discrepancy-en.png');
    // The same comparison as a CSV file, for the operator's spreadsheet.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('discrepancy-download').click()]);
    expect(download.suggestedFilename()).toBe('discrepancy-HALO-2024-05-2024-05.csv');
    const csv = (await readFile(await download.path(), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('province_code,province_name_en,month,kind,operator_m2,official_m2,difference_m2,reason,reason_m2,records,more_records');
    expect(csv.find((line) => line.startsWith('02,Battambang,2024-05,cleared,'))).toMatch(/^02,Battambang,2024-05,cleared,1500\.00,[\d.]+,[\d.-]+,/);
  });

  it('ran without an uncaught error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
