import { describe } from 'vitest';
import { runTransportContract } from '../../contract/transport-contract.js';
import { REDIS_URL, redisFixture, skipWithoutRedisUrl } from './support.js';

describe.skipIf(skipWithoutRedisUrl('the Redis transport contract'))('redis', () => runTransportContract({ name: 'redis', create: redisFixture(REDIS_URL!) }));
