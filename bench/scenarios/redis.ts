import { randomBytes } from 'node:crypto';
import { createTransport, resolveConfig, silentLogger } from '../../src/index.js';
import { burst, oneAtATime, type TransportFactory } from '../harness.js';
import { summarize } from '../stats.js';
import { scaled, type BenchContext, type Scenario } from '../scenario.js';

export function redisTransports(context: BenchContext): TransportFactory {
  const config = resolveConfig(
    { transport: { use: 'redis', url: context.redisUrl, namespace: `bench-${randomBytes(4).toString('hex')}` } },
    { projectDir: context.dir },
  );
  return () => createTransport(config, silentLogger);
}

/** latency-fs and throughput-fs on the Redis Streams transport (when CC2CC_REDIS_URL is set). */
export const latencyRedis: Scenario = {
  name: 'latency-redis',
  async run(context) {
    const samples = await oneAtATime(redisTransports(context), scaled(2000, context.scale), context.progress);
    return {
      name: 'latency-redis',
      description: 'Bus → Redis Streams transport → Bus, one at a time',
      latency: summarize(samples),
      samples,
    };
  },
};

export const throughputRedis: Scenario = {
  name: 'throughput-redis',
  async run(context) {
    const count = scaled(20_000, context.scale);
    const { seconds, rate } = await burst(redisTransports(context), count);
    return {
      name: 'throughput-redis',
      description: `${count} messages over Redis, first send to last delivery`,
      rate,
      figures: { messages: count, seconds },
    };
  },
};
