import { z } from 'zod';
import {
  Cc2ccError,
  assertTopic,
  assertTopicPattern,
  definePlugin,
  topicMatches,
  type State,
} from '../../src/plugin.js';
import { listOf, listsOf, requireAgent, updateList } from '../shared/state-list.js';

const KEY = 'topics';

/**
 * `topic:<a.b.c>` addresses go to every agent with a matching subscription pattern
 * (`*` one segment, `>` the rest). Subscriptions are bus state at `agent/<name>/topics`:
 * they belong to the name and survive restarts until it unsubscribes (or is forgotten), so
 * publishing is durable: an offline subscriber gets the message when it starts.
 */
export const topics = definePlugin(() => ({
  name: 'topics',
  setup(ctx) {
    const state = ctx.state;
    ctx.addScheme('topic', {
      describe: 'a topic (topic:a.b)',
      async resolve(topic) {
        assertTopic(topic);
        const subscribers = [...(await listsOf(state, KEY))]
          .filter(([, patterns]) => patterns.some((pattern) => topicMatches(pattern, topic)))
          .map(([name]) => name);
        if (subscribers.length === 0) {
          throw new Cc2ccError(
            'NO_RECIPIENTS',
            `nobody follows topic:${topic}; the message was not stored (agents follow topics with "subscribe")`,
            { topic },
          );
        }
        return subscribers;
      },
      // Each pattern somebody follows, with its subscribers. Routes match topic patterns by the kernel's rule.
      async list() {
        const subscribers = new Map<string, string[]>();
        for (const [name, patterns] of await listsOf(state, KEY))
          for (const pattern of patterns) subscribers.set(pattern, [...(subscribers.get(pattern) ?? []), name]);
        return [...subscribers].map(([target, agents]) => ({ target, agents }));
      },
    });

    ctx.addTool({
      name: 'subscribe',
      description: 'Follow a topic pattern: "ci.*" matches ci.build; "ci.>" matches ci.build and ci.build.linux.',
      input: { topic: z.string().describe('topic pattern, e.g. "ci.*"') },
      async run({ topic }, { bus }) {
        const self = requireAgent(bus, 'subscribe');
        const changed = await updateList(state, self, KEY, assertTopicPattern(topic), true);
        return { text: changed ? `subscribed to ${topic}` : `already subscribed to ${topic}` };
      },
    });

    ctx.addTool({
      name: 'unsubscribe',
      description: 'Stop following a topic pattern you subscribed to.',
      input: { topic: z.string().describe('the exact pattern you subscribed with') },
      async run({ topic }, { bus }) {
        const self = requireAgent(bus, 'unsubscribe');
        const changed = await updateList(state, self, KEY, assertTopicPattern(topic), false);
        return { text: changed ? `unsubscribed from ${topic}` : `was not subscribed to ${topic}` };
      },
    });
  },
}));

/** An agent's subscription patterns. */
export function subscriptions(state: State, name: string): Promise<string[]> {
  return listOf(state, name, KEY);
}
