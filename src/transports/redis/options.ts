import { hostname } from 'node:os';
import { z } from 'zod';
import { Cc2ccError } from '../../kernel/errors.js';
import type { LoadedConfig } from '../../config/load.js';
import type { Logger } from '../../kernel/logger.js';
import { RetentionSchema, type TransportFactoryContext } from '../../config/schema.js';
import { defaultNamespace, isNamespace, NAMESPACE_RULE } from './keys.js';

export interface RedisTransportOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  url: string;
  /** Keys start with `cc2cc:<namespace>:`; agents that share a bus share a namespace. */
  namespace: string;
  logger: Logger;
  /** Largest serialized envelope read or written (default 256 KiB). */
  maxBytes?: number;
  /** Unsettled messages one inbox may hold; a put beyond it is refused with INBOX_FULL (default 100 000). */
  maxLen?: number;
  /**
   * A receiver silent this long is presumed gone: its inbox lock lapses and the messages it
   * had taken are claimed by the next receiver (default 15 000 ms).
   */
  minIdleMs?: number;
  /**
   * The kernel's maxAttempts: a message handed out more often than maxAttempts + 1 times is
   * dead-lettered (default 5).
   */
  maxAttempts?: number;
  /** Acked envelope ids are remembered this long, to ack a repeated copy instead of delivering it (default 24 h). */
  doneMs?: number;
  /** ... and at most this many per inbox, the newest (default 10 000). */
  maxDone?: number;
  /** A presence record not renewed for this long expires (default 24 h). */
  presenceTtlMs?: number;
  /** Bound on the first connection to Redis (default 5000 ms). */
  connectTimeoutMs?: number;
  /**
   * How long one operation keeps trying while Redis is unreachable, LOADING or BUSY (default 3000
   * ms); later ones in the same outage fail at once.
   */
  opTimeoutMs?: number;
  /** Longest blocking read; a receiver wakes this often when idle (default 5000 ms). */
  blockMs?: number;
  /**
   * Acks a receiver may have on their way to Redis while it offers the next messages
   * (default 16): the most messages a crash of the receiver can hand over twice. 1 offers
   * the next message only once Redis has answered the ack of the previous one.
   */
  ackWindow?: number;
  /** This process's consumer name in the inbox groups (default: the host name). */
  consumer?: string;
}

export type RedisSettings = Required<RedisTransportOptions>;

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DAY_MS = 24 * 60 * 60 * 1000;

export const REDIS_TRANSPORT_DEFAULTS = {
  maxBytes: 256 * 1024,
  maxLen: 100_000,
  minIdleMs: 15_000,
  maxAttempts: 5,
  doneMs: DAY_MS,
  maxDone: 10_000,
  presenceTtlMs: DAY_MS,
  connectTimeoutMs: 5000,
  opTimeoutMs: 3000,
  blockMs: 5000,
  ackWindow: 16,
} as const satisfies Partial<RedisSettings>;

export function resolveSettings(options: RedisTransportOptions): RedisSettings {
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as RedisTransportOptions;
  const settings: RedisSettings = { ...REDIS_TRANSPORT_DEFAULTS, consumer: hostname(), ...defined };
  const minimums = {
    maxBytes: 1,
    maxLen: 1,
    minIdleMs: 30,
    maxAttempts: 1,
    doneMs: 1,
    maxDone: 0,
    presenceTtlMs: 1000,
    connectTimeoutMs: 1,
    opTimeoutMs: 1,
    blockMs: 1,
    ackWindow: 1,
  } as const;
  for (const [key, minimum] of Object.entries(minimums) as Array<[keyof typeof minimums, number]>) {
    const value = settings[key];
    if (!Number.isInteger(value) || value < minimum) {
      throw new Cc2ccError(
        'BAD_INPUT',
        `redis transport option ${key} must be a whole number of at least ${minimum}, got ${JSON.stringify(value)}`,
      );
    }
  }
  if (!isNamespace(settings.namespace))
    throw new Cc2ccError(
      'INVALID_CONFIG',
      `invalid Redis namespace ${JSON.stringify(settings.namespace)}: ${NAMESPACE_RULE}`,
    );
  if (typeof settings.consumer !== 'string' || settings.consumer === '')
    throw new Cc2ccError('BAD_INPUT', 'redis transport option consumer must be a non-empty string');
  return settings;
}

const ms = z.number().int().positive();

/** What `transport: { use: 'redis', ... }` may say in a config. */
export const RedisSpecSchema = z.strictObject({
  url: z.string().min(1).optional(),
  namespace: z.string().refine(isNamespace, { message: NAMESPACE_RULE }).optional(),
  minIdleMs: z.number().int().min(30).optional(),
  maxLen: z.number().int().min(1).optional(),
  presenceTtlMs: z.number().int().min(1000).optional(),
  connectTimeoutMs: ms.optional(),
  opTimeoutMs: ms.optional(),
  blockMs: ms.optional(),
  ackWindow: z.number().int().min(1).max(1024).optional(),
  consumer: z.string().min(1).optional(),
  retention: RetentionSchema.optional(),
});

export type RedisSpec = z.infer<typeof RedisSpecSchema>;

/**
 * From the config's transport entry to transport options. The URL is the config's `url`,
 * else `CC2CC_REDIS_URL`, else redis://127.0.0.1:6379. The namespace is the config's
 * `namespace`, else `CC2CC_REDIS_NAMESPACE`, else one derived from the project folder.
 * The environment never switches a project to Redis by itself: only the config does.
 */
export function optionsFromConfig(
  spec: Record<string, unknown>,
  context: TransportFactoryContext,
  config: Pick<LoadedConfig, 'maxAttempts' | 'configPath'>,
  env: NodeJS.ProcessEnv = process.env,
): RedisTransportOptions {
  const parsed = RedisSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const field = (path: PropertyKey[]) => ['transport', ...path.map(String)].join('.');
    const problems = parsed.error.issues.map((issue) => `  ${field(issue.path)}: ${issue.message}`);
    const known = Object.keys(RedisSpecSchema.shape).join(', ');
    throw new Cc2ccError(
      'INVALID_CONFIG',
      `invalid redis transport in ${config.configPath ?? 'inline config'} (fields: use, ` +
        `${known}):\n${problems.join('\n')}`,
      {
        issues: parsed.error.issues.map((issue) => ({ path: field(issue.path), message: issue.message })),
      },
    );
  }
  const { url, namespace, retention, ...rest } = parsed.data;
  const envNamespace = nonEmpty(env.CC2CC_REDIS_NAMESPACE);
  if (namespace === undefined && envNamespace !== undefined && !isNamespace(envNamespace)) {
    throw new Cc2ccError(
      'INVALID_CONFIG',
      `invalid CC2CC_REDIS_NAMESPACE ${JSON.stringify(envNamespace)}: ${NAMESPACE_RULE}`,
    );
  }
  return {
    ...rest,
    url: url ?? nonEmpty(env.CC2CC_REDIS_URL) ?? DEFAULT_REDIS_URL,
    namespace: namespace ?? envNamespace ?? defaultNamespace(context.projectDir),
    logger: context.logger,
    maxBytes: context.maxBytes,
    maxAttempts: config.maxAttempts,
    ...(retention !== undefined && { doneMs: retention.doneMs, maxDone: retention.maxDone }),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
