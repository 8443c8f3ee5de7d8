import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { isCc2ccError } from '../../src/kernel/errors.js';
import { compose } from '../../src/kernel/compose.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { MemoryTransport } from '../../src/transports/memory/memory-transport.js';
import { definePlugin } from '../../src/plugin.js';
import { rooms } from '../../plugins/rooms/index.js';
import { topics } from '../../plugins/topics/index.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { callTool } from '../plugins/support/tool-helpers.js';
import { kernelConfig, memoryAgents, useCleanup } from './helpers.js';

const cleanupAfterTest = useCleanup();

describe('routes', () => {
  it('sends everything on topic:ci.* to room:reviewers as well', async () => {
    const routes = [{ match: { to: 'topic:ci.*' }, also: ['room:reviewers'] }];
    const world = await memoryAgents(['ci-bot', 'dev', 'rev'], {
      plugins: () => [rooms({ members: { reviewers: ['rev'] } }), topics()],
      config: { routes },
    });
    cleanupAfterTest(world.close);
    await callTool(world.agents.dev!.kernel, 'subscribe', { topic: 'ci.*' });
    const result = await world.agents['ci-bot']!.kernel.bus.send({ to: 'topic:ci.build', text: 'build 7 red' });
    expect(result.results).toEqual([
      { agent: 'dev', via: 'topic:ci.build', status: 'queued' },
      { agent: 'rev', via: 'room:reviewers', status: 'queued' },
    ]);
    await waitFor(() => world.agents.rev!.sink.received.length === 1 && world.agents.dev!.sink.received.length === 1);
  });

  it('copies to room:reviewers even when nobody follows the topic', async () => {
    const routes = [{ match: { to: 'topic:ci.*' }, also: ['room:reviewers'] }];
    const world = await memoryAgents(['ci-bot', 'rev'], {
      plugins: () => [rooms({ members: { reviewers: ['rev'] } }), topics()],
      config: { routes },
    });
    cleanupAfterTest(world.close);
    const result = await world.agents['ci-bot']!.kernel.bus.send({ to: 'topic:ci.build', text: 'nobody subscribed' });
    expect(result.results).toEqual([{ agent: 'rev', via: 'room:reviewers', status: 'queued' }]);
    await expect(
      world.agents['ci-bot']!.kernel.bus.send({ to: 'topic:deploy.done', text: 'no route either' }),
    ).rejects.toThrow(/nobody follows topic:deploy.done/);
  });

  it('replaces recipients with "replace"', async () => {
    const world = await memoryAgents(['ann', 'bob', 'cid'], {
      config: { routes: [{ match: { to: 'bob', from: 'ann' }, replace: ['cid'] }] },
    });
    cleanupAfterTest(world.close);
    const result = await world.agents.ann!.kernel.bus.send({ to: 'bob', text: 'x' });
    expect(result.results.map((entry) => entry.agent)).toEqual(['cid']);
    const fromCid = await world.agents.cid!.kernel.bus.send({ to: 'bob', text: 'y' });
    expect(fromCid.results.map((entry) => entry.agent)).toEqual(['bob']);
  });

  it('refuses a looping pair of routes at config load', () => {
    const looping = {
      routes: [
        { match: { to: 'topic:ci.*' }, also: ['room:reviewers'] },
        { match: { to: 'room:reviewers' }, also: ['topic:ci.review'] },
      ],
    };
    try {
      resolveConfig(looping, { projectDir: '/tmp' });
      expect.unreachable();
    } catch (error) {
      expect(isCc2ccError(error, 'INVALID_CONFIG')).toBe(true);
      expect((error as Error).message).toMatch(
        /routes loop: route #1 \(topic:ci\.\*\) → route #2 \(room:reviewers\) → route #1/,
      );
    }
  });

  it('routes on a scheme of a plugin the kernel has never heard of, matching patterns as the plugin says', async () => {
    const routes = [{ match: { to: 'team:web' }, also: ['ops'] }];
    const world = await memoryAgents(['ann', 'bob', 'ops', 'lead'], { plugins: () => [teams()], config: { routes } });
    cleanupAfterTest(world.close);
    // `team:web` covers `team:web-front` only by the plugin's `matches`: by the kernel's rule it would not.
    const result = await world.agents.lead!.kernel.bus.send({ to: 'team:web-front', text: 'deploy at noon' });
    expect(result.results).toEqual([
      { agent: 'ann', via: 'team:web-front', status: 'queued' },
      { agent: 'ops', via: 'ops', status: 'queued' },
    ]);
    const other = await world.agents.lead!.kernel.bus.send({ to: 'team:data', text: 'not web' });
    expect(other.results.map((entry) => entry.agent)).toEqual(['bob']);
    expect(await world.agents.lead!.kernel.extensions.listGroups()).toEqual([
      {
        scheme: 'team',
        groups: [
          { target: 'data', agents: ['bob'] },
          { target: 'web-front', agents: ['ann'] },
        ],
      },
    ]);
  });

  it("finds a loop through a plugin scheme's own matching when it composes", async () => {
    const routes = [
      { match: { to: 'team:web' }, also: ['team:data'] },
      { match: { to: 'team:data' }, also: ['team:web-back'] },
    ];
    await expect(
      compose({
        config: kernelConfig({ routes }),
        transport: new MemoryTransport(),
        plugins: [teams()],
        logger: silentLogger,
      }),
    ).rejects.toThrow(/routes loop: route #1 \(team:web\) → route #2 \(team:data\) → route #1/);
  });

  it('refuses malformed routes and routes to a scheme no plugin handles', async () => {
    expect(() => resolveConfig({ routes: [{ match: {}, also: ['x'] }] }, { projectDir: '/tmp' })).toThrow(
      /routes\.0\.match: a route needs at least one/,
    );
    expect(() =>
      resolveConfig({ routes: [{ match: { to: 'a' }, also: ['b'], replace: ['c'] }] }, { projectDir: '/tmp' }),
    ).toThrow(/either "also" or "replace"/);
    const config = kernelConfig({ routes: [{ match: { to: 'a' }, also: ['room:x'] }] });
    await expect(compose({ config, transport: new MemoryTransport(), logger: silentLogger })).rejects.toThrow(
      /routes\.0: "room:x" needs a plugin that handles "room:"/,
    );
  });
});

/** A test-only scheme: `team:<name>`, where the pattern `team:web` covers every `web-` team. */
function teams() {
  const table: Record<string, string[]> = { 'web-front': ['ann'], data: ['bob'] };
  return definePlugin({
    name: 'teams',
    setup(ctx) {
      ctx.addScheme('team', {
        resolve: (team) => table[team] ?? [],
        matches: (pattern, team) => team === pattern || team.startsWith(`${pattern}-`),
        list: () => Object.entries(table).map(([target, agents]) => ({ target, agents })),
      });
    },
  });
}
