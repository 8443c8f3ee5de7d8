import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newId } from '../../src/kernel/ids.js';
import { agentStateKey } from '../../src/kernel/agent-state.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { startAgent } from './helpers.js';

type Agent = Awaited<ReturnType<typeof startAgent>>;

/**
 * Three agents at work on one project (backend, tests, reviewer): a room, a topic, a
 * request with its reply, direct messages, and one broken file that becomes a dead letter.
 * Returns the request's id and how many messages should end up done.
 */
export async function playConversation(
  dir: string,
  closers: Array<() => unknown>,
): Promise<{ requestId: string; delivered: number }> {
  const backend = await agent(dir, 'backend', closers);
  const tests = await agent(dir, 'tests', closers);
  const reviewer = await agent(dir, 'reviewer', closers);
  // What the rooms and topics plugins keep when agents join and subscribe.
  for (const each of [backend, tests, reviewer])
    await each.kernel.bus.state.set(agentStateKey(each.kernel.bus.name!, 'rooms'), ['team']);
  await tests.kernel.bus.state.set(agentStateKey('tests', 'topics'), ['ci.*']);
  await reviewer.kernel.bus.state.set(agentStateKey('reviewer', 'topics'), ['ci.>']);

  let delivered = 0;
  const say = async (from: Agent, to: string, text: string, kind: 'message' | 'event' = 'message') => {
    const sent = await from.kernel.bus.send({ to, text, kind });
    delivered += 1;
    return sent.id;
  };

  await say(backend, 'room:team', 'Orders API is up: GET /orders/:id and POST /orders');
  await say(reviewer, 'backend', 'Looking now. Is the id a ULID or a number?');
  await say(backend, 'reviewer', 'A ULID, checked by zod before it reaches the handler');

  const question = tests.kernel.bus.request('backend', 'Which status code for an unknown order id?', {
    timeoutMs: 30_000,
  });
  const request = await waitFor(() => backend.sink.received.find((envelope) => envelope.kind === 'request'), {
    what: 'the request at backend',
  });
  await backend.kernel.bus.reply(request.id, '404, with {"error": "order not found"}');
  await question;
  delivered += 2;

  await say(backend, 'topic:ci.build', 'build #142 passed: 38 tests', 'event');
  await say(reviewer, 'backend', 'Please add a test for the 404 case');
  await say(backend, 'tests', 'Added orders.test.ts > unknown id; can you run it?');
  await say(tests, 'room:team', 'All 39 tests green on build #143');

  // A file no agent could have written: the receiver refuses it into dead/.
  await writeFile(join(dir, '.cc2cc', 'to-reviewer', 'inbox', `${newId()}.json`), '{"v": 1, "text": "half a message');
  return { requestId: request.id, delivered };
}

async function agent(dir: string, name: string, closers: Array<() => unknown>): Promise<Agent> {
  const started = await startAgent(dir, name);
  closers.push(() => started.kernel.close());
  return started;
}
