import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import type { RedisTransport } from '../../../plugins/transport-redis/redis-transport.js';
import { runStateContract } from '../../contract/state-contract.js';
import { deleteNamespace, OwnRedis, REDIS_URL, redisTransport, skipWithoutRedisServer, uniqueNamespace } from './support.js';

// Uses CC2CC_REDIS_URL when set, else a redis-server of its own. The racing and crash tests
// spawn test/fixtures/state-worker.mjs, which loads dist/: run `npm run build` first.
describe.skipIf(!REDIS_URL && skipWithoutRedisServer('the Redis State contract'))('redis state', () => {
  let own: OwnRedis | undefined;
  let url: string;
  beforeAll(async () => {
    if (REDIS_URL) url = REDIS_URL;
    else {
      own = await OwnRedis.start();
      url = own.url;
    }
  });
  afterAll(async () => {
    await own?.stop();
  });

  runStateContract({
    name: 'redis',
    async create() {
      const namespace = uniqueNamespace('state');
      const opened: RedisTransport[] = [];
      return {
        async connect() {
          const transport = await redisTransport(url, namespace);
          opened.push(transport);
          return transport.busState;
        },
        async cleanup() {
          await Promise.all(opened.map((transport) => transport.close()));
          await deleteNamespace(url, namespace);
        },
        worker: { opener: pathToFileURL(join(import.meta.dirname, '../../fixtures/state-redis.mjs')).href, options: { url, namespace } },
      };
    },
  });
});
