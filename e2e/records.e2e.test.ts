// The official record of every kind, as a visitor browses it: the kinds come from the server's declarations,
// the table pages through the records, and a record's history opens beside it, in English and in Khmer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { startClearwayServer, type ClearwayServer } from './support/clearway-server.ts';

let server: ClearwayServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  server = await startClearwayServer();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the records page', () => {
  it('lists the EO finds the server holds and opens one find\'s history', async () => {
    const finds = (await (await fetch(`${server.baseUrl}/api/finds?limit=100`)).json()) as { items: { ref: string; model: string }[]; total: number };
    expect(finds.total).toBeGreaterThan(0);
    await page.goto(`${server.baseUrl}/#/records/finds`);
    const table = page.getByTestId('records-table');
    await table.waitFor();
    await expect(page.getByTestId('record-row').count()).resolves.toBe(Math.min(finds.total, 50));
    await expect(page.getByTestId('records-count').textContent()).resolves.toContain(`of ${finds.total}`);
    const text = (await table.textContent()) ?? '';
    for (const find of finds.items.slice(0, 5)) {
      expect(text).toContain(find.ref);
      expect(text).toContain(find.model);
    }
    // The columns are the kind's public ones: no free text, no staff names.
    const headers = await table.locator('th').allTextContents();
    expect(headers).toEqual(expect.arrayContaining(['ref', 'category', 'model', 'quantity', 'found_on']));
    expect(headers).not.toContain('condition');
    expect(headers).not.toContain('changed_by');

    const first = finds.items[0]!;
    await table.getByRole('button', { name: first.ref, exact: true }).click();
    const history = page.getByTestId('record-history');
    // The panel opens at once and its versions arrive after: wait for them, not for the panel.
    await history.getByTestId('record-version').first().waitFor();
    await expect(history.getByTestId('record-version').count()).resolves.toBeGreaterThan(0);
    expect(page.url()).toContain(`#/records/finds/${encodeURIComponent(first.ref)}`);
  });

  it('switches between the kinds the server declares, named in Khmer when Khmer is chosen', async () => {
    await page.getByTestId('records-kind-hazards').click();
    await page.getByTestId('records-table').getByText('HZ-PL-0001').waitFor();
    await page.getByTestId('language-switch').getByRole('button', { name: 'ខ្មែរ' }).click();
    await expect(page.getByTestId('records-kind-finds').textContent()).resolves.toBe('ការរកឃើញគ្រាប់មិនទាន់ផ្ទុះ');
    await page.getByTestId('language-switch').getByRole('button', { name: 'English' }).click();
    expect(pageErrors).toEqual([]);
  });
});
