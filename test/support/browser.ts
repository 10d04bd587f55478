// A real browser for page tests: Debian's Chromium driven by playwright-core. `npm test` sets
// INZAGE_HAVE_CHROMIUM when /usr/bin/chromium (or CHROMIUM_PATH) exists; in CI its absence fails
// the run before jest starts, so these tests are never skipped there.
import type { Browser } from 'playwright-core';

/** `describe` for tests that need Chromium: skipped (and reported) locally without it, failing in CI. */
export function describeBrowser(name: string, fn: () => void): void {
  if (process.env.INZAGE_HAVE_CHROMIUM === '1') {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has Chromium to run in', () => {
        throw new Error('Chromium is required in CI: /usr/bin/chromium was not found');
      });
    });
  } else {
    describe.skip(name, fn);
  }
}

/** Headless Chromium with the flags this machine needs (no sandbox as root, no background traffic). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
