import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

// Without the background-networking flags Chromium keeps trying to reach Google, which a closed network refuses.
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium (not a downloaded one); a plain launch gets a fresh temporary profile every time. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: chromiumArgs,
  });
}
