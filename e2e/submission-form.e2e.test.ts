// The web form for one record, in real Chromium against a real Clearway: HALO's data officer fills in a hazard
// and draws its polygon by clicking on the map, reads the validation report and submits the draft; then fills in
// a land release of a hazard of the fixtures with a polygon pasted as WKT (as from a GPS unit or QGIS); and a
// release that ends before it starts gets the server's error, naming the field. The API then shows that the
// stored submissions hold exactly what was clicked and pasted.
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Polygon, Position } from 'geojson';
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHODS_BY_KIND } from '../src/domain/exchange-format.ts';
import { polygonLayerIds } from '../web/src/polygon-map-style';
import { methodsByKind } from '../web/src/record-form';
import type { ReviewPage, Submission } from '../web/src/submission-api';
import { launchChromium } from './support/browser';
import { startClearwayServer } from './support/clearway-server';
import type { ClearwayServer } from './support/clearway-server';
import english from '../web/src/locales/en.json';
import khmer from '../web/src/locales/km.json';
import { waitForBodyFlag } from './support/page-ready.ts';

// Code passed to page.evaluate runs in the browser; this file is type-checked as Node code (no DOM library).
type PageGlobals = { clearwayPolygonMap: MapLibreMap; clearwayPointMap: MapLibreMap };
type CanvasRect = { left: number; top: number };
type CanvasElement = { getBoundingClientRect(): CanvasRect };

const screenshotDir = process.env['CLEARWAY_E2E_SCREENSHOTS'] ?? join(tmpdir(), 'clearway-e2e-screenshots');
const password = 'demo-password';
const operator = { username: 'halo.officer', role: 'operator_data_officer', organisation: 'HALO', password };

// Refs unique to this run, so the test also works against a server that has seen it before.
const run = Date.now().toString(36).toUpperCase();
const hazardRef = `HZ-FORM-${run}`;
const releaseRef = `LR-FORM-${run}`;
const badReleaseRef = `LR-FORM-${run}-BAD`;
const findRef = `EO-FORM-${run}`;
/** A hazard of the fixtures in Battambang (SHA, CMAC), around 102.95, 13.05. */
const fixtureHazard = 'HZ-BB-0002';

/** Four corners of the new hazard, in Battambang, east of the fixtures' hazards. */
const hazardCorners: Position[] = [
  [103.11, 13.055],
  [103.12, 13.0555],
  [103.1205, 13.064],
  [103.1095, 13.0635],
];
/** The released land, inside HZ-BB-0002, as a GPS unit or QGIS would give it. */
const releaseRing: Position[] = [
  [102.948, 13.048],
  [102.952, 13.048],
  [102.952, 13.0515],
  [102.9485, 13.052],
  [102.948, 13.048],
];
const releaseWkt = `POLYGON((${releaseRing.map(([lon, lat]) => `${lon} ${lat}`).join(', ')}))`;

let server: ClearwayServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

type Messages = { [key: string]: string | Messages };

function labels(messages: Messages): string[] {
  return Object.values(messages).flatMap((value) => (typeof value === 'string' ? [value] : labels(value)));
}

/** Whole English labels that Khmer does not share (so not "Clearway", "SHA" or the dash). */
const englishOnlyLabels = new Set(labels(english).filter((label) => !label.includes('{{') && !labels(khmer).includes(label)));

/** The API as the signed-in officer: the page's context holds the session cookie. */
async function apiGet<T>(path: string): Promise<T> {
  const response = await page.request.get(`${server.baseUrl}${path}`);
  if (!response.ok()) throw new Error(`GET ${path} answered ${response.status()}: ${await response.text()}`);
  return (await response.json()) as T;
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

async function waitForState(state: string): Promise<void> {
  await page.locator(`[data-testid="submission-state"][data-state="${state}"]`).first().waitFor();
}

/** The submissions view with the form open, for one hazard or one release. */
async function openForm(kind: 'hazards' | 'releases' | 'finds'): Promise<void> {
  await page.getByTestId('view-submissions').click();
  await page.getByTestId('new-submission-form').check();
  await page.getByTestId(`form-kind-${kind}`).check();
}

async function fillRelease(ref: string, dates: { start: string; end: string }): Promise<void> {
  await page.getByTestId('form-ref').fill(ref);
  await page.getByTestId('form-hazard-ref').fill(fixtureHazard);
  await page.locator('[data-testid="form-hazard-status"][data-state="found"]').waitFor();
  await page.getByTestId('form-start-date').fill(dates.start);
  await page.getByTestId('form-end-date').fill(dates.end);
  await page.getByTestId('polygon-mode-paste').check();
  await page.getByTestId('polygon-paste').fill(releaseWkt);
  await page.locator('[data-testid="paste-status"][data-valid="true"]').waitFor();
}

/** The submission the page shows, and its items as the API stores them. */
async function shownSubmission(): Promise<{ submission: Submission; items: ReviewPage['items'] }> {
  const id = (await page.getByTestId('submission-page').getAttribute('data-id')) ?? '';
  expect(id).toMatch(/^\d+$/);
  const submission = await apiGet<Submission>(`/api/submissions/${id}`);
  const { items } = await apiGet<ReviewPage>(`/api/submissions/${id}/items`);
  return { submission, items };
}

function expectRing(geometry: unknown, expected: Position[]): void {
  const polygon = geometry as Polygon;
  expect(polygon.type).toBe('Polygon');
  const ring = polygon.coordinates[0] ?? [];
  expect(ring).toHaveLength(expected.length);
  ring.forEach((position, index) => {
    const [lon = 0, lat = 0] = expected[index] ?? [];
    expect(Math.abs((position[0] ?? 0) - lon), `longitude of corner ${index + 1}`).toBeLessThan(1e-6);
    expect(Math.abs((position[1] ?? 0) - lat), `latitude of corner ${index + 1}`).toBeLessThan(1e-6);
  });
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startClearwayServer({ accounts: [operator] }), launchChromium()]);
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the form for one record in the browser', () => {
  it('offers for each kind of release the methods the server accepts', () => {
    expect(methodsByKind).toEqual(METHODS_BY_KIND);
  });

  it('lets an officer fill in a hazard, draw its polygon on the map, read the report and submit it', async () => {
    await page.goto(`${server.baseUrl}/`);
    await signIn(operator.username);
    await openForm('hazards');

    // Every label of the form reads in Khmer too.
    await page.getByTestId('language-km').click();
    await page.getByRole('heading', { name: 'ការដាក់ស្នើថ្មី' }).waitFor();
    const visibleLines = (await page.locator('body').innerText()).split(/[\n\t]+/).map((line) => line.trim());
    expect(visibleLines.filter((line) => englishOnlyLabels.has(line) && line !== 'English'), 'labels still in English').toEqual([]);
    await page.getByTestId('language-en').click();
    await page.getByRole('heading', { name: 'New submission' }).waitFor();

    await page.getByTestId('form-ref').fill(hazardRef);
    await page.getByTestId('form-type-CHA').check();
    await page.getByTestId('form-contamination-AP').check();
    await page.getByTestId('form-contamination-ERW').check();
    await page.getByTestId('form-source').fill('technical survey');
    await page.getByTestId('form-recorded-on').fill('2025-01-15');
    await expect(page.getByTestId('form-operator').inputValue()).resolves.toBe('HALO');
    await page.getByTestId('form-notes').fill('Drawn in the web form');

    // The officer zooms to the place and clicks four corners; where each click lands is what MapLibre makes of
    // that pixel, so the test asks the map for it rather than expecting the exact coordinates it aimed at.
    await waitForBodyFlag(page, 'polygonMapReady', 20_000);
    await page.getByTestId('polygon-map').scrollIntoViewIfNeeded();
    const clicks = await page.evaluate(
      ({ corners }) => {
        const map = (globalThis as unknown as PageGlobals).clearwayPolygonMap;
        map.jumpTo({ center: [103.115, 13.0595], zoom: 14 });
        const rect = (map.getCanvas() as unknown as CanvasElement).getBoundingClientRect();
        return corners.map(([lon = 0, lat = 0]) => {
          const point = map.project([lon, lat]);
          const x = Math.round(rect.left + point.x);
          const y = Math.round(rect.top + point.y);
          const landed = map.unproject([x - rect.left, y - rect.top]);
          return { x, y, position: [landed.lng, landed.lat] };
        });
      },
      { corners: hazardCorners },
    );
    const status = page.getByTestId('draw-status');
    for (const [index, click] of clicks.entries()) {
      await page.mouse.click(click.x, click.y);
      await expect.poll(() => status.getAttribute('data-corners')).toBe(String(index + 1));
    }
    // A stray fifth click, undone.
    await page.mouse.click((clicks[0]?.x ?? 0) + 40, (clicks[0]?.y ?? 0) - 30);
    await expect.poll(() => status.getAttribute('data-corners')).toBe('5');
    await page.getByTestId('draw-undo').click();
    await expect.poll(() => status.getAttribute('data-corners')).toBe('4');
    await page.getByTestId('draw-finish').click();
    await expect.poll(() => status.getAttribute('data-finished')).toBe('true');
    await expect(status.textContent()).resolves.toBe('Polygon finished: 4 corners.');
    await screenshot('clearway-form-hazard-drawn.png');

    await page.getByTestId('form-submit').click();
    await page.getByTestId('validation-report').waitFor();
    await expect(page.getByTestId('validation-summary').textContent()).resolves.toBe('1 records read, 1 accepted. No errors: it can be submitted for review.');
    await waitForState('draft');

    const { submission, items } = await shownSubmission();
    expect(submission).toMatchObject({ kind: 'hazards', organisation: 'HALO', state: 'draft', validation: { records: 1, accepted: 1, errorCount: 0 } });
    expect(items).toHaveLength(1);
    expect(items[0]?.after.properties).toEqual({
      ref: hazardRef,
      type: 'CHA',
      contamination: ['AP', 'ERW'],
      source: 'technical survey',
      recorded_on: '2025-01-15',
      operator: 'HALO',
      notes: 'Drawn in the web form',
    });
    const clicked = clicks.map((click) => click.position);
    expectRing(items[0]?.after.geometry, [...clicked, clicked[0] ?? []]);

    await page.getByTestId('submit-for-review').click();
    await waitForState('submitted');
  });

  it('lets an officer fill in a land release of an official hazard with a pasted WKT polygon', async () => {
    await openForm('releases');
    await fillRelease(releaseRef, { start: '2025-02-01', end: '2025-03-10' });

    // The hazard the release names is drawn on the map, for the officer to draw inside it.
    const guideRefs = () =>
      page.evaluate(
        (layer) => (globalThis as unknown as PageGlobals).clearwayPolygonMap.queryRenderedFeatures({ layers: [layer] }).map((feature) => String(feature.properties['ref'])),
        polygonLayerIds.guideFill,
      );
    await expect.poll(guideRefs, { timeout: 10_000 }).toContain(fixtureHazard);

    // Only the methods that fit the kind are offered; a kind with one method chooses it.
    const method = page.getByTestId('form-method');
    await page.getByTestId('form-release-kind-cleared').check();
    await expect(method.locator('option').evaluateAll((options) => options.map((option) => (option as unknown as { value: string }).value))).resolves.toEqual(['', 'manual', 'mechanical', 'mdd', 'combined']);
    await page.getByTestId('form-release-kind-reduced').check();
    await expect(method.inputValue()).resolves.toBe('ts');
    await expect(method.locator('option').count()).resolves.toBe(1);

    await page.getByTestId('form-device-add').click();
    await page.getByTestId('form-device-category').selectOption('AP');
    await page.getByTestId('form-device-model').fill('PMN-2');
    await page.getByTestId('form-device-quantity').fill('3');
    await expect(page.getByTestId('paste-status').textContent()).resolves.toBe('Read as WKT: a Polygon with 4 corners.');
    await page.getByTestId('polygon-map').scrollIntoViewIfNeeded();
    await screenshot('clearway-form-release-pasted.png');

    await page.getByTestId('form-submit').click();
    await page.getByTestId('validation-report').waitFor();
    await expect(page.getByTestId('validation-summary').textContent()).resolves.toBe('1 records read, 1 accepted. No errors: it can be submitted for review.');
    await waitForState('draft');

    const { submission, items } = await shownSubmission();
    expect(submission).toMatchObject({ kind: 'releases', state: 'draft', validation: { records: 1, accepted: 1, errorCount: 0 } });
    expect(items[0]?.after.properties).toEqual({
      ref: releaseRef,
      hazard_ref: fixtureHazard,
      kind: 'reduced',
      method: 'ts',
      operator: 'HALO',
      start_date: '2025-02-01',
      end_date: '2025-03-10',
      devices: [{ category: 'AP', model: 'PMN-2', quantity: 3 }],
    });
    expectRing(items[0]?.after.geometry, releaseRing);
  });

  it('asks for the required fields first, then shows the server\'s error for a release that ends before it starts', async () => {
    await openForm('releases');
    await page.getByTestId('form-submit').click();
    const missing = (await page.getByTestId('form-missing').textContent()) ?? '';
    expect(missing).toContain('Reference (ref)');
    expect(missing).toContain('Area (polygon)');

    await fillRelease(badReleaseRef, { start: '2025-03-10', end: '2025-03-01' });
    await page.getByTestId('form-release-kind-cleared').check();
    await page.getByTestId('form-method').selectOption('manual');
    await expect(page.getByTestId('form-missing').count()).resolves.toBe(0);
    await page.getByTestId('form-submit').click();

    await page.getByTestId('validation-report').waitFor();
    await expect(page.getByTestId('validation-summary').textContent()).resolves.toBe('1 records read, 0 accepted. 1 error to correct.');
    const problem = page.getByTestId('validation-errors').getByTestId('validation-problem');
    await expect(problem.count()).resolves.toBe(1);
    await expect(problem.locator('th').textContent()).resolves.toContain(badReleaseRef);
    await expect(problem.locator('td').first().textContent()).resolves.toBe('end_date');
    await expect(problem.locator('td').nth(1).textContent()).resolves.toBe('end_date 2025-03-01 is before start_date 2025-03-10 [date.end-before-start]');
    await expect(page.getByTestId('submit-for-review').isDisabled()).resolves.toBe(true);

    const { submission } = await shownSubmission();
    expect(submission.validation).toMatchObject({ accepted: 0, errorCount: 1, errors: [{ code: 'date.end-before-start', field: 'end_date', ref: badReleaseRef }] });
  });

  it('opens that draft in the form again, filled with what was sent, and checks the corrected record anew', async () => {
    const before = await shownSubmission();
    await page.getByTestId('correct-in-form').click();
    await expect(page.getByTestId('form-ref').inputValue()).resolves.toBe(badReleaseRef);
    await expect(page.getByTestId('form-end-date').inputValue()).resolves.toBe('2025-03-01');
    await expect(page.getByTestId('form-method').inputValue()).resolves.toBe('manual');
    await page.locator('[data-testid="paste-status"][data-valid="true"]').waitFor();
    await page.getByTestId('form-end-date').fill('2025-03-20');
    await page.getByTestId('form-submit').click();
    await expect.poll(() => page.getByTestId('validation-summary').textContent(), { timeout: 10_000 }).toBe('1 records read, 1 accepted. No errors: it can be submitted for review.');
    const after = await shownSubmission();
    // The same draft, its record replaced: same number, same polygon, the end date corrected.
    expect(after.submission.id).toBe(before.submission.id);
    expect(after.items[0]!.after.properties).toMatchObject({ ref: badReleaseRef, end_date: '2025-03-20', method: 'manual' });
    expect(after.items[0]!.after.geometry).toEqual(before.items[0]!.after.geometry);
    await expect(page.getByTestId('submit-for-review').isDisabled()).resolves.toBe(false);
  });

  it('lets an officer fill in an EO find from the fields the kind declares, placed by a click on the map', async () => {
    await openForm('finds');
    // The form asks what the server declares for the kind, field by field, in its order.
    const kinds = await apiGet<{ id: string; fields: { name: string }[] }[]>('/api/kinds');
    const declared = kinds.find((kind) => kind.id === 'finds')!.fields.map((field) => field.name);
    const shown = await page.locator('[data-testid^="form-field-"]').evaluateAll((controls) => controls.map((control) => (control as unknown as { dataset: { testid: string } }).dataset.testid));
    expect(shown).toEqual(declared.map((name) => `form-field-${name}`));
    await expect(page.getByTestId('form-field-operator').inputValue()).resolves.toBe('HALO');

    await page.getByTestId('form-submit').click();
    const missing = (await page.getByTestId('form-missing').textContent()) ?? '';
    for (const label of ['Reference (ref)', 'Category', 'Model', 'Quantity', 'Found on', 'Place (point)']) expect(missing).toContain(label);

    await page.getByTestId('form-field-ref').fill(findRef);
    await page.getByTestId('form-field-category').selectOption('AP');
    await page.getByTestId('form-field-model').fill('PMN-2');
    await page.getByTestId('form-field-quantity').fill('2');
    await page.getByTestId('form-field-found_on').fill('2025-02-12');
    await page.getByTestId('form-field-destroyed_on').fill('2025-02-13');
    await page.getByTestId('form-field-destruction_method').selectOption('in_situ');
    await page.getByTestId('form-field-depth_cm').fill('15');

    // A click on the map places the find; where it lands is what MapLibre makes of that pixel.
    await waitForBodyFlag(page, 'pointMapReady', 20_000);
    await page.getByTestId('point-map').scrollIntoViewIfNeeded();
    const click = await page.evaluate(() => {
      const map = (globalThis as unknown as PageGlobals).clearwayPointMap;
      map.jumpTo({ center: [103.1, 13.06], zoom: 15 });
      const rect = (map.getCanvas() as unknown as CanvasElement).getBoundingClientRect();
      const point = map.project([103.1012, 13.0604]);
      const [x, y] = [Math.round(rect.left + point.x), Math.round(rect.top + point.y)];
      const landed = map.unproject([x - rect.left, y - rect.top]);
      return { x, y, lon: landed.lng, lat: landed.lat };
    });
    await page.mouse.click(click.x, click.y);
    await expect.poll(() => page.getByTestId('form-lon').inputValue()).toBe(click.lon.toFixed(7));
    await expect(page.getByTestId('form-lat').inputValue()).resolves.toBe(click.lat.toFixed(7));
    await expect(page.getByTestId('form-missing').count()).resolves.toBe(0);
    await screenshot('clearway-form-find-placed.png');

    await page.getByTestId('form-submit').click();
    await page.getByTestId('validation-report').waitFor();
    await expect(page.getByTestId('validation-summary').textContent()).resolves.toBe('1 records read, 1 accepted. No errors: it can be submitted for review.');
    await waitForState('draft');
    const { submission, items } = await shownSubmission();
    expect(submission).toMatchObject({ kind: 'finds', organisation: 'HALO', state: 'draft', validation: { records: 1, accepted: 1, errorCount: 0 } });
    expect(items[0]?.after.properties).toEqual({
      ref: findRef, category: 'AP', model: 'PMN-2', quantity: 2, found_on: '2025-02-12', destroyed_on: '2025-02-13',
      destruction_method: 'in_situ', depth_cm: 15, operator: 'HALO',
    });
    const [lon = 0, lat = 0] = (items[0]?.after.geometry as { type: string; coordinates: number[] }).coordinates;
    expect(items[0]?.after.geometry).toMatchObject({ type: 'Point' });
    expect(Math.abs(lon - click.lon)).toBeLessThan(1e-6);
    expect(Math.abs(lat - click.lat)).toBeLessThan(1e-6);
  });

  it('ran without an uncaught error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
