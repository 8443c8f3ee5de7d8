import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../src/testing/wait-for.js';
import { DELIVERY_TIMEOUT_MS, makeProject, selfWake, startAgent } from './support.js';
import type { StdioAgent, ToolAnswer } from '../../src/demo/stdio-agent.js';

/**
 * Hundreds of `send` calls in flight at once from one agent (issue 14, item 6): the
 * directory the sender caches must never be older than the last change that finished
 * before a call began. Sequential sends never show a stale cache; only a burst does.
 */
const BURST = 300;
const LONG = 240_000;

function fire(sender: StdioAgent, to: string, label: string, count: number): Array<Promise<ToolAnswer>> {
  return Array.from({ length: count }, (_, index) => sender.call('send', { to, text: `${label}-${index}` }, 120_000));
}

function refusals(answers: ToolAnswer[]): string[] {
  return answers.filter((answer) => answer.isError || /refused/.test(answer.text)).map((answer) => answer.text);
}

/** The message id of a send answer: "message ID to X (id ID):". */
function sentId(answer: ToolAnswer): string {
  return /\(id ([0-9A-Z]{26})\)/.exec(answer.text)![1]!;
}

/** The agents a send answer lists, one per line: "  bob: queued". */
function recipients(answer: ToolAnswer): string[] {
  return answer.text.split('\n').flatMap((line) => /^ {2}([a-z0-9-]+): /.exec(line)?.[1] ?? []);
}

async function idsIn(project: string, agent: string, folder: string): Promise<string[]> {
  const files = await readdir(join(project, '.cc2cc', `to-${agent}`, folder)).catch(() => [] as string[]);
  return files.filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -'.json'.length));
}

describe(`${BURST} sends in flight at once, through a real cc2cc serve`, () => {
  it(
    'reach an agent that started after the sender: all delivered, none refused',
    async () => {
      const project = await makeProject();
      const sender = await startAgent(project, ['--name', 'alice']);
      await selfWake(sender);
      // The sender has looked at the directory (its self-wake did) before the recipient exists.
      expect((await sender.call('list_agents')).text).not.toMatch(/bob/);
      const recipient = await startAgent(project, ['--name', 'bob', '--delivery', 'push']);
      await selfWake(recipient);

      const answers = await Promise.all(fire(sender, 'bob', 'first', BURST));
      expect(refusals(answers)).toEqual([]);
      await recipient.waitForPushes(BURST + 1, DELIVERY_TIMEOUT_MS * 3);
      const texts = new Set(recipient.pushes.filter((push) => push.meta.kind !== 'system').map((push) => push.content));
      expect(texts.size).toBe(BURST);
    },
    LONG,
  );

  it(
    'reach it while it leaves and comes back during the burst: none refused, every one stored and then delivered',
    async () => {
      const project = await makeProject();
      const sender = await startAgent(project, ['--name', 'alice']);
      await selfWake(sender);
      const first = await startAgent(project, ['--name', 'bob', '--delivery', 'push']);
      await selfWake(first);

      const calls = fire(sender, 'bob', 'before', BURST / 3);
      await first.close(); // it leaves while the first third is in flight
      calls.push(...fire(sender, 'bob', 'away', BURST / 3));
      const back = startAgent(project, ['--name', 'bob', '--delivery', 'push']);
      calls.push(...fire(sender, 'bob', 'back', BURST / 3));
      const answers = await Promise.all(calls);
      expect(refusals(answers)).toEqual([]);
      // Queued for an offline known agent, or delivered: either way each one reaches bob's done/.
      const ids = answers.map(sentId).sort();
      await selfWake(await back);
      await waitFor(async () => (await idsIn(project, 'bob', 'done')).length >= BURST, {
        timeoutMs: DELIVERY_TIMEOUT_MS * 3,
        what: `${BURST} messages in bob's done/`,
      });
      expect((await idsIn(project, 'bob', 'done')).sort()).toEqual(ids);
    },
    LONG,
  );

  it(
    'follow joins and leaves of a room: a send that began after a join or leave finished sees it',
    async () => {
      const project = await makeProject({ plugins: ['rooms'] });
      const sender = await startAgent(project, ['--name', 'alice']);
      await selfWake(sender);
      const bob = await startAgent(project, ['--name', 'bob', '--delivery', 'push']);
      const carol = await startAgent(project, ['--name', 'carol', '--delivery', 'push']);
      await Promise.all([selfWake(bob), selfWake(carol)]);
      expect((await bob.call('join', { room: 'dev' })).isError).toBe(false);

      const duringJoin = fire(sender, 'room:dev', 'during-join', BURST / 3);
      expect((await carol.call('join', { room: 'dev' })).isError).toBe(false);
      const afterJoin = fire(sender, 'room:dev', 'after-join', BURST / 3);
      expect((await bob.call('leave', { room: 'dev' })).isError).toBe(false);
      const afterLeave = fire(sender, 'room:dev', 'after-leave', BURST / 3);

      const [during, joined, left] = await Promise.all([
        Promise.all(duringJoin),
        Promise.all(afterJoin),
        Promise.all(afterLeave),
      ]);
      expect(refusals([...during, ...joined, ...left])).toEqual([]);
      // A call is handled some time after it was fired: only the changes that finished before
      // it was fired are sure to have happened before it began.
      for (const answer of during) expect(['bob', 'carol']).toEqual(expect.arrayContaining(recipients(answer)));
      for (const answer of joined) expect(recipients(answer)).toContain('carol');
      for (const answer of left) expect(recipients(answer)).toEqual(['carol']);
    },
    LONG,
  );
});
