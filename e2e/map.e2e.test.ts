// A data officer opens Clearway at `/`: the map of Cambodia with its provinces and hazard areas, a click on a
// hazard that shows its land release and history, the land release table by province, and Khmer at one click.
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Map as MapLibreMap } from 'maplibre-gl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminUnitCollection, HazardCollection, HazardDetails, LandReleaseReport } from '../web/src/api';
import { geometryBounds, markerPosition } from '../web/src/hazard-geometry';
import { hazardLayerIds, layerIds, mapColours } from '../web/src/map-style';
import { launchChromium } from './support/browser';
import { startClearwayServer } from './support/clearway-server';
import type { ClearwayServer } from './support/clearway-server';
import { colourStats } from './support/png-colours';
import english from '../web/src/locales/en.json';
import khmer from '../web/src/locales/km.json';
import { waitForBodyFlag } from './support/page-ready.ts';

// Code passed to page.evaluate runs in the browser, where globalThis is the window. This test is type-checked
// as Node code (no DOM library), so it names only what it reads from the page.
type PageGlobals = { clearwayMap: MapLibreMap };

const screenshotDir = process.env['CLEARWAY_E2E_SCREENSHOTS'] ?? join(tmpdir(), 'clearway-e2e-screenshots');
const squareMetres = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

let server: ClearwayServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

type Messages = { [key: string]: string | Messages };

function labels(messages: Messages): string[] {
  return Object.values(messages).flatMap((value) => (typeof value === 'string' ? [value] : labels(value)));
}

/** Whole English labels (not templates, not words both languages share, like "Clearway" or "SHA"). */
const englishOnlyLabels = new Set(labels(english).filter((label) => !label.includes('{{') && !labels(khmer).includes(label)));

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${server.baseUrl}${path}`);
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** A hazard from the fixtures that has been (partly) released, so its panel has releases and history to show. */
async function hazardWithReleases(): Promise<HazardDetails> {
  const hazards = await getJson<HazardCollection>('/api/hazards?format=geojson&limit=10000');
  let best: HazardDetails | null = null;
  for (const feature of hazards.features) {
    const details = await getJson<HazardDetails>(`/api/hazards/${encodeURIComponent(feature.properties.ref)}`);
    if (details.history.length > 0 && details.releases.length > (best?.releases.length ?? 0)) best = details;
  }
  if (!best) throw new Error('the fixtures have no hazard with a release and a history: the test needs one');
  return best;
}

async function openClearway(): Promise<void> {
  await page.goto(`${server.baseUrl}/`);
  await waitForBodyFlag(page, 'mapReady', 60_000);
}

async function screenshot(name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, name);
  // What the officer sees first, from the top of the page. (A full-page capture resizes the viewport, which
  // makes the map redraw mid-capture and the sticky header land in the middle of the picture.)
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path });
  console.info(`screenshot: ${path}`);
  return path;
}

beforeAll(async () => {
  server = await startClearwayServer();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await openClearway();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the hazard map page', () => {
  it('draws the map of Cambodia with every province and the hazard areas', async () => {
    const provinces = await getJson<AdminUnitCollection>('/api/admin-units?level=province&format=geojson');
    expect(provinces.features.length).toBeGreaterThan(0);

    const map = page.getByTestId('hazard-map');
    const stats = colourStats(await map.screenshot(), {
      background: mapColours.background,
      province: mapColours.provinceFill,
    });
    // A blank or failed WebGL canvas is one flat colour; a drawn map has land, water, lines and hazards.
    expect(stats.distinct).toBeGreaterThan(30);
    expect(stats.shares['province']).toBeGreaterThan(0.15);
    expect(stats.shares['background']).toBeGreaterThan(0.02);

    const drawn = await page.evaluate(
      ({ provinceLayer, hazardLayers }) => {
        const clearwayMap = (globalThis as unknown as PageGlobals).clearwayMap;
        const provinceCodes = new Set(
          clearwayMap.queryRenderedFeatures({ layers: [provinceLayer] }).map((feature) => String(feature.properties['code'])),
        );
        const hazardRefs = new Set(
          clearwayMap.queryRenderedFeatures({ layers: hazardLayers }).map((feature) => String(feature.properties['ref'])),
        );
        return { provinces: [...provinceCodes], hazards: hazardRefs.size };
      },
      { provinceLayer: layerIds.provinceFill, hazardLayers: hazardLayerIds },
    );
    const notDrawn = provinces.features.map(({ properties }) => properties.code).filter((code) => !drawn.provinces.includes(code));
    expect(notDrawn, 'provinces missing from the map').toEqual([]);
    expect(drawn.hazards).toBeGreaterThan(0);
    await expect(page.getByTestId('map-legend').textContent()).resolves.toContain('Confirmed hazardous area');
    await screenshot('clearway-map-en.png');
  });

  it('opens a hazard’s details, land release and history when the officer clicks it on the map', async () => {
    const details = await hazardWithReleases();
    const { ref } = details.hazard;
    const bounds = geometryBounds(details.hazard.geometry);
    const centroid = markerPosition(details.hazard.geometry);
    expect(bounds).not.toBeNull();

    // Zoom to the hazard, project its centroid to the screen, and make sure that pixel really is this hazard
    // (a concave area's centroid can fall outside it); otherwise try points across its extent.
    const point = await page.evaluate(
      async ({ wanted, box, centre, layers }) => {
        const clearwayMap = (globalThis as unknown as PageGlobals).clearwayMap;
        clearwayMap.fitBounds(box, { padding: 80, maxZoom: 16, animate: false });
        await new Promise<void>((resolve) => {
          clearwayMap.once('idle', () => resolve());
          clearwayMap.triggerRepaint();
        });
        const isWanted = (x: number, y: number) =>
          clearwayMap.queryRenderedFeatures([x, y], { layers })[0]?.properties['ref'] === wanted;
        const candidates: [number, number][] = [];
        if (centre) candidates.push([centre[0] ?? 0, centre[1] ?? 0]);
        for (let i = 1; i < 10; i += 1) {
          for (let j = 1; j < 10; j += 1) {
            candidates.push([box[0] + ((box[2] - box[0]) * i) / 10, box[1] + ((box[3] - box[1]) * j) / 10]);
          }
        }
        for (const lngLat of candidates) {
          const { x, y } = clearwayMap.project(lngLat);
          if (isWanted(x, y)) return { x, y };
        }
        return null;
      },
      { wanted: ref, box: bounds ?? [0, 0, 0, 0], centre: centroid, layers: hazardLayerIds },
    );
    expect(point, `no pixel of ${ref} is clickable on the map`).not.toBeNull();
    // The map's pixels count from its container's corner; the mouse counts from the page's.
    const container = await page.getByTestId('hazard-map').boundingBox();
    expect(container).not.toBeNull();
    await page.mouse.click((container?.x ?? 0) + (point?.x ?? 0), (container?.y ?? 0) + (point?.y ?? 0));

    const panel = page.getByTestId('hazard-details');
    await panel.getByTestId('hazard-ref').filter({ hasText: ref }).waitFor();
    await panel.getByTestId('hazard-history').waitFor();
    const text = (await panel.textContent()) ?? '';

    expect(text).toContain(squareMetres.format(Math.round(details.hazard.area_m2)));
    expect(text).toContain(squareMetres.format(Math.round(details.accounting.original_m2)));
    expect(text).toContain(squareMetres.format(Math.round(details.accounting.remaining_m2)));
    await expect(panel.getByTestId('hazard-release').count()).resolves.toBe(details.releases.length);
    for (const release of details.releases) {
      expect(text).toContain(release.ref);
      expect(text).toContain(squareMetres.format(Math.round(release.counted_m2)));
    }
    await expect(panel.getByTestId('hazard-version').count()).resolves.toBe(details.history.length);

    // The released land is drawn over the hazard, so the officer sees where it was cancelled, reduced or cleared.
    const withGeometry = details.releases.filter((release) => release.geometry).map((release) => release.ref);
    if (withGeometry.length > 0) {
      const drawnReleases = () =>
        page.evaluate((layer) => {
          const clearwayMap = (globalThis as unknown as PageGlobals).clearwayMap;
          const refs = clearwayMap.queryRenderedFeatures({ layers: [layer] }).map((feature) => String(feature.properties['ref']));
          return [...new Set(refs)].sort();
        }, layerIds.releaseFill);
      await expect.poll(drawnReleases, { timeout: 10_000 }).toEqual([...withGeometry].sort());
    }
    // The EO finds made in this hazard are drawn as points where they were found.
    const finds = await getJson<{ features: { properties: { ref: string } }[] }>(`/api/finds?format=geojson&hazard=${encodeURIComponent(details.hazard.ref)}`);
    expect(finds.features.length).toBeGreaterThan(0);
    const drawnFinds = () =>
      page.evaluate((layer) => {
        const clearwayMap = (globalThis as unknown as PageGlobals).clearwayMap;
        return [...new Set(clearwayMap.queryRenderedFeatures({ layers: [layer] }).map((feature) => String(feature.properties['ref'])))].sort();
      }, layerIds.finds);
    await expect.poll(drawnFinds, { timeout: 10_000 }).toEqual(expect.arrayContaining(finds.features.map((f) => f.properties.ref)));
    for (const version of details.history) {
      if (version.change_reason) expect(text).toContain(version.change_reason);
    }
    await screenshot('clearway-hazard-en.png');
  });

  it('shows land release by province with figures that add up to a total row', async () => {
    const report = await getJson<LandReleaseReport>('/api/reports/land-release?by=province');
    expect(report.rows.length).toBeGreaterThan(0);

    const table = page.getByTestId('land-release-table');
    await table.getByTestId('land-release-total').waitFor();
    // Provinces without any hazard area are folded away until the officer asks for them.
    const withArea = report.rows.filter((row) => row.original_m2 > 0 || row.remaining_m2 > 0);
    expect(withArea.length).toBeGreaterThan(0);
    await expect(table.getByTestId('land-release-row').count()).resolves.toBe(withArea.length);
    if (withArea.length < report.rows.length) {
      await page.getByTestId('land-release-show-empty').click();
      await expect(table.getByTestId('land-release-row').count()).resolves.toBe(report.rows.length);
    }

    const total = (await table.getByTestId('land-release-total').textContent()) ?? '';
    expect(total).toContain('Total');
    for (const figure of ['original_m2', 'cancelled_m2', 'reduced_m2', 'cleared_m2', 'remaining_m2'] as const) {
      expect(total).toContain(squareMetres.format(Math.round(report.total[figure])));
    }
    if (report.total.original_m2 >= 1000) expect(total).toMatch(/\d,\d{3}/);
    if (report.rows.some((row) => row.unit_code === 'unassigned')) {
      await expect(table.textContent()).resolves.toContain('Outside any province');
    }
  });

  it('switches every visible text to Khmer and remembers the choice', async () => {
    const englishTitle = 'Land release by province';
    await expect(page.locator('body').textContent()).resolves.toContain(englishTitle);

    await page.getByTestId('language-switch').getByRole('button', { name: 'ខ្មែរ' }).click();
    await page.getByRole('heading', { name: 'ការដោះលែងដីតាមខេត្ត' }).waitFor();

    const body = (await page.locator('body').textContent()) ?? '';
    const visibleLines = (await page.locator('body').innerText()).split(/[\n\t]+/).map((line) => line.trim());
    const stillEnglish = visibleLines.filter((line) => englishOnlyLabels.has(line) && line !== 'English');
    expect(stillEnglish, 'labels still in English').toEqual([]);
    expect(body).toContain('ប្រវត្តិកំណែ'); // version history, in the open details panel
    expect(body).toContain('សរុប'); // total
    await expect(page.getByTestId('map-legend').textContent()).resolves.toContain('តំបន់គ្រោះថ្នាក់');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('km');
    await screenshot('clearway-hazard-km.png');

    await openClearway();
    await page.getByRole('heading', { name: 'ការដោះលែងដីតាមខេត្ត' }).waitFor();
    await page.getByTestId('language-switch').getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: englishTitle }).waitFor();
  });

  it('ran without an uncaught error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
