import { describe, expect, it } from 'vitest';
import { isCc2ccError } from '../../../src/kernel/errors.js';
import { requestReply } from '../../../plugins/request-reply/index.js';
import { rooms } from '../../../plugins/rooms/index.js';
import { waitFor } from '../../../src/testing/wait-for.js';
import { memoryAgents, useCleanup } from '../../kernel/helpers.js';
import { callTool } from '../support/tool-helpers.js';

const cleanupAfterTest = useCleanup();

describe('request-reply plugin', () => {
  it('resolves a request with the reply, which is not pushed a second time', async () => {
    const world = await memoryAgents(['ann', 'bob'], { plugins: () => [requestReply()] });
    cleanupAfterTest(world.close);
    const { ann, bob } = world.agents;
    const pending = callTool(ann!.kernel, 'request', { to: 'bob', text: 'status?', timeout_ms: 30_000 });
    await waitFor(() => bob!.sink.received.length === 1);
    const request = bob!.sink.received[0]!;
    expect(request).toMatchObject({ kind: 'request', text: 'status?' });
    await bob!.kernel.bus.reply(request.id, 'all green');
    expect(await pending).toMatch(
      new RegExp(
        String.raw`^The reply:\n<channel source="cc2cc" from="bob" id="[0-9A-Z` +
          String.raw`]{26}" to="ann" kind="reply" [^>]*>\nall green\n<\/channel>$`,
      ),
    );
    expect(ann!.sink.received).toEqual([]);
  });

  it('fails at the timeout naming the target and the wait; a late reply lands as a normal message', async () => {
    const world = await memoryAgents(['ann', 'bob'], { plugins: () => [requestReply()] });
    cleanupAfterTest(world.close);
    const { ann, bob } = world.agents;
    const error = await ann!.kernel.bus.request('bob', 'anyone?', { timeoutMs: 50 }).catch((caught: unknown) => caught);
    expect(isCc2ccError(error, 'TIMEOUT')).toBe(true);
    expect((error as Error).message).toMatch(/^no reply from bob after \d+ ms \(timeout 50 ms\)/);
    await waitFor(() => bob!.sink.received.length === 1);
    await bob!.kernel.bus.reply(bob!.sink.received[0]!.id, 'sorry, late');
    await waitFor(() => ann!.sink.received.length === 1, { what: 'the late reply' });
    expect(ann!.sink.received[0]).toMatchObject({ kind: 'reply', text: 'sorry, late' });
  });

  it('fails at once for an offline agent unless queue_if_offline is set', async () => {
    const world = await memoryAgents(['ann'], { plugins: () => [requestReply()], config: { agents: ['bob'] } });
    cleanupAfterTest(world.close);
    const bus = world.agents.ann!.kernel.bus;
    await expect(bus.request('bob', 'x', { timeoutMs: 60_000 })).rejects.toThrow(
      /bob is offline: a request would wait for nobody/,
    );
    await expect(bus.request('bob', 'x', { timeoutMs: 20, queueIfOffline: true })).rejects.toThrow(/no reply from bob/);
    expect(await bus.transport.stats('bob')).toMatchObject({ queued: 1 });
  });

  it('works over a room address: the first reply answers', async () => {
    const world = await memoryAgents(['ann', 'bob', 'cid'], { plugins: () => [rooms(), requestReply()] });
    cleanupAfterTest(world.close);
    const { ann, bob, cid } = world.agents;
    await callTool(bob!.kernel, 'join', { room: 'oncall' });
    await callTool(cid!.kernel, 'join', { room: 'oncall' });
    const pending = ann!.kernel.bus.request('room:oncall', 'who takes it?', { timeoutMs: 30_000 });
    await waitFor(() => cid!.sink.received.length === 1);
    await cid!.kernel.bus.reply(cid!.sink.received[0]!.id, 'mine');
    expect((await pending).from).toBe('cid');
  });

  it('says which plugin bus.request needs when it is not enabled', async () => {
    const world = await memoryAgents(['ann', 'bob']);
    cleanupAfterTest(world.close);
    await expect(world.agents.ann!.kernel.bus.request('bob', 'x')).rejects.toThrow(/needs the "request-reply" plugin/);
  });
});
