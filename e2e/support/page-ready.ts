// Waits for a flag the page sets on <body> (data-map-ready and the like). A function, not a string: the page's
// Content-Security-Policy forbids evaluating strings as script ('unsafe-eval'), as it should.
import type { Page } from 'playwright-core';

type PageWithBody = { document: { body: { dataset: Record<string, string | undefined> } } };

export async function waitForBodyFlag(page: Page, flag: string, timeout: number): Promise<void> {
  await page.waitForFunction((name) => (globalThis as unknown as PageWithBody).document.body.dataset[name] === 'true', flag, { timeout });
}
