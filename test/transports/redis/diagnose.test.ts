import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInfo } from '../../../src/transports/redis/diagnose.js';
import type { RedisTransport } from '../../../src/transports/redis/index.js';
import { waitFor } from '../../../src/testing/wait-for.js';
import {
  adminClient,
  deleteNamespace,
  OwnRedis,
  redisTransport,
  skipWithoutRedisServer,
  uniqueNamespace,
} from './support.js';

// A server of this suite's own: the tests change its memory and persistence settings.
const skip = skipWithoutRedisServer('the Redis diagnose tests');

describe.skipIf(skip)('the Redis transport diagnoses itself for cc2cc doctor', () => {
  let redis: OwnRedis;
  let transport: RedisTransport;
  const namespace = uniqueNamespace('diagnose');
  beforeAll(async () => {
    redis = await OwnRedis.start();
    transport = await redisTransport(redis.url, namespace, { opTimeoutMs: 500 });
  });
  afterAll(async () => {
    await transport?.close();
    await deleteNamespace(redis.url, namespace).catch(() => {});
    await redis?.stop();
  });

  async function configure(settings: Record<string, string>): Promise<void> {
    const admin = await adminClient(redis.url);
    try {
      for (const [name, value] of Object.entries(settings)) await admin.configSet(name, value);
    } finally {
      await admin.close();
    }
  }

  it('says which server answers and how many agents the namespace has', async () => {
    const admin = await adminClient(redis.url);
    const version = parseInfo(await admin.info('server')).get('redis_version');
    await admin.close();
    expect(version).toMatch(/^\d+\.\d+/);
    const lastSeen = new Date().toISOString();
    const startedAt = lastSeen;
    await transport.announce({ name: 'calm-owl', state: 'online', pid: 1, host: 'h', startedAt, lastSeen, data: {} });
    const answers = `${redis.url} answers: Redis ${version}; namespace "${namespace}" has 1 agent`;
    expect(await transport.diagnose()).toEqual([{ level: 'ok', check: 'redis', message: answers }]);
  });

  // Before the settings test: turning the append-only file back on starts a rewrite that a stop waits for.
  it('reports a Redis that stopped answering as a fail with the fix, not a throw', async () => {
    await redis.halt();
    try {
      expect(await transport.diagnose()).toEqual([
        {
          level: 'fail',
          check: 'redis',
          message: expect.stringMatching(/unreachable/),
          fix: expect.stringMatching(/start redis-server/),
        },
      ]);
    } finally {
      await redis.startAgain();
    }
    await waitFor(async () => (await transport.diagnose())[0]?.level === 'ok', { what: 'the transport to reconnect' });
  });

  it('warns when a memory limit would evict keys, and notes a Redis that keeps nothing on disk', async () => {
    await configure({ maxmemory: '1gb', 'maxmemory-policy': 'allkeys-lru', appendonly: 'no', save: '' });
    try {
      const findings = await transport.diagnose();
      expect(findings.map((finding) => [finding.level, finding.check])).toEqual([
        ['ok', 'redis'],
        ['warn', 'redis-memory'],
        ['info', 'redis-persistence'],
      ]);
      expect(findings[1]).toMatchObject({
        message: expect.stringMatching(/maxmemory-policy is allkeys-lru/),
        fix: expect.stringMatching(/noeviction/),
      });
    } finally {
      await configure({ maxmemory: '0', 'maxmemory-policy': 'noeviction', appendonly: 'yes' });
    }
    expect((await transport.diagnose()).map((finding) => finding.check)).toEqual(['redis']);
  });

  it('reads INFO text into fields', () => {
    const text = '# Server\r\nredis_version:7.2.4\r\nrole:master\r\n\r\n# Memory\r\nmaxmemory_policy:noeviction\r\n';
    expect([...parseInfo(text)]).toEqual([
      ['redis_version', '7.2.4'],
      ['role', 'master'],
      ['maxmemory_policy', 'noeviction'],
    ]);
  });
});
