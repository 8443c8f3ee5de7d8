import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, ErrorReply } from 'redis';
import { Cc2ccError, describeError, type Logger } from '../../src/index.js';

export type RedisClient = ReturnType<typeof createClient>;

export interface ConnectOptions {
  url: string;
  /** Bound on the first connection; after that, a lost connection is retried for ever. */
  connectTimeoutMs: number;
  logger: Logger;
  /** What this connection is for, in logs: `commands`, `receiver of calm-owl`, `observer`. */
  role: string;
  /** CLIENT SETNAME, so that CLIENT LIST shows whose connection it is: `cc2cc:<ns>:receiver:calm-owl`. */
  name?: string;
}

/** Longest pause between two reconnection attempts once a connection was up. */
const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * One connection to Redis. The first connect is bounded by `connectTimeoutMs` and fails
 * with TRANSPORT_UNAVAILABLE naming the URL; once up, a lost connection (a Redis
 * restart) is retried for ever with a short backoff, logged once per outage.
 */
export async function connectClient({ url, connectTimeoutMs, logger, role, name }: ConnectOptions): Promise<RedisClient> {
  const where = redactUrl(url);
  const started = Date.now();
  let everReady = false;
  let down = false;
  let lastCause: unknown;
  let client: RedisClient;
  try {
    client = createClient({
      url,
      ...(name && { name }),
      // Every transport closes its own connections; none keeps the process alive after close().
      socket: {
        connectTimeout: Math.max(1, Math.min(connectTimeoutMs, 5000)),
        reconnectStrategy: (retries, cause) => {
          lastCause = cause;
          if (!everReady && Date.now() - started >= connectTimeoutMs) return new Error(`no connection within ${connectTimeoutMs} ms`);
          return Math.min(50 * 2 ** Math.min(retries, 10), MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 50);
        },
      },
    });
  } catch (error) {
    throw new Cc2ccError('INVALID_CONFIG', `invalid Redis URL ${where}: ${describeError(error)} (expected redis://[user:password@]host:port[/db] or rediss://...)`, {
      url: where,
    });
  }
  client.on('error', (error: unknown) => {
    lastCause = error;
    if (everReady && !down) {
      down = true;
      logger.warn(`lost the connection to Redis at ${where} (${role}): ${describeError(error)}; reconnecting`);
    }
  });
  client.on('ready', () => {
    if (down) logger.info(`reconnected to Redis at ${where} (${role})`);
    down = false;
    everReady = true;
  });
  try {
    await deadline(client.connect(), connectTimeoutMs + 1000, `no connection within ${connectTimeoutMs} ms`);
  } catch (error) {
    client.destroy();
    throw unreachable(where, connectTimeoutMs, lastCause ?? error);
  }
  return client;
}

/** XAUTOCLAIM, ZMSCORE and exclusive XPENDING ranges need Redis 6.2 or newer. */
export async function assertServerVersion(client: RedisClient, where: string): Promise<void> {
  const info = await client.info('server');
  const match = /redis_version:(\d+)\.(\d+)/.exec(info);
  if (!match) return; // a compatible server that does not say: let the commands speak
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major > 6 || (major === 6 && minor >= 2)) return;
  throw new Cc2ccError('INVALID_CONFIG', `Redis at ${where} is version ${major}.${minor}; the redis transport needs Redis 6.2 or newer`, { url: where });
}

function unreachable(where: string, connectTimeoutMs: number, cause: unknown): Cc2ccError {
  return new Cc2ccError(
    'TRANSPORT_UNAVAILABLE',
    `cannot reach Redis at ${where} within ${connectTimeoutMs} ms (${describeError(cause)}); ` +
      'is redis-server running there? Set transport.url in the cc2cc config or CC2CC_REDIS_URL (see docs/transports.md)',
    { url: where },
    { cause },
  );
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

/** A reply from the server (NOGROUP, WRONGTYPE, a script error): the connection is fine. */
export function isServerReply(error: unknown): error is ErrorReply {
  return error instanceof ErrorReply;
}

/** Rejects with `message` after `ms`; the losing promise's own outcome is swallowed. */
export function deadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), Math.max(0, ms));
  });
  promise.catch(() => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs commands on one connection. While Redis is unreachable, an operation is tried
 * again until `opTimeoutMs` has passed, then fails with TRANSPORT_UNAVAILABLE. Every
 * operation run through here must be safe to repeat: a command in flight when the
 * connection dropped may or may not have run.
 */
export class RedisLink {
  readonly where: string;
  private closed = false;

  constructor(
    readonly client: RedisClient,
    url: string,
    private readonly opTimeoutMs: number,
  ) {
    this.where = redactUrl(url);
  }

  async run<T>(what: string, operation: (client: RedisClient) => Promise<T>): Promise<T> {
    const end = Date.now() + this.opTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new Cc2ccError('TRANSPORT_CLOSED', `this redis transport (${this.where}) was closed; create a new one`);
      try {
        return await deadline(operation(this.client), end - Date.now(), `Redis did not answer within ${this.opTimeoutMs} ms`);
      } catch (error) {
        if (isServerReply(error) || error instanceof Cc2ccError) throw error;
        if (this.closed || Date.now() >= end) {
          throw new Cc2ccError('TRANSPORT_UNAVAILABLE', `could not ${what}: Redis at ${this.where} is unreachable (${describeError(error)})`, { url: this.where }, { cause: error });
        }
        await sleep(Math.min(50 * 2 ** Math.min(attempt, 5), Math.max(0, end - Date.now())));
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeClient(this.client);
  }
}

/** Quit politely when Redis answers, else drop the socket; never throws. */
export async function closeClient(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  try {
    await deadline(client.close(), 1000, 'close timed out');
  } catch {
    client.destroy();
  }
}
