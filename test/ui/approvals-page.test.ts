import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StdioAgent } from '../../src/demo/stdio-agent.js';
import { CLI } from '../cli/process-helpers.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { browserTests, launchBrowser } from './browser.js';
import { builtCli, makeProject, startUiProcess } from './helpers.js';

const SCREENSHOT = resolve(import.meta.dirname, '../../docs/ui-approvals.png');
const WAIT = { timeout: 20_000 };
const VerdictSchema = z.object({
  method: z.literal('notifications/claude/channel/permission'),
  params: z.object({ request_id: z.string(), behavior: z.enum(['allow', 'deny']) }),
});

/** A real `cc2cc serve` driven by the SDK client, recording the verdicts it is sent. */
async function servedAgent(
  dir: string,
  name: string,
): Promise<{ agent: StdioAgent; verdicts: Array<{ request_id: string; behavior: string }> }> {
  const agent = await StdioAgent.start({ cli: CLI, cwd: dir, args: ['--name', name] });
  await agent.waitForPush((push) => push.meta.kind === 'system', 20_000, 'the self-wake push');
  const verdicts: Array<{ request_id: string; behavior: string }> = [];
  agent.client.setNotificationHandler(VerdictSchema, ({ params }) => void verdicts.push(params));
  return { agent, verdicts };
}

const ask = (agent: StdioAgent, id: string, tool: string, description: string, preview: string) =>
  agent.client.notification({
    method: 'notifications/claude/channel/permission_request',
    params: { request_id: id, tool_name: tool, description, input_preview: preview },
  } as never);

describe.skipIf(!browserTests.run)('the approval inbox of cc2cc ui in headless Chromium', () => {
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page | undefined;
  const closers: Array<() => unknown> = [];

  beforeAll(async () => {
    if (!builtCli) throw new Error('these tests run the built CLI: run `npm run build` first');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await page?.close();
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function setUp(uiArgs: string[]) {
    const made = await makeProject({ plugins: ['approvals'] });
    closers.push(() => made.cleanup());
    const ann = await servedAgent(made.dir, 'ann');
    closers.push(() => ann.agent.close());
    const bob = await servedAgent(made.dir, 'bob');
    closers.push(() => bob.agent.close());
    const ui = await startUiProcess(made.dir, uiArgs);
    closers.push(() => ui.stop());
    page = await browser.context.newPage();
    expect((await page.goto(ui.url))?.status()).toBe(200);
    await page.locator('#status.status-live').waitFor(WAIT);
    return { ann, bob, page };
  }

  it(
    "shows every agent's request at the top; a click allows, y/n answer the selected one; the " +
      'title says one waits',
    async () => {
      const { ann, bob, page } = await setUp(['--allow-approve']);
      await page.locator('#approvals .approval-empty').waitFor(WAIT);
      expect(await page.title()).not.toMatch(/permission request/);

      await ask(ann.agent, 'abcde', 'Bash', 'run the tests', 'npm test');
      await ask(bob.agent, 'fghij', 'Write', 'write src/a.ts', 'export const a = 1;');
      const annItem = page.locator('#approvals li[data-ref="ann/abcde"]');
      await annItem.waitFor(WAIT);
      await page.locator('#approvals li[data-ref="bob/fghij"]').waitFor(WAIT);
      expect(await annItem.textContent()).toMatch(/ann wants Bash.*run the tests.*npm test/s);
      await waitFor(async () => /^\(2\) new permission requests · cc2cc ui/.test(await page.title()), {
        what: 'the title to count two requests',
      });
      if (!existsSync(SCREENSHOT) || process.env['CC2CC_UPDATE_SCREENSHOTS'] === '1')
        await page.screenshot({ path: SCREENSHOT });

      await annItem.locator('button[data-behavior="allow"]').click();
      await waitFor(() => ann.verdicts.length > 0, { timeoutMs: 20_000, what: 'the allow verdict at ann' });
      expect(ann.verdicts).toEqual([{ request_id: 'abcde', behavior: 'allow' }]);

      await page.locator('#approvals li[data-ref="ann/abcde"]').waitFor({ state: 'detached', ...WAIT });
      await page.locator('#approvals li[data-ref="bob/fghij"][aria-selected="true"]').waitFor(WAIT);
      await page.locator('body').press('n');
      await waitFor(() => bob.verdicts.length > 0, { timeoutMs: 20_000, what: 'the deny verdict at bob' });
      expect(bob.verdicts).toEqual([{ request_id: 'fghij', behavior: 'deny' }]);

      await page.locator('#approvals .approval-empty').waitFor(WAIT);
      const history = page.locator('#approvals .approval-history');
      await waitFor(async () => (await history.locator('li').count()) === 2, { what: 'two answers in the history' });
      expect(await history.textContent()).toMatch(/ann · Bash: run the tests — allowed by human/);
      expect(await history.textContent()).toMatch(/bob · Write: write src\/a.ts — denied by human/);
      expect(await page.title()).not.toMatch(/permission request/);

      // An answered request is closed: answering again is refused with what happened.
      const again = await page.evaluate(async () => {
        const response = await fetch('api/approvals/ann/abcde', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"behavior":"deny"}',
        });
        return {
          status: response.status,
          body: (await response.json()) as { error: { code: string; message: string } },
        };
      });
      expect(again.status).toBe(400);
      expect(again.body.error.code).toBe('APPROVAL_CLOSED');
      expect(ann.verdicts).toHaveLength(1);
    },
  );

  it('without --allow-approve the page shows requests but cannot answer them', async () => {
    const { ann, page } = await setUp([]);
    await ask(ann.agent, 'qwert', 'Bash', 'rm -rf build', 'rm -rf build');
    await page.locator('#approvals li[data-ref="ann/qwert"]').waitFor(WAIT);
    expect(await page.locator('#approvals button[data-behavior]').count()).toBe(0);
    expect(await page.locator('#approvals .approval-note').textContent()).toMatch(/--allow-approve/);
    await page.locator('body').press('y');
    const refused = await page.evaluate(async () => {
      const response = await fetch('api/approvals/ann/qwert', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"behavior":"allow"}',
      });
      return response.status;
    });
    expect(refused).toBe(403);
    expect(ann.verdicts).toEqual([]);
  });
});
