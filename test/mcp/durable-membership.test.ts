import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../src/testing/wait-for.js';
import {
  deleteNamespace,
  REDIS_URL,
  skipWithoutRedisServer,
  uniqueNamespace,
  useRedis,
} from '../transports/redis/support.js';
import { DELIVERY_TIMEOUT_MS, makeProject, processGone, selfWake, startAgent } from './support.js';
import type { StdioAgent } from '../../src/demo/stdio-agent.js';

/** `cc2cc serve --name NAME` in `project`, past its self-wake. */
async function serve(project: string, name: string): Promise<StdioAgent> {
  const agent = await startAgent(project, ['--name', name]);
  await selfWake(agent);
  return agent;
}

/** Ends the server as a crash would: SIGKILL, no sign-off, no cleanup. */
async function crash(agent: StdioAgent): Promise<void> {
  const pid = agent.pid!;
  process.kill(pid, 'SIGKILL');
  await waitFor(() => processGone(pid), { what: `pid ${pid} to end` });
  await agent.close().catch(() => {});
}

/** The scenario on one transport: `transport` is the config's `transport` (undefined: the folder). */
async function survivesRestarts(transport: unknown): Promise<string> {
  const project = await makeProject({ plugins: ['rooms', 'topics'], ...(transport !== undefined && { transport }) });
  const ann = await serve(project, 'ann');
  let bob = await serve(project, 'bob');
  expect(await bob.call('join', { room: 'backend' })).toMatchObject({ isError: false });
  expect(await bob.call('subscribe', { topic: 'ci.*' })).toMatchObject({ isError: false });

  // A clean stop, then a new session under the same name.
  await bob.close();
  bob = await serve(project, 'bob');
  expect((await ann.call('send', { to: 'room:backend', text: 'after the restart' })).text).toMatch(/bob: queued/);
  expect((await ann.call('send', { to: 'topic:ci.build', text: 'build green after the restart' })).text).toMatch(
    /bob: queued/,
  );
  await bob.waitForPush(
    (push) => push.content === 'after the restart' && push.meta.room === 'backend',
    DELIVERY_TIMEOUT_MS,
  );
  await bob.waitForPush(
    (push) => push.content === 'build green after the restart' && push.meta.topic === 'ci.build',
    DELIVERY_TIMEOUT_MS,
  );
  expect((await bob.call('list_agents')).text).toMatch(/bob .*rooms=\["backend"\].*topics=\["ci\.\*"\]/);

  // A crash: the name keeps its memberships while it is down, and after it comes back.
  await crash(bob);
  expect((await ann.call('send', { to: 'room:backend', text: 'while bob is down' })).text).toMatch(
    /bob: (queued|offline \(queued\))/,
  );
  bob = await serve(project, 'bob');
  await bob.waitForPush((push) => push.content === 'while bob is down', DELIVERY_TIMEOUT_MS);
  expect((await ann.call('send', { to: 'topic:ci.build', text: 'build red after the crash' })).text).toMatch(
    /bob: queued/,
  );
  await bob.waitForPush((push) => push.content === 'build red after the crash', DELIVERY_TIMEOUT_MS);

  // Leaving and unsubscribing end it, for this session and the next.
  expect((await bob.call('leave', { room: 'backend' })).text).toMatch(/left room:backend/);
  expect((await bob.call('unsubscribe', { topic: 'ci.*' })).text).toMatch(/unsubscribed from ci\.\*/);
  await bob.close();
  bob = await serve(project, 'bob');
  const toRoom = await ann.call('send', { to: 'room:backend', text: 'anyone?' });
  expect(toRoom).toMatchObject({ isError: true });
  expect(toRoom.text).toMatch(/room "backend" has no members/);
  const toTopic = await ann.call('send', { to: 'topic:ci.build', text: 'anyone following?' });
  expect(toTopic).toMatchObject({ isError: true });
  expect(toTopic.text).toMatch(/nobody follows topic:ci.build/);
  return project;
}

describe('rooms joined and topics followed belong to the name, through real servers', () => {
  it('survive a restart and a crash of the agent, and end when it leaves and unsubscribes', async () => {
    const project = await survivesRestarts(undefined);
    expect(existsSync(join(project, '.cc2cc', 'state'))).toBe(true);
  });

  it('static members from the config still count next to the agents that joined', async () => {
    const project = await makeProject({ plugins: [['rooms', { members: { reviewers: ['rev'] } }]] });
    const [ann, rev, dev] = [await serve(project, 'ann'), await serve(project, 'rev'), await serve(project, 'dev')];
    await dev.call('join', { room: 'reviewers' });
    await dev.close();
    const sent = await ann.call('send', { to: 'room:reviewers', text: 'please review #12' });
    expect(sent.text).toMatch(/rev: queued/);
    expect(sent.text).toMatch(/dev: offline \(queued\)/);
    await rev.waitForPush((push) => push.content === 'please review #12', DELIVERY_TIMEOUT_MS);
    // Leaving does not end a static membership.
    expect((await rev.call('leave', { room: 'reviewers' })).text).toMatch(/static member/);
    expect((await ann.call('send', { to: 'room:reviewers', text: 'still you' })).text).toMatch(/rev: queued/);
  });
});

describe.skipIf(!REDIS_URL && skipWithoutRedisServer('durable membership on Redis'))(
  'the same on the Redis transport',
  () => {
    const redis = useRedis();

    it('rooms and topics survive a restart and a crash, and end when the agent leaves and unsubscribes', async () => {
      const namespace = uniqueNamespace('durable');
      try {
        const project = await survivesRestarts({ use: 'redis', url: redis.url, namespace });
        expect(existsSync(join(project, '.cc2cc', 'state'))).toBe(false); // kept in Redis, not in the folder
      } finally {
        await deleteNamespace(redis.url, namespace);
      }
    });
  },
);
