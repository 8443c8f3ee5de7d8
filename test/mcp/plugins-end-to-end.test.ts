import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEnvelope, encodeEnvelope } from '../../src/kernel/envelope.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { DELIVERY_TIMEOUT_MS, makeProject, selfWake, startAgent } from './support.js';
import type { StdioAgent } from '../../src/demo/stdio-agent.js';

/** Real `cc2cc serve` processes in one project, each past its self-wake. */
async function agents(project: string, names: string[]): Promise<StdioAgent[]> {
  const started = await Promise.all(names.map((name) => startAgent(project, ['--name', name])));
  await Promise.all(started.map(selfWake));
  return started;
}

const messagesFrom = (agent: StdioAgent, from: string) => agent.pushes.filter((push) => push.meta.from === from);
/** Drops a file into bob's inbox as a writer would: whole, by rename (a reader never sees it half-written). */
async function plant(project: string, id: string, text: string): Promise<void> {
  const temp = join(project, '.cc2cc', 'to-bob', 'tmp', `${id}.planted.json`);
  await writeFile(temp, text);
  await rename(temp, join(project, '.cc2cc', 'to-bob', 'inbox', `${id}.json`));
}

const inboxFiles = async (project: string, name: string, folder: string) =>
  (await readdir(join(project, '.cc2cc', `to-${name}`, folder)).catch(() => [] as string[])).filter((file) =>
    file.endsWith('.json'),
  );

describe('plugins through real servers and the SDK client', () => {
  it('rooms: a room send reaches each member once, lists every member, and waits for an offline one', async () => {
    const project = await makeProject({ plugins: ['rooms'] });
    const [ann, bob, cid, dan] = await agents(project, ['ann', 'bob', 'cid', 'dan']);
    for (const member of [ann!, bob!, dan!])
      expect(await member.call('join', { room: 'backend' })).toMatchObject({ isError: false });
    await dan!.close(); // dan stays a member while offline: membership belongs to the name (bus state)

    const sent = await cid!.call('send', { to: 'room:backend', text: 'deploy at five' });
    expect(sent.isError).toBe(false);
    expect(sent.text).toMatch(/ann: queued/);
    expect(sent.text).toMatch(/bob: queued/);
    expect(sent.text).toMatch(/dan: offline \(queued\)/);
    for (const member of [ann!, bob!]) {
      const push = await member.waitForPush((candidate) => candidate.meta.from === 'cid', DELIVERY_TIMEOUT_MS);
      expect(push.meta).toMatchObject({ room: 'backend', to: 'room:backend' });
    }
    const [danAgain] = await agents(project, ['dan']);
    await danAgain!.waitForPush(
      (push) => push.meta.from === 'cid' && push.content === 'deploy at five',
      DELIVERY_TIMEOUT_MS,
    );
    expect(messagesFrom(ann!, 'cid')).toHaveLength(1);
    expect(messagesFrom(bob!, 'cid')).toHaveLength(1);
    expect(messagesFrom(cid!, 'cid')).toHaveLength(0);
    expect((await cid!.call('list_agents')).text).toMatch(/backend/);
  });

  it('topics: ci.* gets ci.build but not ci.build.linux, which ci.> gets', async () => {
    const project = await makeProject({ plugins: ['topics'] });
    const [ann, bob] = await agents(project, ['ann', 'bob']);
    await bob!.call('subscribe', { topic: 'ci.*' });
    expect((await ann!.call('send', { to: 'topic:ci.build', text: 'build green' })).text).toMatch(/bob: queued/);
    await bob!.waitForPush(
      (push) => push.content === 'build green' && push.meta.topic === 'ci.build',
      DELIVERY_TIMEOUT_MS,
    );
    const nobody = await ann!.call('send', { to: 'topic:ci.build.linux', text: 'linux green' });
    expect(nobody).toMatchObject({ isError: true });
    expect(nobody.text).toMatch(/nobody follows topic:ci.build.linux/);
    await bob!.call('subscribe', { topic: 'ci.>' });
    await ann!.call('send', { to: 'topic:ci.build.linux', text: 'linux green' });
    await bob!.waitForPush((push) => push.content === 'linux green', DELIVERY_TIMEOUT_MS);
  });

  it(
    'request-reply: the request tool returns the reply; a timeout fails with the reason and a ' +
      'late reply lands in the inbox',
    async () => {
      const project = await makeProject({ plugins: ['request-reply'] });
      const [ann, bob] = await agents(project, ['ann', 'bob']);
      const asking = ann!.call('request', { to: 'bob', text: 'which branch?', timeout_ms: 30_000 });
      const request = await bob!.waitForPush((push) => push.meta.kind === 'request', DELIVERY_TIMEOUT_MS);
      expect(request.meta.id).toMatch(/^[0-9A-Z]{26}$/);
      await bob!.call('reply', { id: request.meta.id, text: 'main' });
      const answered = await asking;
      expect(answered.isError).toBe(false);
      expect(answered.text).toMatch(/<channel source="cc2cc" from="bob" [^>]*kind="reply"[^>]*>\nmain\n<\/channel>/);
      // answered in the tool, not pushed again
      expect(ann!.pushes.filter((push) => push.meta.kind === 'reply')).toEqual([]);

      const unanswered = await ann!.call('request', { to: 'bob', text: 'still there?', timeout_ms: 300 });
      expect(unanswered.isError).toBe(true);
      expect(unanswered.text).toMatch(/no reply from bob after \d+ ms \(timeout 300 ms\)/);
      const late = await bob!.waitForPush((push) => push.content === 'still there?', DELIVERY_TIMEOUT_MS);
      await bob!.call('reply', { id: late.meta.id, text: 'yes, late' });
      await ann!.waitForPush((push) => push.meta.kind === 'reply' && push.content === 'yes, late', DELIVERY_TIMEOUT_MS);
    },
  );

  it(
    'filters: a denied sender never reaches the sink, a burst is held back not lost, a duplicate ' +
      'id is pushed once',
    async () => {
      const project = await makeProject({
        plugins: [['filters', { deny: ['mallory'], rateLimit: { messages: 2, perMs: 2000 } }]],
      });
      const [ann, bob, mallory] = await agents(project, ['ann', 'bob', 'mallory']);
      await mallory!.call('send', { to: 'bob', text: 'click this' });
      for (let i = 0; i < 5; i++) await ann!.call('send', { to: 'bob', text: `burst ${i}` });
      await waitFor(() => messagesFrom(bob!, 'ann').length === 5, {
        timeoutMs: DELIVERY_TIMEOUT_MS,
        what: 'the whole burst',
      });
      expect(messagesFrom(bob!, 'ann').map((push) => push.content)).toEqual([0, 1, 2, 3, 4].map((i) => `burst ${i}`));
      expect(messagesFrom(bob!, 'mallory')).toEqual([]);
      const dead = await inboxFiles(project, 'bob', 'dead');
      expect(dead).toHaveLength(1);
      expect(
        await readFile(join(project, '.cc2cc', 'to-bob', 'dead', dead[0]!.replace('.json', '.reason')), 'utf8'),
      ).toMatch(/sender mallory is denied/);
      await waitFor(() => /holding back .* from ann for \d+ ms \(rate limit\)/.test(bob!.stderr), {
        what: 'the rate-limit warning',
      });

      const copy = createEnvelope({ from: 'ann', to: 'bob', text: 'only once' });
      await plant(project, copy.id, encodeEnvelope(copy));
      await bob!.waitForPush((push) => push.content === 'only once', DELIVERY_TIMEOUT_MS);
      await plant(project, copy.id, encodeEnvelope(copy));
      await ann!.call('send', { to: 'bob', text: 'after the copy' });
      await bob!.waitForPush((push) => push.content === 'after the copy', DELIVERY_TIMEOUT_MS);
      expect(bob!.pushes.filter((push) => push.content === 'only once')).toHaveLength(1);
    },
  );

  it('routes: everything on topic:ci.* also reaches room:reviewers', async () => {
    const project = await makeProject({
      plugins: [['rooms', { members: { reviewers: ['rev'] } }], 'topics'],
      routes: [{ match: { topic: 'ci.*' }, also: ['room:reviewers'] }],
    });
    const [ci, dev, rev] = await agents(project, ['ci', 'dev', 'rev']);
    await dev!.call('subscribe', { topic: 'ci.*' });
    const sent = await ci!.call('send', { to: 'topic:ci.build', text: 'build 7 red' });
    expect(sent.text).toMatch(/dev: queued/);
    expect(sent.text).toMatch(/rev: queued/);
    await rev!.waitForPush((push) => push.content === 'build 7 red', DELIVERY_TIMEOUT_MS);
    await dev!.waitForPush((push) => push.content === 'build 7 red', DELIVERY_TIMEOUT_MS);
  });

  it('signing: a forged message written straight into an inbox is never pushed', async () => {
    const project = await makeProject({ plugins: ['signing'] });
    const [ann, bob] = await agents(project, ['ann', 'bob']);
    const unsigned = createEnvelope({ from: 'ann', to: 'bob', text: 'forged, unsigned' });
    const badlySigned = { ...createEnvelope({ from: 'ann', to: 'bob', text: 'forged, bad sig' }), sig: 'AAAA' };
    await plant(project, unsigned.id, encodeEnvelope(unsigned));
    await plant(project, badlySigned.id, JSON.stringify(badlySigned));
    await ann!.call('send', { to: 'bob', text: 'the real one' });
    await bob!.waitForPush((push) => push.content === 'the real one', DELIVERY_TIMEOUT_MS);
    await waitFor(async () => (await inboxFiles(project, 'bob', 'dead')).length === 2, { what: 'two dead letters' });
    expect(bob!.pushes.filter((push) => push.content.startsWith('forged'))).toEqual([]);
    const reasons = await Promise.all(
      (await readdir(join(project, '.cc2cc', 'to-bob', 'dead')))
        .filter((file) => file.endsWith('.reason'))
        .map((file) => readFile(join(project, '.cc2cc', 'to-bob', 'dead', file), 'utf8')),
    );
    expect(reasons.sort()).toEqual([
      expect.stringMatching(/bad signature/),
      expect.stringMatching(/unsigned message refused/),
    ]);
  });
});
