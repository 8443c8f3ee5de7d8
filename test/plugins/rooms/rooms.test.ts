import { describe, expect, it } from 'vitest';
import { compose } from '../../../src/kernel/compose.js';
import { isCc2ccError } from '../../../src/kernel/errors.js';
import { silentLogger } from '../../../src/kernel/logger.js';
import { MemoryTransport } from '../../../src/transports/memory/memory-transport.js';
import { rooms } from '../../../plugins/rooms/index.js';
import { loadPlugins } from '../../../src/config/plugin-loader.js';
import { builtinPluginLoaders } from '../../../src/runtime.js';
import { waitFor } from '../../../src/testing/wait-for.js';
import { kernelConfig, memoryAgents, RecordingSink, useCleanup } from '../../kernel/helpers.js';
import { callTool } from '../support/tool-helpers.js';

const cleanupAfterTest = useCleanup();

describe('rooms plugin', () => {
  it('fans a room message out to every member but the sender, offline static members included', async () => {
    const world = await memoryAgents(['ann', 'bob', 'cid'], {
      plugins: () => [rooms({ members: { backend: ['dan'] } })],
    });
    cleanupAfterTest(world.close);
    const { ann, bob, cid } = world.agents as Record<string, (typeof world.agents)[string]>;
    expect(await callTool(ann!.kernel, 'join', { room: 'backend' })).toMatch(
      /^joined room:backend; members: ann, dan$/,
    );
    await callTool(bob!.kernel, 'join', { room: 'backend' });
    expect(await callTool(bob!.kernel, 'join', { room: 'backend' })).toMatch(/^already in room:backend/);

    const result = await cid!.kernel.bus.send({ to: 'room:backend', text: 'deploy at 5' });
    expect(result.results).toEqual([
      { agent: 'dan', via: 'room:backend', status: 'offline (queued)' },
      { agent: 'ann', via: 'room:backend', status: 'queued' },
      { agent: 'bob', via: 'room:backend', status: 'queued' },
    ]);
    await waitFor(() => ann!.sink.received.length === 1 && bob!.sink.received.length === 1);
    expect(cid!.sink.received).toEqual([]);

    // The offline member gets it when it starts.
    const danSink = new RecordingSink();
    const dan = await compose({
      config: kernelConfig(),
      transport: new MemoryTransport(world.space),
      sink: danSink,
      plugins: [rooms()],
      logger: silentLogger,
    });
    await dan.bus.attach('dan');
    await waitFor(() => danSink.received.length === 1, { what: 'the offline member' });
    expect(danSink.received[0]!.text).toBe('deploy at 5');
    await dan.close();
  });

  it.each([
    ['rooms({ members })', () => Promise.resolve([rooms({ members: { reviewers: ['dan', 'ann'] } })])],
    [
      "['rooms', { members }] in a JSON config",
      () => loadPlugins([['rooms', { members: { reviewers: ['dan', 'ann'] } }]], '/work/app', builtinPluginLoaders),
    ],
  ])('lists each room with its static and joined members, static members given as %s', async (_form, plugins) => {
    const made = await plugins();
    const world = await memoryAgents(['ann', 'bob'], { plugins: () => made });
    cleanupAfterTest(world.close);
    await callTool(world.agents.bob!.kernel, 'join', { room: 'backend' });
    await callTool(world.agents.bob!.kernel, 'join', { room: 'reviewers' });
    expect(await world.agents.ann!.kernel.extensions.listGroups()).toEqual([
      {
        scheme: 'room',
        groups: [
          { target: 'backend', agents: ['bob'] },
          { target: 'reviewers', agents: ['ann', 'bob', 'dan'] },
        ],
      },
    ]);
  });

  it('does not send to the sender, and leaving stops delivery', async () => {
    const world = await memoryAgents(['ann', 'bob'], { plugins: () => [rooms()] });
    cleanupAfterTest(world.close);
    await callTool(world.agents.ann!.kernel, 'join', { room: 'ops' });
    await callTool(world.agents.bob!.kernel, 'join', { room: 'ops' });
    expect(await callTool(world.agents.bob!.kernel, 'leave', { room: 'ops' })).toBe('left room:ops');
    const error = await world.agents
      .ann!.kernel.bus.send({ to: 'room:ops', text: 'x' })
      .catch((caught: unknown) => caught);
    expect(isCc2ccError(error, 'NO_RECIPIENTS')).toBe(true);
    expect((error as Error).message).toMatch(/reaches nobody but the sender/);
  });

  it('refuses an unknown or empty room with the known rooms listed, and a bad room name with the rule', async () => {
    const world = await memoryAgents(['ann', 'bob'], { plugins: () => [rooms({ members: { reviewers: ['bob'] } })] });
    cleanupAfterTest(world.close);
    const unknown = await world.agents
      .ann!.kernel.bus.send({ to: 'room:nowhere', text: 'x' })
      .catch((caught: unknown) => caught);
    expect((unknown as Error).message).toMatch(/room "nowhere" has no members; rooms: reviewers/);
    await expect(callTool(world.agents.ann!.kernel, 'join', { room: 'Bad Room' })).rejects.toThrow(/invalid room name/);
  });
});
