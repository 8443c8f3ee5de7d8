import { Cc2ccError } from '../kernel/errors.js';
import { createFsTransport } from './fs/index.js';
import { MemorySpace, MemoryTransport } from './memory/memory-transport.js';
import type { Logger } from '../kernel/logger.js';
import type { Transport } from '../kernel/transport.js';
import type { LoadedConfig } from '../config/load.js';
import type { TransportFactory, TransportFactoryContext } from '../config/schema.js';

type NamedFactory = (options: Record<string, unknown>, context: TransportFactoryContext, config: LoadedConfig) => Transport | Promise<Transport>;

/** Transports a config can name. Third-party ones come as `{ create(context) }` objects. */
const named: Record<string, NamedFactory> = {
  fs: (options, context, config) =>
    createFsTransport({
      root: context.root,
      logger: context.logger,
      maxBytes: context.maxBytes,
      rescanMs: config.rescanMs,
      retentionMs: config.retention.doneMs,
      maxDone: config.retention.maxDone,
      fsync: config.fsync,
      closeTimeoutMs: config.closeTimeoutMs,
      ...(typeof options.watch === 'boolean' && { watch: options.watch }),
    }),
  memory: (_options, context) => new MemoryTransport(new MemorySpace(), context.maxBytes),
  // Imported only when a config names it: projects on the folder never load the Redis client.
  // `url` defaults to CC2CC_REDIS_URL, then redis://127.0.0.1:6379 (docs/transports.md).
  redis: async (options, context, config) =>
    (await import('./redis/index.js')).createRedisTransportFromConfig(options, context, config),
};

/** Registers a transport under a name a config can use (e.g. by a transport package). */
export function registerTransport(name: string, factory: NamedFactory): void {
  named[name] = factory;
}

export async function createTransport(config: LoadedConfig, logger: Logger): Promise<Transport> {
  const context: TransportFactoryContext = { root: config.rootDir, projectDir: config.projectDir, maxBytes: config.maxBytes, logger };
  const spec = config.transport;
  if (typeof spec === 'object' && 'create' in spec && typeof spec.create === 'function') {
    return (spec as TransportFactory).create(context);
  }
  const { use, ...options } = typeof spec === 'string' ? { use: spec } : (spec as { use: string });
  const factory = named[use];
  if (!factory) {
    throw new Cc2ccError('UNKNOWN_TRANSPORT', `unknown transport "${use}"; known: ${Object.keys(named).join(', ')}, or an object with create(context)`, {
      use,
    });
  }
  return factory(options, context, config);
}
