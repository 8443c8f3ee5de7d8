import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool } from '../plugins/support/tool-helpers.js';
import { browserTests, launchBrowser } from './browser.js';
import { makeProject, startAgent, startUi } from './helpers.js';

describe.skipIf(!browserTests.run)('cc2cc ui: file claims', () => {
  let browser: { context: BrowserContext; close(): Promise<void> };
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows each claim with its paths and holder, and drops a released one', async () => {
    const project = await makeProject({ plugins: ['claims'] });
    const ann = await startAgent(project.dir, 'ann');
    const ui = await startUi(project.dir);
    const page = await browser.context.newPage();
    try {
      await page.goto(ui.ui.url);
      await page.locator('#claims li.none', { hasText: 'no file claims' }).waitFor({ timeout: 15_000 });
      await callTool(ann.kernel, 'claim', { paths: ['src/**', 'README.md'], reason: 'refactor' });
      await callTool(ann.kernel, 'claim', { paths: ['docs/*.md'], exclusive: false });
      const exclusive = page.locator('#claims li', { hasText: 'README.md, src/**' });
      await exclusive.waitFor({ timeout: 15_000 });
      expect(await exclusive.locator('.members').textContent()).toBe('ann');
      expect(await exclusive.getAttribute('title')).toMatch(/^exclusive: refactor; until /);
      expect(await page.locator('#claims li', { hasText: 'docs/*.md' }).locator('.members').textContent()).toBe(
        'ann (shared)',
      );
      await callTool(ann.kernel, 'release', {});
      await page.locator('#claims li.none').waitFor({ timeout: 15_000 });
    } finally {
      await page.close();
      await ui.close();
      await ann.kernel.close();
      await project.cleanup();
    }
  });
});
