import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe } from 'vitest';
import type { RedisTransport } from '../../../src/transports/redis/redis-transport.js';
import { runStateContract } from '../../../src/testing/state-contract.js';
import {
  deleteNamespace,
  REDIS_URL,
  redisTransport,
  skipWithoutRedisServer,
  uniqueNamespace,
  useRedis,
} from './support.js';

// Uses CC2CC_REDIS_URL when set, else a redis-server of its own. The racing and crash tests
// spawn test/fixtures/state-worker.mjs, which loads dist/: run `npm run build` first.
describe.skipIf(!REDIS_URL && skipWithoutRedisServer('the Redis State contract'))('redis state', () => {
  const redis = useRedis();

  runStateContract({
    name: 'redis',
    async create() {
      const namespace = uniqueNamespace('state');
      const opened: RedisTransport[] = [];
      return {
        async connect() {
          const transport = await redisTransport(redis.url, namespace);
          opened.push(transport);
          return transport.busState;
        },
        async cleanup() {
          await Promise.all(opened.map((transport) => transport.close()));
          await deleteNamespace(redis.url, namespace);
        },
        worker: {
          opener: pathToFileURL(join(import.meta.dirname, '../../fixtures/state-redis.mjs')).href,
          options: { url: redis.url, namespace },
        },
      };
    },
  });
});
