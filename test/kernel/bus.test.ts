import { describe, expect, it } from 'vitest';
import { compose } from '../../src/kernel/compose.js';
import { createEnvelope } from '../../src/kernel/envelope.js';
import { isCc2ccError } from '../../src/kernel/errors.js';
import { drop, pass } from '../../src/kernel/hooks.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { MemoryTransport } from '../../src/transports/memory/memory-transport.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { kernelConfig, memoryAgents, RecordingSink, useCleanup } from './helpers.js';

const cleanupAfterTest = useCleanup();

describe('Bus: send pipeline', () => {
  it('delivers to a running agent and reports one result per recipient', async () => {
    const world = await memoryAgents(['brave-fox', 'calm-owl']);
    cleanupAfterTest(world.close);
    const result = await world.agents['brave-fox']!.kernel.bus.send({ to: 'calm-owl', text: 'hi' });
    expect(result.results).toEqual([{ agent: 'calm-owl', status: 'queued' }]);
    await waitFor(() => world.agents['calm-owl']!.sink.received.length === 1);
    expect(world.agents['calm-owl']!.sink.received[0]).toMatchObject({ from: 'brave-fox', text: 'hi', id: result.id });
  });

  it('queues for a configured agent that is offline', async () => {
    const world = await memoryAgents(['brave-fox'], { config: { agents: ['calm-owl'] } });
    cleanupAfterTest(world.close);
    const result = await world.agents['brave-fox']!.kernel.bus.send({ to: 'calm-owl', text: 'later' });
    expect(result.results).toEqual([{ agent: 'calm-owl', status: 'offline (queued)' }]);
  });

  it('refuses an unknown recipient and lists the known names', async () => {
    const world = await memoryAgents(['brave-fox', 'calm-owl']);
    cleanupAfterTest(world.close);
    const error = await world.agents['brave-fox']!.kernel.bus.send({ to: 'shy-elk', text: 'x' }).catch(
      (caught: unknown) => caught,
    );
    expect(isCc2ccError(error, 'UNKNOWN_RECIPIENT')).toBe(true);
    expect((error as Error).message).toMatch(/unknown recipient "shy-elk"; known agents: brave-fox, calm-owl/);
  });

  it('refuses an envelope over maxBytes with both sizes', async () => {
    const world = await memoryAgents(['brave-fox', 'calm-owl'], { config: { maxBytes: 2048 } });
    cleanupAfterTest(world.close);
    const error = await world.agents['brave-fox']!.kernel.bus.send({ to: 'calm-owl', text: 'x'.repeat(4000) }).catch(
      (caught: unknown) => caught,
    );
    expect(isCc2ccError(error, 'ENVELOPE_TOO_LARGE')).toBe(true);
    expect((error as Error).message).toMatch(/message is \d+ bytes serialized, over the limit of 2048 bytes/);
  });

  it('sends "*" to everyone else, and refuses an unhandled scheme naming the fix', async () => {
    const world = await memoryAgents(['ant', 'bee', 'cat']);
    cleanupAfterTest(world.close);
    const result = await world.agents.ant!.kernel.bus.send({ to: '*', text: 'all hands' });
    expect(result.results.map((entry) => entry.agent)).toEqual(['bee', 'cat']);
    const error = await world.agents
      .ant!.kernel.bus.send({ to: 'room:x', text: '' })
      .catch((caught: unknown) => caught);
    expect(isCc2ccError(error, 'UNKNOWN_SCHEME')).toBe(true);
    expect((error as Error).message).toContain('"room:"');
  });

  it('replies to the sender with the correlation id', async () => {
    const world = await memoryAgents(['brave-fox', 'calm-owl']);
    cleanupAfterTest(world.close);
    const sent = await world.agents['brave-fox']!.kernel.bus.send({ to: 'calm-owl', text: 'ping' });
    await waitFor(() => world.agents['calm-owl']!.sink.received.length === 1);
    await world.agents['calm-owl']!.kernel.bus.reply(sent.id, 'pong');
    await waitFor(() => world.agents['brave-fox']!.sink.received.length === 1);
    expect(world.agents['brave-fox']!.sink.received[0]).toMatchObject({
      kind: 'reply',
      text: 'pong',
      correlationId: sent.id,
    });
    await expect(world.agents['calm-owl']!.kernel.bus.reply('01ARZ3NDEKTSV4RRFFQ69G5FAV', 'x')).rejects.toThrow(
      /no received message/,
    );
  });
});

describe('Bus: receive pipeline', () => {
  it('dead-letters an expired message and sends the sender an expired receipt', async () => {
    const world = await memoryAgents(['brave-fox'], { config: { agents: ['calm-owl'] } });
    cleanupAfterTest(world.close);
    const transport = world.agents['brave-fox']!.kernel.bus.transport;
    const stale = createEnvelope({
      from: 'brave-fox',
      to: 'calm-owl',
      text: 'too late',
      expiresAt: '2020-01-01T00:00:00.000Z',
    });
    await transport.put('calm-owl', stale);

    const sink = new RecordingSink();
    const receiver = await compose({
      config: kernelConfig(),
      transport: new MemoryTransport(world.space),
      sink,
      logger: silentLogger,
    });
    await receiver.bus.attach('calm-owl');
    const dead = await waitFor(async () => (await transport.deadLetters('calm-owl'))[0]);
    expect(dead.reason).toMatch(/^expired: expiresAt 2020-01-01T00:00:00.000Z passed/);
    expect(sink.received).toEqual([]);
    await waitFor(() => world.agents['brave-fox']!.sink.received.length === 1, { what: 'the expired receipt' });
    expect(world.agents['brave-fox']!.sink.received[0]).toMatchObject({
      kind: 'event',
      correlationId: stale.id,
      meta: { receipt: 'expired' },
    });
    await receiver.close();
  });

  it('retries a failing sink, then dead-letters after maxAttempts with a failed receipt', async () => {
    const world = await memoryAgents(['brave-fox', 'calm-owl'], { config: { maxAttempts: 3 } });
    cleanupAfterTest(world.close);
    world.agents['calm-owl']!.sink.failWith = new Error('client gone');
    const sent = await world.agents['brave-fox']!.kernel.bus.send({ to: 'calm-owl', text: 'doomed' });
    const transport = world.agents['calm-owl']!.kernel.bus.transport;
    const dead = await waitFor(async () => (await transport.deadLetters('calm-owl'))[0], { what: 'a dead letter' });
    expect(dead).toMatchObject({ id: sent.id, reason: 'failed: not delivered after 3 attempts' });
    await waitFor(() =>
      world.agents['brave-fox']!.sink.received.some((envelope) => envelope.meta?.receipt === 'failed'),
    );
  });
});

describe('plugins and hooks', () => {
  it('runs outbound hooks in order (pre, normal, post) and inbound in reverse', async () => {
    const calls: string[] = [];
    const tracer = (name: string, enforce?: 'pre' | 'post') =>
      definePlugin({
        name,
        ...(enforce && { enforce }),
        setup(ctx) {
          ctx.onSend(() => void calls.push(`send:${name}`));
          ctx.onReceive(() => void calls.push(`receive:${name}`));
        },
      });
    const world = await memoryAgents(['ant', 'bee'], {
      plugins: () => [tracer('late', 'post'), tracer('one'), tracer('early', 'pre'), tracer('two')],
    });
    cleanupAfterTest(world.close);
    await world.agents.ant!.kernel.bus.send({ to: 'bee', text: 'x' });
    await waitFor(() => world.agents.bee!.sink.received.length === 1);
    expect(calls).toEqual([
      'send:early',
      'send:one',
      'send:two',
      'send:late',
      'receive:late',
      'receive:two',
      'receive:one',
      'receive:early',
    ]);
  });

  it('lets a hook change an envelope, and refuses a send an outbound hook dropped', async () => {
    const stamp = definePlugin({
      name: 'stamp',
      setup(ctx) {
        ctx.onSend((envelope) =>
          envelope.text === 'secret' ? drop('no secrets') : pass({ ...envelope, meta: { stamped: 'yes' } }),
        );
      },
    });
    const world = await memoryAgents(['ant', 'bee'], { plugins: () => [stamp] });
    cleanupAfterTest(world.close);
    const refused = await world.agents.ant!.kernel.bus.send({ to: 'bee', text: 'secret' });
    expect(refused).toMatchObject({ refused: 'stamp: no secrets', results: [] });
    await world.agents.ant!.kernel.bus.send({ to: 'bee', text: 'fine' });
    await waitFor(() => world.agents.bee!.sink.received.length === 1);
    expect(world.agents.bee!.sink.received[0]!.meta).toEqual({ stamped: 'yes' });
  });

  it('dead-letters, acks or holds back what an inbound hook drops, with the plugin named', async () => {
    const gate = definePlugin({
      name: 'gate',
      setup(ctx) {
        let held = false;
        ctx.onReceive((envelope) => {
          if (envelope.text === 'deny') return drop('sender denied');
          if (envelope.text === 'dup') return drop('duplicate', { then: 'ack' });
          if (envelope.text === 'slow' && !held) {
            held = true;
            return drop('rate limited', { then: 'retry', retryInMs: 10 });
          }
        });
      },
    });
    const world = await memoryAgents(['ant', 'bee'], { plugins: () => [gate] });
    cleanupAfterTest(world.close);
    for (const text of ['deny', 'dup', 'slow', 'ok']) await world.agents.ant!.kernel.bus.send({ to: 'bee', text });
    await waitFor(() => world.agents.bee!.sink.received.length === 2);
    expect(world.agents.bee!.sink.received.map((envelope) => envelope.text)).toEqual(['slow', 'ok']);
    const transport = world.agents.bee!.kernel.bus.transport;
    expect((await transport.deadLetters('bee')).map((letter) => letter.reason)).toEqual(['gate: sender denied']);
    expect(await transport.stats('bee')).toMatchObject({ done: 3, dead: 1, queued: 0 });
  });

  it('names the plugin and hook when a hook throws', async () => {
    const broken = definePlugin({
      name: 'broken',
      setup: (ctx) =>
        ctx.onSend(() => {
          throw new Error('boom');
        }),
    });
    const world = await memoryAgents(['ant', 'bee'], { plugins: () => [broken] });
    cleanupAfterTest(world.close);
    await expect(world.agents.ant!.kernel.bus.send({ to: 'bee', text: 'x' })).rejects.toThrow(
      'plugin "broken" hook onSend failed: boom',
    );
  });

  it('checks dependencies and duplicates at load', async () => {
    const needy = definePlugin({ name: 'needy', dependencies: ['rooms'], setup() {} });
    const options = { config: kernelConfig(), transport: new MemoryTransport(), logger: silentLogger };
    await expect(compose({ ...options, plugins: [needy] })).rejects.toThrow('plugin "needy" needs "rooms"');
    await expect(compose({ ...options, plugins: [needy, needy] })).rejects.toThrow('enabled twice');
    await expect(compose({ ...options, plugins: [{ name: '' } as never] })).rejects.toThrow('non-empty "name"');
  });

  it('routes a plugin scheme to its members, sender excluded', async () => {
    const crew = definePlugin({ name: 'crew', setup: (ctx) => ctx.addScheme('crew', () => ['ant', 'bee', 'cat']) });
    const world = await memoryAgents(['ant', 'bee', 'cat'], { plugins: () => [crew] });
    cleanupAfterTest(world.close);
    const result = await world.agents.ant!.kernel.bus.send({ to: 'crew:all', text: 'x' });
    expect(result.results).toEqual([
      { agent: 'bee', via: 'crew:all', status: 'queued' },
      { agent: 'cat', via: 'crew:all', status: 'queued' },
    ]);
  });
});
