import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM, haveChromium } from './helpers.js';

/** Flags that keep Chromium quiet on a closed network: no background fetches of any kind. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Browser tests need Debian's chromium. In CI (CI=true) a missing one is a failure;
 * locally the tests are skipped, and this says so where it will be seen.
 */
export const browserTests = (() => {
  if (haveChromium) return { run: true, missingInCi: false };
  const inCi = process.env['CI'] === 'true';
  if (!inCi)
    process.stderr.write(
      `\n*** cc2cc ui browser tests SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium) ***\n\n`,
    );
  return { run: false, missingInCi: inCi };
})();

/** Headless Chromium with a new, empty profile; `close` removes the profile. */
export async function launchBrowser(
  viewport = { width: 1400, height: 860 },
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'cc2cc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
    deviceScaleFactor: 1,
    timeout: 60_000,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
