/**
 * The Redis Streams transport: `transport: { use: 'redis', url, namespace }` in the config
 * (docs/transports.md). The registry imports this module only when a config names it, so
 * projects on the folder transport never load the Redis client.
 */
import type { LoadedConfig } from '../../config/load.js';
import type { TransportFactoryContext } from '../../config/schema.js';
import { optionsFromConfig } from './options.js';
import { RedisTransport } from './redis-transport.js';

export { RedisTransport, createRedisTransport } from './redis-transport.js';
export { RedisKeys, defaultNamespace, isNamespace, NAMESPACE_RULE } from './keys.js';
export {
  optionsFromConfig,
  DEFAULT_REDIS_URL,
  REDIS_TRANSPORT_DEFAULTS,
  RedisSpecSchema,
  type RedisTransportOptions,
  type RedisSpec,
} from './options.js';
export { redactUrl } from './connection.js';

/** The factory `src/transports/registry.ts` calls for `use: 'redis'`. */
export function createRedisTransportFromConfig(
  spec: Record<string, unknown>,
  context: TransportFactoryContext,
  config: LoadedConfig,
): Promise<RedisTransport> {
  return RedisTransport.connect(optionsFromConfig(spec, context, config));
}
