import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../../../src/kernel/envelope.js';
import { filters, droppedCounts } from '../../../plugins/filters/index.js';
import { PingPongGuard } from '../../../plugins/filters/ping-pong.js';
import { waitFor } from '../../../src/testing/wait-for.js';
import { memoryAgents, useCleanup } from '../../kernel/helpers.js';

const cleanupAfterTest = useCleanup();

describe('filters plugin', () => {
  it('dead-letters a denied sender before the sink, and counts it', async () => {
    const world = await memoryAgents(['ann', 'bob', 'spam-bot'], { plugins: () => [filters({ deny: ['spam-*'] })] });
    cleanupAfterTest(world.close);
    const { ann, bob } = world.agents;
    await world.agents['spam-bot']!.kernel.bus.send({ to: 'bob', text: 'buy now' });
    await ann!.kernel.bus.send({ to: 'bob', text: 'real' });
    await waitFor(() => bob!.sink.received.length === 1);
    expect(bob!.sink.received.map((envelope) => envelope.text)).toEqual(['real']);
    const dead = await bob!.kernel.bus.transport.deadLetters('bob');
    expect(dead.map((letter) => letter.reason)).toEqual(['filters: sender spam-bot is denied (filters.deny)']);
    await waitFor(
      async () =>
        droppedCounts((await bob!.kernel.bus.agents()).find((agent) => agent.name === 'bob')?.presence?.data).deny ===
        1,
      {
        what: 'the deny count in presence',
      },
    );
  });

  it('lets only allowed senders through when an allow list is set', async () => {
    const world = await memoryAgents(['ann', 'bob', 'cid'], { plugins: () => [filters({ allow: ['ann'] })] });
    cleanupAfterTest(world.close);
    await world.agents.cid!.kernel.bus.send({ to: 'bob', text: 'from cid' });
    await world.agents.ann!.kernel.bus.send({ to: 'bob', text: 'from ann' });
    await waitFor(() => world.agents.bob!.sink.received.length === 1);
    expect(world.agents.bob!.sink.received[0]!.text).toBe('from ann');
    expect((await world.agents.bob!.kernel.bus.transport.deadLetters('bob'))[0]!.reason).toMatch(
      /not in filters.allow/,
    );
  });

  it('holds a burst over the rate limit back and delivers all of it later, in order', async () => {
    const world = await memoryAgents(['ann', 'bob'], {
      plugins: () => [filters({ rateLimit: { messages: 2, perMs: 100 } })],
    });
    cleanupAfterTest(world.close);
    for (let i = 0; i < 6; i++) await world.agents.ann!.kernel.bus.send({ to: 'bob', text: `m${i}` });
    await waitFor(() => world.agents.bob!.sink.received.length === 6, { what: 'the whole burst' });
    expect(world.agents.bob!.sink.received.map((envelope) => envelope.text)).toEqual([
      'm0',
      'm1',
      'm2',
      'm3',
      'm4',
      'm5',
    ]);
    await waitFor(
      async () =>
        (droppedCounts((await world.agents.bob!.kernel.bus.agents()).find((a) => a.name === 'bob')?.presence?.data)[
          'rate-limit'
        ] ?? 0) > 0,
    );
    expect(await world.agents.bob!.kernel.bus.transport.deadLetters('bob')).toEqual([]);
  });

  it('pushes a duplicate id once', async () => {
    const world = await memoryAgents(['ann', 'bob'], { plugins: () => [filters()] });
    cleanupAfterTest(world.close);
    const kernel = world.agents.bob!.kernel;
    const envelope = createEnvelope({ from: 'ann', to: 'bob', text: 'once' });
    const first = await kernel.extensions.runInbound(envelope, { bus: kernel.bus, direction: 'inbound', attempt: 1 });
    const second = await kernel.extensions.runInbound(envelope, { bus: kernel.bus, direction: 'inbound', attempt: 1 });
    const retry = await kernel.extensions.runInbound(envelope, { bus: kernel.bus, direction: 'inbound', attempt: 2 });
    expect(first).toEqual({ envelope });
    expect(second).toMatchObject({ plugin: 'filters', drop: `duplicate id ${envelope.id}`, then: 'ack' });
    expect(retry).toEqual({ envelope }); // a retry of the same delivery is not a duplicate
  });

  it('caps text size on both sides and keeps events out of the push path when asked', async () => {
    const world = await memoryAgents(['ann', 'bob'], {
      plugins: () => [filters({ maxTextBytes: 10, events: 'drop' })],
    });
    cleanupAfterTest(world.close);
    const refused = await world.agents.ann!.kernel.bus.send({ to: 'bob', text: 'x'.repeat(11) });
    expect(refused.refused).toBe('filters: text is 11 bytes, over the filters cap of 10');
    await world.agents.ann!.kernel.bus.send({ to: 'bob', text: 'tick', kind: 'event' });
    await world.agents.ann!.kernel.bus.send({ to: 'bob', text: 'hello' });
    await waitFor(() => world.agents.bob!.sink.received.length === 1);
    expect(world.agents.bob!.sink.received[0]!.text).toBe('hello');
    expect((await world.agents.bob!.kernel.bus.transport.deadLetters('bob'))[0]!.reason).toMatch(
      /events are kept out of the push path/,
    );
  });

  it('holds back a reply ping-pong after maxTurns exchanges, until a human speaks', async () => {
    const world = await memoryAgents(['ann', 'bob', 'human'], {
      plugins: () => [filters({ pingPong: { maxTurns: 2 } })],
    });
    cleanupAfterTest(world.close);
    const { ann, bob, human } = world.agents;
    const exchange = async (round: number) => {
      await waitFor(() => bob!.sink.received.length === round);
      return bob!.kernel.bus.send({ to: 'ann', text: `answer ${round}` });
    };
    await ann!.kernel.bus.send({ to: 'bob', text: 'q1' });
    expect((await exchange(1)).refused).toBeUndefined();
    await ann!.kernel.bus.send({ to: 'bob', text: 'q2' });
    expect((await exchange(2)).refused).toBeUndefined();
    await ann!.kernel.bus.send({ to: 'bob', text: 'q3' });
    expect((await exchange(3)).refused).toMatch(
      /^filters: held back: 2 back-and-forth exchanges with ann without a human turn/,
    );
    await human!.kernel.bus.send({ to: 'bob', text: 'carry on' });
    await waitFor(() => bob!.sink.received.length === 4);
    expect((await bob!.kernel.bus.send({ to: 'ann', text: 'answer 3, again' })).refused).toBeUndefined();
  });
});

describe('PingPongGuard', () => {
  it('forgets the count after a quiet period', () => {
    const guard = new PingPongGuard(1, 1000);
    guard.received('ann', false, 0);
    expect(guard.sending('ann', 1)).toBeUndefined();
    guard.received('ann', false, 2);
    expect(guard.sending('ann', 3)).toMatch(/held back/);
    guard.received('ann', false, 5000);
    expect(guard.sending('ann', 5001)).toBeUndefined();
  });
});
