import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/testing/wait-for.js';
import { browserTests, launchBrowser } from './browser.js';
import { makeProject, startAgent, startUi } from './helpers.js';

const WAIT = { timeout: 20_000 };
const LANES_SHOT = resolve(import.meta.dirname, '../../docs/ui-lanes.png');
const NARROW_SHOT = resolve(import.meta.dirname, '../../docs/ui-narrow.png');
/** Written when missing (or asked for): a test run does not rewrite the docs' pictures. */
const writeShot = (path: string) => !existsSync(path) || process.env['CC2CC_UPDATE_SCREENSHOTS'] === '1';

/** Ten quiet agents that sort first by name, three busy ones that sort last. */
const QUIET = Array.from({ length: 10 }, (_, index) => `alpha-${String(index + 1).padStart(2, '0')}`);
const BUSY = ['zulu-api', 'zulu-tests', 'zulu-web'];

describe.skipIf(!browserTests.run)('cc2cc ui layout for a real project, in headless Chromium', () => {
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page | undefined;
  const closers: Array<() => unknown> = [];
  let url: string;
  let lastId: string;
  let send: (text: string) => Promise<string>;

  beforeAll(async () => {
    browser = await launchBrowser();
    const made = await makeProject({ agents: [...QUIET, ...BUSY, 'retired-one'] });
    closers.push(() => made.cleanup());
    const running = [];
    for (const name of [...QUIET, ...BUSY]) {
      const agent = await startAgent(made.dir, name);
      running.push(agent);
      closers.push(() => agent.kernel.close());
    }
    const { ui, runtime, close } = await startUi(made.dir);
    closers.push(close);
    url = ui.url;
    send = async (text) => (await runtime.bus.send({ from: 'zulu-api', to: 'zulu-web', text })).id;
    // 150 messages among the busy three, and one from a CI script (not an agent).
    for (let i = 0; i < 150; i++) {
      const sent = await runtime.bus.send({
        from: BUSY[i % 3]!,
        to: BUSY[(i + 1) % 3]!,
        text: `step ${i} of the build`,
      });
      lastId = sent.id;
    }
    lastId = (await runtime.bus.send({ from: 'ci-script', to: 'zulu-api', text: 'the nightly build is green' })).id;
  }, 120_000);
  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await browser?.close();
  });
  afterEach(async () => {
    await page?.close();
    page = undefined;
  });

  let total = 151;
  async function open(width: number): Promise<Page> {
    page = await browser.context.newPage();
    await page.setViewportSize({ width, height: 860 });
    await page.goto(url);
    await page.locator('#status.status-live').waitFor(WAIT);
    await page.locator(`#count[data-total="${total}"]`).waitFor(WAIT);
    return page;
  }

  it(
    'at 1400 px the active lanes come first and are on screen without scrolling; retired agents ' +
      'and non-agent senders have no lane',
    async () => {
      const page = await open(1400);
      await waitFor(async () => (await page.locator('.head-name').count()) === QUIET.length + BUSY.length, {
        what: 'the 13 lanes',
      });
      const heads = await page.locator('.head-name').allInnerTexts();
      expect(heads.slice(0, 3).sort()).toEqual([...BUSY].sort());
      expect(heads).not.toContain('retired-one');
      expect(heads).not.toContain('ci-script');
      const list = await page.locator('#timeline-list').boundingBox();
      for (const name of BUSY) {
        const box = await page.locator('.head-name', { hasText: name }).boundingBox();
        expect(box!.x + box!.width, `${name}'s lane is in view`).toBeLessThanOrEqual(list!.x + list!.width);
      }
      await page.locator('#all-lanes').check();
      await waitFor(async () => (await page.locator('.head-name').allInnerTexts()).includes('ci-script'), {
        what: 'all lanes',
      });
      expect(await page.locator('.head-name').allInnerTexts()).toContain('retired-one');
      await page.locator('#all-lanes').uncheck();
      if (writeShot(LANES_SHOT)) await page.screenshot({ path: LANES_SHOT });
    },
  );

  it('opens at the newest message, and stays there when more arrive', async () => {
    const page = await open(1400);
    const newest = page.locator(`#msg-${lastId}`);
    await newest.waitFor(WAIT);
    const row = await newest.boundingBox();
    const list = await page.locator('#timeline-list').boundingBox();
    expect(row!.y + row!.height).toBeLessThanOrEqual(list!.y + list!.height + 1);
    expect(row!.y).toBeGreaterThanOrEqual(list!.y);

    // New traffic is followed...
    const next = await send('one more');
    await page.locator(`#msg-${next}`).waitFor(WAIT);
    await expect
      .poll(async () => (await page.locator(`#msg-${next}`).boundingBox())!.y < list!.y + list!.height)
      .toBe(true);
    // ...until the person scrolls up: then a button offers the newer messages instead.
    await page.locator('#timeline-list').evaluate((element) => (element.scrollTop = 0));
    const later = await send('while reading older ones');
    total += 2;
    await page.locator('.newer:not([hidden])').waitFor(WAIT);
    expect(await page.locator('#timeline-list').evaluate((element) => element.scrollTop)).toBe(0);
    await page.locator('.newer').click();
    await page.locator(`#msg-${later}`).waitFor(WAIT);
    lastId = later;
  });

  it('below 900 px the sidebar stacks above the timeline, which keeps its width', async () => {
    const page = await open(800);
    const sidebar = await page.locator('nav.sidebar').boundingBox();
    const list = await page.locator('#timeline-list').boundingBox();
    expect(sidebar!.y + sidebar!.height).toBeLessThanOrEqual(list!.y);
    expect(list!.width).toBeGreaterThan(700);
    await page.locator(`#msg-${lastId}`).waitFor(WAIT);
    if (writeShot(NARROW_SHOT)) await page.screenshot({ path: NARROW_SHOT });
  });
});
