import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contextOf, emptyTranscript, runHook, sentId, startServer } from '../hooks/support.js';
import { DELIVERY_TIMEOUT_MS, makeProject } from '../mcp/support.js';
import { browserTests, launchBrowser } from './browser.js';
import { builtCli, startUiProcess } from './helpers.js';

const WAIT = { timeout: DELIVERY_TIMEOUT_MS };

describe.skipIf(!browserTests.run)(
  "cc2cc ui shows pushed and seen (the recipients' delivery ledgers), in Chromium",
  () => {
    let browser: Awaited<ReturnType<typeof launchBrowser>>;
    const closers: Array<() => unknown> = [];

    beforeAll(async () => {
      if (!builtCli) throw new Error('this test runs the built CLI: run `npm run build` first');
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });
    afterEach(async () => {
      for (const close of closers.splice(0).reverse()) await close();
    });

    /** The state the detail panel gives `agent`'s copy of message `id`. */
    async function detailState(page: Page, id: string, agent: string): Promise<string> {
      await page.locator(`#msg-${id}`).click();
      const cell = page.locator(`#detail td.now[data-agent="${agent}"]`);
      await page.locator('#detail').waitFor({ state: 'visible', ...WAIT });
      await cell.waitFor(WAIT);
      return cell.innerText();
    }

    it('a message a real hook put into context shows seen; one a channel push carried shows pushed', async () => {
      const project = await makeProject({ agents: ['alice', 'bob', 'carol'] });
      const ui = await startUiProcess(project);
      closers.push(() => ui.stop());
      const page = await browser.context.newPage();
      closers.push(() => page.close());
      await page.goto(ui.url);
      await page.locator('#status.status-live').waitFor(WAIT);

      const alice = await startServer(project, ['--name', 'alice'], { CLAUDE_CODE_SESSION_ID: 'a' });
      // bob's client takes channel pushes: the push is written, and nothing confirms it yet.
      const bob = await startServer(project, ['--name', 'bob'], { CLAUDE_CODE_SESSION_ID: 'b' });
      const pushed = sentId((await alice.call('send', { to: 'bob', text: 'carried by a push' })).text);
      await bob.waitForPush((push) => push.meta.id === pushed, DELIVERY_TIMEOUT_MS, 'the push to bob');

      // carol's client takes no pushes: her SessionStart hook puts the waiting message into context.
      const seen = sentId((await alice.call('send', { to: 'carol', text: 'put in context by a hook' })).text);
      const session = { CLAUDE_CODE_SESSION_ID: 'c' };
      await startServer(project, ['--name', 'carol'], { ...session, CC2CC_PUSH_CONFIRM_MS: '0' }, false);
      const transcript = await emptyTranscript(project);
      const start = await runHook(
        project,
        ['session-start'],
        {
          hook_event_name: 'SessionStart',
          session_id: 'c',
          transcript_path: transcript,
          cwd: project,
          source: 'startup',
        },
        session,
      );
      expect(contextOf(start)).toContain('put in context by a hook');

      // The timeline's summaries, then the detail panel, per recipient, as `cc2cc status` says.
      await page.locator(`#msg-${seen} .summary.state-seen`).waitFor(WAIT);
      await page.locator(`#msg-${pushed} .summary.state-pushed`).waitFor(WAIT);
      expect(await page.locator(`#msg-${seen} .summary`).innerText()).toBe('seen');
      expect(await page.locator(`#msg-${pushed} .summary`).innerText()).toBe('pushed');
      expect(await detailState(page, seen, 'carol')).toMatch(/^seen \(hook\)$/);
      expect(await page.locator('#detail td.state-seen').count()).toBe(1); // the time it was seen
      expect(await detailState(page, pushed, 'bob')).toBe('pushed');
      expect(await page.locator('#detail table.states thead th').allInnerTexts()).toEqual([
        'recipient',
        'now',
        'queued',
        'claimed',
        'pushed',
        'seen',
        'done',
        'dead',
      ]);
      expect((await alice.call('status', { id: seen })).text).toMatch(/carol: seen/);
      expect((await alice.call('status', { id: pushed })).text).toMatch(/bob: pushed/);

      // A page opened now gets the same states from the history.
      const later = await browser.context.newPage();
      closers.push(() => later.close());
      await later.goto(ui.url);
      await later.locator(`#msg-${seen} .summary.state-seen`).waitFor(WAIT);
      await later.locator(`#msg-${pushed} .summary.state-pushed`).waitFor(WAIT);
    });
  },
);
