import { describe, expect, it } from 'vitest';
import { topicMatches } from '../../../src/kernel/patterns.js';
import { topics } from '../../../plugins/topics/index.js';
import { waitFor } from '../../../src/testing/wait-for.js';
import { memoryAgents, useCleanup } from '../../kernel/helpers.js';
import { callTool } from '../support/tool-helpers.js';

const cleanupAfterTest = useCleanup();

describe('topic patterns', () => {
  it.each([
    ['ci.*', 'ci.build', true],
    ['ci.*', 'ci.build.linux', false],
    ['ci.>', 'ci.build', true],
    ['ci.>', 'ci.build.linux', true],
    ['ci.>', 'ci', false],
    ['*.build', 'ci.build', true],
    ['ci.build', 'ci.build', true],
    ['ci.build', 'ci.test', false],
  ])('%s against %s is %s', (pattern, topic, expected) => {
    expect(topicMatches(pattern, topic)).toBe(expected);
  });
});

describe('topics plugin', () => {
  it('delivers to matching subscribers only, and says when nobody follows', async () => {
    const world = await memoryAgents(['ann', 'bob'], { plugins: () => [topics()] });
    cleanupAfterTest(world.close);
    const { ann, bob } = world.agents;
    expect(await callTool(bob!.kernel, 'subscribe', { topic: 'ci.*' })).toBe('subscribed to ci.*');
    const published = await ann!.kernel.bus.send({ to: 'topic:ci.build', text: 'build 42 green' });
    expect(published.results).toEqual([{ agent: 'bob', via: 'topic:ci.build', status: 'queued' }]);
    await waitFor(() => bob!.sink.received.length === 1);

    await expect(ann!.kernel.bus.send({ to: 'topic:ci.build.linux', text: 'x' })).rejects.toThrow(
      /nobody follows topic:ci.build.linux/,
    );
    await callTool(bob!.kernel, 'subscribe', { topic: 'ci.>' });
    await ann!.kernel.bus.send({ to: 'topic:ci.build.linux', text: 'linux green' });
    await waitFor(() => bob!.sink.received.length === 2);
    expect(bob!.sink.received[1]!.text).toBe('linux green');

    expect(await callTool(bob!.kernel, 'unsubscribe', { topic: 'ci.>' })).toBe('unsubscribed from ci.>');
    await expect(ann!.kernel.bus.send({ to: 'topic:ci.build.linux', text: 'x' })).rejects.toThrow(/nobody follows/);
  });

  it('lists each pattern followed, with its subscribers', async () => {
    const world = await memoryAgents(['ann', 'bob'], { plugins: () => [topics()] });
    cleanupAfterTest(world.close);
    await callTool(world.agents.ann!.kernel, 'subscribe', { topic: 'ci.*' });
    await callTool(world.agents.bob!.kernel, 'subscribe', { topic: 'ci.*' });
    await callTool(world.agents.bob!.kernel, 'subscribe', { topic: 'deploy.>' });
    expect(await world.agents.ann!.kernel.extensions.listGroups()).toEqual([
      {
        scheme: 'topic',
        groups: [
          { target: 'ci.*', agents: ['ann', 'bob'] },
          { target: 'deploy.>', agents: ['bob'] },
        ],
      },
    ]);
  });

  it('refuses bad patterns and topics with the rule', async () => {
    const world = await memoryAgents(['ann'], { plugins: () => [topics()] });
    cleanupAfterTest(world.close);
    await expect(callTool(world.agents.ann!.kernel, 'subscribe', { topic: 'ci.>.x' })).rejects.toThrow(
      /final ">" matches one or more/,
    );
    await expect(world.agents.ann!.kernel.bus.send({ to: 'topic:CI..x', text: '' })).rejects.toThrow(/invalid topic/);
  });
});
