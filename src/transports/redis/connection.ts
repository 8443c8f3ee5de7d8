import { setTimeout as sleep } from 'node:timers/promises';
import { AbortError, ClientClosedError, ClientOfflineError, createClient, ErrorReply } from 'redis';
import { Cc2ccError, describeError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { serverStateError } from './server-replies.js';

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
export async function connectClient({
  url,
  connectTimeoutMs,
  logger,
  role,
  name,
}: ConnectOptions): Promise<RedisClient> {
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
      // A command issued while the connection is down fails at once instead of waiting to be
      // sent after a reconnection, where it would run although its caller was told it failed.
      disableOfflineQueue: true,
      // node-redis's own per-command timeout bounds only the wait to be written, with a timer
      // signal and a listener per command; with no offline queue a command is written at once,
      // and RedisLink bounds every operation itself (withdrawing unwritten puts).
      commandOptions: { timeout: 0 },
      // Every transport closes its own connections; none keeps the process alive after close().
      socket: {
        connectTimeout: Math.max(1, Math.min(connectTimeoutMs, 5000)),
        reconnectStrategy: (retries, cause) => {
          lastCause = cause;
          if (!everReady && Date.now() - started >= connectTimeoutMs)
            return new Error(`no connection within ${connectTimeoutMs} ms`);
          return Math.min(50 * 2 ** Math.min(retries, 10), MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 50);
        },
      },
    });
  } catch (error) {
    throw new Cc2ccError(
      'INVALID_CONFIG',
      `invalid Redis URL ${where}: ${describeError(error)} (expected ` +
        `redis://[user:password@]host:port[/db] or rediss://...)`,
      {
        url: where,
      },
    );
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
  throw new Cc2ccError(
    'INVALID_CONFIG',
    `Redis at ${where} is version ${major}.${minor}; the redis transport needs Redis 6.2 or newer`,
    { url: where },
  );
}

function unreachable(where: string, connectTimeoutMs: number, cause: unknown): Cc2ccError {
  return new Cc2ccError(
    'TRANSPORT_UNAVAILABLE',
    `cannot reach Redis at ${where} within ${connectTimeoutMs} ms (${describeError(cause)}); ` +
      'is redis-server running there? Set transport.url in the cc2cc config or CC2CC_REDIS_URL ' +
      '(see docs/transports.md)',
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

/**
 * A failure of a command sent outside RedisLink (the receiver's blocking read) as a typed
 * error with a reason: LOADING/BUSY/OOM by name, a lost connection as TRANSPORT_UNAVAILABLE;
 * other server replies are left to the caller.
 */
export function typedFailure(error: unknown, where: string, what: string): unknown {
  if (error instanceof Cc2ccError || (isServerReply(error) && !serverStateError(error, where, what))) return error;
  return (
    serverStateError(error, where, what) ??
    new Cc2ccError(
      'TRANSPORT_UNAVAILABLE',
      `could not ${what}: Redis at ${where} is unreachable (${describeError(error)}); cc2cc ` +
        `reconnects in the background`,
      { url: where },
      { cause: error },
    )
  );
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

export interface RunOptions {
  /**
   * For an operation that must not be repeated unseen (queueing a message): what may have
   * happened when its command reached Redis but no answer came back, e.g. `message X may or
   * may not have been queued for "calm-owl"`. Such a loss fails with OUTCOME_UNKNOWN.
   */
  mayHaveRun?: string;
}

/** Replies that mean "not now": waited out within opTimeoutMs. OOM is not: memory rarely frees that fast. */
const WAIT_OUT: ReadonlySet<string> = new Set(['REDIS_LOADING', 'REDIS_BUSY']);
/** A retry is started only with at least this much of opTimeoutMs left (or a quarter of it, if shorter). */
const MIN_TRY_MS = 250;

type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown; sent: 'no' | 'maybe' | 'overdue' };

/**
 * Runs commands on one connection. While Redis is unreachable, or LOADING, or BUSY, an
 * operation is tried again with backoff until `opTimeoutMs` has passed since the trouble
 * began, then fails with a typed error that gives the reason; later operations in the
 * same outage fail at once. The client has no offline queue, and a command that timed out
 * before it was written is withdrawn, so "not queued" is said only when it is certain;
 * a command that was written and never answered (Redis stopped) makes the outcome unknown,
 * and nothing more is sent on this connection until Redis answers it.
 */
export class RedisLink {
  readonly where: string;
  private closed = false;
  /** Since when the connection is down, and the latest reason (undefined while it is up). */
  private down: { since: number; reason: unknown; reported?: boolean } | undefined;
  /** A command was written and its answer is overdue: Redis is stopped or stuck. */
  private overdue: { since: number; what: string } | undefined;

  constructor(
    readonly client: RedisClient,
    url: string,
    private readonly opTimeoutMs: number,
  ) {
    this.where = redactUrl(url);
    client.on('error', (error: unknown) => {
      if (!client.isReady) this.down = { since: this.down?.since ?? Date.now(), reason: error };
    });
    client.on('ready', () => {
      this.down = undefined;
    });
  }

  async run<T>(what: string, operation: (client: RedisClient) => Promise<T>, options: RunOptions = {}): Promise<T> {
    const started = Date.now();
    let maybeRan = false;
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      if (this.closed)
        throw new Cc2ccError('TRANSPORT_CLOSED', `this redis transport (${this.where}) was closed; create a new one`);
      if (this.overdue) throw this.notAnswering(what, maybeRan, options, attempt);
      // One outage, one wait: an operation started late in it waits only for what is left,
      // and once one has failed for it, the rest fail at once until the connection is back.
      const end = this.down?.reported ? 0 : Math.min(started, this.down?.since ?? started) + this.opTimeoutMs;
      const left = end - Date.now();
      if (left <= 0) throw this.failure(what, lastError ?? this.down?.reason, maybeRan, options, attempt);
      const outcome = await this.attempt(what, operation, left, options.mayHaveRun !== undefined);
      if (outcome.ok) return outcome.value;
      const { error, sent } = outcome;
      if (error instanceof Cc2ccError) throw error;
      // A reply means Redis answered: the command did not run (LOADING, BUSY) or failed on its own.
      const state = serverStateError(error, this.where, what);
      if (isServerReply(error) && !(state && WAIT_OUT.has(state.code))) throw state ?? error;
      if (sent === 'overdue') throw this.notAnswering(what, true, options, attempt + 1);
      if (sent === 'maybe' && !state) maybeRan = true;
      if (!state && !this.client.isReady) this.down ??= { since: Date.now(), reason: error };
      lastError = state ?? error;
      await sleep(Math.min(50 * 2 ** Math.min(attempt, 5), Math.max(0, end - Date.now())));
      // A last try with almost no time left would likely end unanswered, which says less than the error in hand.
      if (end - Date.now() < Math.min(MIN_TRY_MS, this.opTimeoutMs / 4))
        throw this.failure(what, lastError, maybeRan, options, attempt + 1);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeClient(this.client);
  }

  /**
   * One try, bounded by `ms`. For an operation that must not repeat unseen (`withdrawable`), a
   * command still unwritten at the deadline is withdrawn, so "it did not run" is certain; any
   * other command still unwritten is written late or refused with the connection. One written
   * and unanswered is overdue. The abort signal costs a signal, a listener and a client proxy
   * per command, which the receiver's acks and reads do not need.
   */
  private async attempt<T>(
    what: string,
    operation: (client: RedisClient) => Promise<T>,
    ms: number,
    withdrawable: boolean,
  ): Promise<Attempt<T>> {
    const controller = withdrawable ? new AbortController() : undefined;
    const client = controller ? this.client.withAbortSignal(controller.signal) : this.client;
    const settled = operation(client).then(
      (value): Attempt<T> => ({ ok: true, value }),
      (error: unknown): Attempt<T> => ({
        ok: false,
        error,
        sent:
          error instanceof AbortError || error instanceof ClientOfflineError || error instanceof ClientClosedError
            ? 'no'
            : 'maybe',
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
    const first = await Promise.race([settled, timedOut]);
    clearTimeout(timer);
    if (first !== 'timeout') return first;
    controller?.abort(); // rejects at once what is still waiting to be written
    const after = await Promise.race([
      settled,
      new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending'))),
    ]);
    if (after !== 'pending') return after;
    const overdue = { since: Date.now() - ms, what };
    this.overdue = overdue;
    void settled.then(() => {
      if (this.overdue === overdue) this.overdue = undefined;
    });
    return { ok: false, error: new Error(`Redis did not answer within ${ms} ms`), sent: 'overdue' };
  }

  private notAnswering(what: string, maybeRan: boolean, options: RunOptions, attempts: number): Cc2ccError {
    const overdue = this.overdue;
    const waited = overdue ? `${Math.round((Date.now() - overdue.since) / 100) / 10} s` : `${this.opTimeoutMs} ms`;
    const reason =
      `Redis at ${this.where} has not answered a command for ${waited} (is ` +
      `redis-server stopped, or stuck in a long command?)`;
    return this.failure(what, new Error(reason), maybeRan, options, attempts);
  }

  /**
   * Unknown when a command that must not repeat may have run, else unavailable (and then it
   * certainly did not run). `data.attempts`: how often it was sent; 0 when it failed at once.
   */
  private failure(what: string, cause: unknown, maybeRan: boolean, options: RunOptions, attempts: number): Cc2ccError {
    if (cause instanceof Cc2ccError && !(maybeRan && options.mayHaveRun)) return cause;
    const down = this.down ? ` for ${Math.round((Date.now() - this.down.since) / 100) / 10} s` : '';
    const reason =
      cause === undefined
        ? `Redis at ${this.where} is unreachable`
        : `Redis at ${this.where} is unreachable${down} (${describeError(cause)})`;
    const data = { url: this.where, attempts };
    if (maybeRan && options.mayHaveRun) {
      return new Cc2ccError(
        'OUTCOME_UNKNOWN',
        `${options.mayHaveRun}: the command reached Redis but no answer came back (${describeError(cause)}). ` +
          'Do not send it again blindly: once Redis answers again, a queued message is delivered ' +
          'as usual; ask the recipient, or watch `cc2cc tail`, to see whether it arrived',
        data,
        { cause },
      );
    }
    if (this.down && !this.client.isReady) this.down.reported = true;
    const certain = options.mayHaveRun ? ' (it did not run: nothing was changed)' : '';
    return new Cc2ccError(
      'TRANSPORT_UNAVAILABLE',
      `could not ${what}${certain}: ${reason}; cc2cc reconnects in the background`,
      data,
      { cause },
    );
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
