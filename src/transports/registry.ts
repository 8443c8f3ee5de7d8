import { Cc2ccError } from '../kernel/errors.js';
import { createFsTransport } from './fs/index.js';
import { MemorySpace, MemoryTransport } from './memory/memory-transport.js';
import type { Logger } from '../kernel/logger.js';
import type { Transport } from '../kernel/transport.js';
import type { LoadedConfig } from '../config/load.js';
import { FsTransportSchema, type TransportFactory, type TransportFactoryContext } from '../config/schema.js';

type NamedFactory = (
  options: Record<string, unknown>,
  context: TransportFactoryContext,
  config: LoadedConfig,
) => Transport | Promise<Transport>;

/** Transports a config can name. Third-party ones come as `{ create(context) }` objects. */
const named: Record<string, NamedFactory> = {
  // Its options were checked when the config loaded (src/config/transport-entry.ts); parsing fills the defaults again.
  fs: (options, context) => {
    const fs = FsTransportSchema.parse({ ...options, use: 'fs' });
    return createFsTransport({
      root: context.root,
      logger: context.logger,
      maxBytes: context.maxBytes,
      rescanMs: fs.rescanMs,
      retentionMs: fs.retention.doneMs,
      maxDone: fs.retention.maxDone,
      fsync: fs.fsync,
      closeTimeoutMs: fs.closeTimeoutMs,
      watch: fs.watch,
    });
  },
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
  const context: TransportFactoryContext = {
    root: config.rootDir,
    projectDir: config.projectDir,
    maxBytes: config.maxBytes,
    logger,
  };
  const spec = config.transport;
  if (typeof spec === 'object' && 'create' in spec && typeof spec.create === 'function') {
    return (spec as TransportFactory).create(context);
  }
  // `root` is every transport's (this machine's files): it reaches the factory as `context.root`.
  const {
    use,
    root: _root,
    ...options
  } = typeof spec === 'string' ? { use: spec } : (spec as { use: string; root?: string });
  const factory = named[use];
  if (!factory) {
    throw new Cc2ccError(
      'UNKNOWN_TRANSPORT',
      `unknown transport "${use}"; known: ${Object.keys(named).join(', ')}, or an object with create(context)`,
      {
        use,
      },
    );
  }
  return factory(options, context, config);
}
