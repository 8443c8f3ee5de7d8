import { describe } from 'vitest';
import { runTransportContract } from '../../../src/testing/transport-contract.js';
import { REDIS_URL, redisFixture, skipWithoutRedisServer, useRedis } from './support.js';

// Uses CC2CC_REDIS_URL when set, else a redis-server of its own. The cross-process clause
// runs test/fixtures/state-redis.mjs, which loads dist/: run `npm run build` first.
describe.skipIf(!REDIS_URL && skipWithoutRedisServer('the Redis transport contract'))('redis', () => {
  const redis = useRedis();
  runTransportContract({
    name: 'redis',
    create: redisFixture(() => redis.url),
    skip: [
      { reason: 'it has no locate yet', tests: ['locate'] },
      { reason: 'it does not replay yet (Transport.observe)', tests: ['observe replay'] },
    ],
  });
});
