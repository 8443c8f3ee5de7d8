import { afterEach, describe, expect, it } from 'vitest';
import { isCc2ccError } from '../../../src/kernel/errors.js';
import type { Transport } from '../../../src/kernel/transport.js';
import { waitFor } from '../../../src/testing/wait-for.js';
import { adminClient, deleteNamespace, redisTransport, uniqueNamespace, useRedis } from './support.js';

describe('redis transport: an inbox lock another receiver took over', () => {
  const redis = useRedis();
  const namespaces: string[] = [];
  const opened: Transport[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((transport) => transport.close()));
    await Promise.all(namespaces.splice(0).map((namespace) => deleteNamespace(redis.url, namespace)));
  });

  it('the receiver stops and tells its owner who holds the inbox now (onlost); the new lock stays', async () => {
    const namespace = uniqueNamespace('lock');
    namespaces.push(namespace);
    const transport = await redisTransport(redis.url, namespace, { minIdleMs: 300 });
    opened.push(transport);
    const inbox = await transport.open('calm-owl', async (delivery) => delivery.ack());
    const lost: Error[] = [];
    inbox.onlost = (error) => lost.push(error);

    // As a receiver on another machine does once this one's lock lapsed.
    const key = `cc2cc:${namespace}:lock:calm-owl`;
    const other = JSON.stringify({ pid: 4242, host: 'machine-b', startedAt: '2026-11-27T10:00:00.000Z', token: 'b' });
    const admin = await adminClient(redis.url);
    try {
      await admin.set(key, other, { PX: 60_000 });
      await waitFor(() => lost.length > 0, { what: 'onlost' });
      expect(lost).toHaveLength(1);
      expect(isCc2ccError(lost[0], 'INBOX_LOCKED')).toBe(true);
      const holder = 'pid 4242 on machine-b (since 2026-11-27T10:00:00.000Z)';
      expect(lost[0]!.message).toBe(
        `${holder} holds the inbox of "calm-owl" now (Redis key ${key}): this receiver's lock lapsed or was taken over`,
      );
      await inbox.close();
      expect(await admin.get(key)).toBe(other);
    } finally {
      await admin.close();
    }
  });
});
