import { describe, expect, it } from 'vitest';
import { waitFor } from '../../src/testing/wait-for.js';
import { DELIVERY_TIMEOUT_MS, makeProject, selfWake, startAgent, ULID } from './support.js';
import type { StdioAgent } from '../../src/demo/stdio-agent.js';

const TEXTS = ['first', 'second', 'third'];

/** Calls check_inbox until `count` messages came back in all; returns the texts, in order. */
async function readAll(agent: StdioAgent, count: number): Promise<string[]> {
  const texts: string[] = [];
  await waitFor(
    async () => {
      const answer = await agent.call('check_inbox');
      expect(answer.isError).toBe(false);
      for (const match of answer.text.matchAll(/^<channel source="cc2cc" from="alice" [^>]*>\n(.*)\n<\/channel>$/gm))
        texts.push(match[1]!);
      return texts.length >= count;
    },
    { what: `${count} messages from check_inbox`, timeoutMs: DELIVERY_TIMEOUT_MS, intervalMs: 50 },
  );
  return texts;
}

async function aliceSends(project: string, to = 'bob') {
  const alice = await startAgent(project, ['--name', 'alice']);
  for (const text of TEXTS) expect((await alice.call('send', { to, text })).isError).toBe(false);
  return alice;
}

describe('delivery modes', () => {
  it('pull: nothing is pushed, tool results say messages wait, and check_inbox returns each message once', async () => {
    const project = await makeProject({ agents: ['bob'] });
    const bob = await startAgent(project, ['--name', 'bob', '--delivery', 'pull']);
    await aliceSends(project);

    const noted = await waitFor(
      async () => {
        const answer = await bob.call('list_agents');
        return /3 messages waiting for you; call check_inbox/.test(answer.text) ? answer : undefined;
      },
      { what: 'the waiting note', timeoutMs: DELIVERY_TIMEOUT_MS, intervalMs: 50 },
    );
    expect(noted.text).toMatch(/alice\s+online/);
    expect(await readAll(bob, 3)).toEqual(TEXTS);
    const again = await bob.call('check_inbox');
    expect(again.text).toBe('No messages waiting.');
    expect(bob.pushes).toEqual([]);
  });

  it('auto: a client that ignores pushes still gets every message from check_inbox, once', async () => {
    const project = await makeProject({ agents: ['bob'] });
    const bob = await startAgent(project, ['--name', 'bob'], { takesPushes: false });
    await aliceSends(project);
    expect(await readAll(bob, 3)).toEqual(TEXTS);
    expect((await bob.call('check_inbox')).text).toBe('No messages waiting.');
  });

  it('auto: a pushed message is announced once in a tool result, and replying marks it read', async () => {
    const project = await makeProject();
    const bob = await startAgent(project, ['--name', 'bob']);
    await selfWake(bob);
    const alice = await aliceSends(project);
    const pushes = await bob.waitForPushes(4, DELIVERY_TIMEOUT_MS);
    const ids = pushes.slice(1).map((push) => push.meta.id!);
    for (const id of ids) expect(id).toMatch(ULID);

    const first = await bob.call('list_agents');
    expect(first.text).toMatch(/3 new messages pushed to you/);
    for (const id of ids) expect(first.text).toContain(id);
    const second = await bob.call('list_agents');
    expect(second.text).not.toMatch(/cc2cc:/);

    expect((await bob.call('reply', { id: ids[0], text: 'got it' })).isError).toBe(false);
    await alice.waitForPush((push) => push.meta.kind === 'reply', DELIVERY_TIMEOUT_MS);
    // The two it did not answer are still readable; the answered one is not shown again.
    expect(await readAll(bob, 2)).toEqual(TEXTS.slice(1));
  });

  it('push: the push is the delivery; check_inbox keeps nothing', async () => {
    const project = await makeProject();
    const bob = await startAgent(project, ['--name', 'bob', '--delivery', 'push']);
    await selfWake(bob);
    await aliceSends(project);
    const pushes = await bob.waitForPushes(4, DELIVERY_TIMEOUT_MS);
    expect(pushes.slice(1).map((push) => push.content)).toEqual(TEXTS);
    const answer = await bob.call('check_inbox');
    expect(answer.text).toMatch(/push delivery/);
    expect(answer.text).not.toMatch(/cc2cc:/);
  });
});
