import { afterEach, describe, expect, it } from 'vitest';
import { createEnvelope } from '../../../src/kernel/envelope.js';
import type { Transport } from '../../../src/kernel/transport.js';
import { DELIVERY_TIMEOUT_MS, makeProject, selfWake, startAgent } from '../../mcp/support.js';
import { freePort, OwnRedis, redisTransport, skipWithoutRedisServer, uniqueNamespace } from './support.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

describe.skipIf(skipWithoutRedisServer('the Redis start-up test'))('cc2cc serve with Redis down at start-up', () => {
  it('connects to its client, tells the agent the bus is unreachable, and works once Redis is started', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const namespace = uniqueNamespace('late');
    const project = await makeProject({
      agents: ['calm-owl', 'brave-fox'],
      transport: { use: 'redis', url, namespace, connectTimeoutMs: 500 },
    });

    // No redis-server yet: the MCP connection still comes up.
    const agent = await startAgent(project, ['--name', 'calm-owl']);
    const wake = await selfWake(agent);
    expect(wake.meta).toMatchObject({ kind: 'system', bus: 'unreachable' });
    expect(wake.content).toContain('cc2cc: you are calm-owl. the message bus is unreachable');
    expect(wake.content).toContain(`cannot reach Redis at ${url}`);
    const early = await agent.call('send', { to: 'brave-fox', text: 'too early' });
    expect(early.isError).toBe(true);
    expect(early.text).toMatch(/TRANSPORT_UNAVAILABLE: nothing was done: the message bus is unreachable \(.*cannot reach Redis/);
    const listed = await agent.call('list_agents');
    expect(listed.text).toContain('cc2cc: the message bus is unreachable');

    const redis = await OwnRedis.start([], port);
    cleanups.push(() => redis.stop());
    const back = await agent.waitForPush((push) => push.content.includes('reachable again'), DELIVERY_TIMEOUT_MS, 'the "bus is back" push');
    expect(back.meta).toMatchObject({ kind: 'system', to: 'calm-owl' });

    const sender: Transport = await redisTransport(url, namespace);
    cleanups.push(() => sender.close());
    const envelope = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: 'now it works' });
    await sender.put('calm-owl', envelope);
    const delivered = await agent.waitForPush((push) => push.meta.id === envelope.id, DELIVERY_TIMEOUT_MS, 'the message sent once Redis is up');
    expect(delivered.content).toBe('now it works');
    const sent = await agent.call('send', { to: 'brave-fox', text: 'and back' });
    expect(sent.isError).toBe(false);
    expect(sent.text).toMatch(/brave-fox: offline \(queued\)/);
    expect(sent.text).not.toContain('unreachable');
  });
});
