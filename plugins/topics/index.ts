import { z } from 'zod';
import { Cc2ccError, assertTopic, assertTopicPattern, definePlugin, topicMatches, type AgentInfo } from '../../src/index.js';
import { listIn, requireAgent, updateOwnList } from '../shared/presence-list.js';

const KEY = 'topics';

/**
 * `topic:<a.b.c>` addresses go to every agent with a matching subscription pattern
 * (`*` one segment, `>` the rest). Subscriptions live in each agent's presence record,
 * so publishing is durable: an offline subscriber gets the message when it starts.
 */
export const topics = definePlugin(() => ({
  name: 'topics',
  setup(ctx) {
    ctx.addScheme('topic', async (topic, { directory }) => {
      assertTopic(topic);
      const subscribers = (await directory.agents()).filter((agent) => listIn(agent, KEY).some((pattern) => topicMatches(pattern, topic)));
      if (subscribers.length === 0) {
        throw new Cc2ccError('NO_RECIPIENTS', `nobody follows topic:${topic}; the message was not stored (agents follow topics with "subscribe")`, { topic });
      }
      return subscribers.map((agent) => agent.name);
    });

    ctx.addTool({
      name: 'subscribe',
      description: 'Follow a topic pattern: "ci.*" matches ci.build; "ci.>" matches ci.build and ci.build.linux.',
      input: { topic: z.string().describe('topic pattern, e.g. "ci.*"') },
      async run({ topic }, { bus }) {
        requireAgent(bus, 'subscribe');
        const changed = await updateOwnList(bus, KEY, assertTopicPattern(topic), true);
        return { text: changed ? `subscribed to ${topic}` : `already subscribed to ${topic}` };
      },
    });

    ctx.addTool({
      name: 'unsubscribe',
      description: 'Stop following a topic pattern you subscribed to.',
      input: { topic: z.string().describe('the exact pattern you subscribed with') },
      async run({ topic }, { bus }) {
        requireAgent(bus, 'unsubscribe');
        const changed = await updateOwnList(bus, KEY, assertTopicPattern(topic), false);
        return { text: changed ? `unsubscribed from ${topic}` : `was not subscribed to ${topic}` };
      },
    });
  },
}));

/** An agent's subscription patterns. */
export function subscriptions(agent: Pick<AgentInfo, 'presence'>): string[] {
  return listIn(agent, KEY);
}
