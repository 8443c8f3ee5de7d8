import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import {
  Cc2ccError,
  DEFAULT_MAX_BYTES,
  assertAgentName,
  prepareForPut,
  silentLogger,
  type AgentName,
  type DeadLetter,
  type Delivery,
  type DeliveryHandler,
  type Envelope,
  type Inbox,
  type InboxStats,
  type Logger,
  type PresenceRecord,
  type TrafficEvent,
  type Transport,
  type TransportFactory,
} from 'cc2cc/plugin';
import { LogFile, LogState, type LogRecord } from './log.js';

export interface JsonlTransportOptions {
  /** The log file; every process of the project names the same one. */
  file: string;
  /** How often a receiver or observer looks for lines other processes appended. */
  pollMs?: number;
  /** The largest serialized envelope `put` takes (the config's `maxBytes`; default 256 KiB). */
  maxBytes?: number;
  logger?: Logger;
}

/**
 * A transport over one JSON-lines file (see log.ts): small, durable, and it passes
 * `runTransportContract` unchanged. The log only grows; a real transport would compact it.
 */
export class JsonlTransport implements Transport {
  readonly kind = 'jsonl';
  private readonly log: LogFile;
  private readonly state = new LogState();
  private readonly inboxes = new Set<JsonlInbox>();
  private readonly listeners = new Set<(event: TrafficEvent) => void>();
  private readonly pollMs: number;
  private readonly maxBytes: number;
  private poller: NodeJS.Timeout | undefined;
  /** Reads and writes of this process, one at a time: the state is current inside each. */
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: JsonlTransportOptions) {
    const logger = options.logger ?? silentLogger;
    this.log = new LogFile(options.file, (problem) => logger.warn(problem));
    this.pollMs = options.pollMs ?? 50;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  async put(to: AgentName, envelope: Envelope): Promise<void> {
    this.assertOpen();
    // The checks every transport makes before it writes: the name rule, wire format v1, maxBytes.
    const { name: agent } = prepareForPut(to, envelope, this.maxBytes);
    await this.exclusive(() => this.write({ op: 'put', to: agent, envelope }));
    for (const inbox of this.inboxes) if (inbox.agent === agent) inbox.pump();
  }

  async open(agent: AgentName, handler: DeliveryHandler): Promise<Inbox> {
    this.assertOpen();
    const name = assertAgentName(agent);
    const token = randomUUID();
    await this.exclusive(async () => {
      await this.sync();
      const holder = this.state.inbox(name).holder;
      if (holder && !(holder.host === hostname() && !processAlive(holder.pid))) throw locked(name, holder);
      await this.write({
        op: 'lock',
        agent: name,
        token,
        pid: process.pid,
        host: hostname(),
        ...(holder && { takeover: holder.token }),
      });
      const winner = this.state.inbox(name).holder;
      // another process locked first
      if (winner?.token !== token) throw locked(name, winner ?? { pid: process.pid, host: hostname() });
    });
    const inbox = new JsonlInbox(name, token, handler, this);
    this.inboxes.add(inbox);
    this.startPolling();
    inbox.pump();
    return inbox;
  }

  async announce(record: PresenceRecord): Promise<void> {
    this.assertOpen();
    assertAgentName(record.name);
    await this.exclusive(() => this.write({ op: 'presence', record }));
  }

  async agents(): Promise<Array<{ name: AgentName; presence?: PresenceRecord }>> {
    await this.exclusive(() => this.sync());
    const names = [...new Set([...this.state.presence.keys(), ...this.state.inboxes.keys()])].sort();
    return names.map((name) => {
      const presence = this.state.presence.get(name);
      return presence ? { name, presence: structuredClone(presence) } : { name };
    });
  }

  async stats(agent: AgentName): Promise<InboxStats> {
    const name = assertAgentName(agent);
    await this.exclusive(() => this.sync());
    const inbox = this.state.inboxes.get(name);
    return {
      queued: inbox?.queued.size ?? 0,
      claimed: inbox?.claimed.size ?? 0,
      done: inbox?.done.size ?? 0,
      dead: inbox?.dead.length ?? 0,
    };
  }

  async deadLetters(agent: AgentName): Promise<DeadLetter[]> {
    const name = assertAgentName(agent);
    await this.exclusive(() => this.sync());
    return [...(this.state.inboxes.get(name)?.dead ?? [])];
  }

  async observe(listener: (event: TrafficEvent) => void): Promise<() => Promise<void>> {
    this.assertOpen();
    await this.exclusive(() => this.sync()); // the past is not replayed to a new observer
    this.listeners.add(listener);
    this.startPolling();
    return async () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.inboxes].map((inbox) => inbox.close()));
    if (this.poller) clearInterval(this.poller);
    await this.lock;
  }

  // --- used by JsonlInbox -------------------------------------------------------------

  /** Claims the oldest queued message of `agent` for the holder `token`. */
  claimNext(agent: AgentName, token: string): Promise<Envelope | undefined> {
    return this.exclusive(async () => {
      await this.sync();
      const inbox = this.state.inbox(agent);
      if (inbox.holder?.token !== token) return undefined;
      const [next] = [...inbox.queued.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
      if (!next) return undefined;
      await this.write({ op: 'claim', agent, token, id: next.id });
      return next;
    });
  }

  record(record: LogRecord): Promise<void> {
    return this.exclusive(() => this.write(record));
  }

  forget(inbox: JsonlInbox): void {
    this.inboxes.delete(inbox);
  }

  // --- internals ----------------------------------------------------------------------

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.catch(() => {});
    return run;
  }

  /** Applies what was appended since the last read; observers hear about each change. */
  private async sync(): Promise<void> {
    for (const record of await this.log.readNew()) {
      for (const event of this.state.apply(record)) for (const listener of this.listeners) listener(event);
    }
  }

  private async write(record: LogRecord): Promise<void> {
    await this.log.append(record);
    await this.sync();
  }

  private startPolling(): void {
    if (this.poller) return;
    this.poller = setInterval(() => {
      this.exclusive(() => this.sync())
        .then(() => {
          for (const inbox of this.inboxes) inbox.pump();
        })
        .catch(() => {}); // the next poll tries again
    }, this.pollMs);
    this.poller.unref();
  }

  private assertOpen(): void {
    if (this.closed) throw new Cc2ccError('TRANSPORT_CLOSED', 'this jsonl transport was closed; create a new one');
  }
}

/** One receiver of one inbox: offers messages in id order, one at a time. */
class JsonlInbox implements Inbox {
  private readonly attempts = new Map<string, number>();
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private aborted = false;
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly agent: AgentName,
    private readonly token: string,
    private readonly handler: DeliveryHandler,
    private readonly transport: JsonlTransport,
  ) {}

  pump(): void {
    if (this.stopped) return;
    const wait = this.pausedUntil - Date.now();
    if (wait > 0) {
      this.wakeIn(wait);
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch(() => {}) // a failed read or write: the next poll pumps again
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  async close(): Promise<void> {
    this.stop();
    await this.running;
    await this.transport.record({ op: 'unlock', agent: this.agent, token: this.token });
    this.transport.forget(this);
  }

  /** As a crash: nothing is settled; the next holder gets what this one had claimed. */
  async abort(): Promise<void> {
    this.aborted = true;
    this.stop();
    await this.transport.record({ op: 'unlock', agent: this.agent, token: this.token });
    this.transport.forget(this);
  }

  private stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const envelope = await this.transport.claimNext(this.agent, this.token);
      if (!envelope) return;
      if ((await this.offer(envelope)) === 'retry') return;
    }
  }

  private async offer(envelope: Envelope): Promise<'settled' | 'held' | 'retry'> {
    const attempt = (this.attempts.get(envelope.id) ?? 0) + 1;
    this.attempts.set(envelope.id, attempt);
    let outcome: 'settled' | 'retry' | undefined;
    const settle = async (as: 'settled' | 'retry', record: LogRecord): Promise<boolean> => {
      if (outcome || this.aborted) return false; // settling twice is harmless; after a crash nothing settles
      outcome = as;
      if (as === 'settled') this.attempts.delete(envelope.id); // a retry keeps counting
      await this.transport.record(record);
      return true;
    };
    const base = { agent: this.agent, token: this.token, id: envelope.id };
    const delivery: Delivery = {
      envelope,
      attempt,
      ack: async () => void (await settle('settled', { op: 'ack', ...base })),
      deadLetter: async (reason) => void (await settle('settled', { op: 'dead', ...base, reason })),
      retry: async (_reason, delayMs = 0) => {
        if (!(await settle('retry', { op: 'retry', ...base }))) return;
        this.pausedUntil = Date.now() + delayMs; // head of line: nothing else goes first
        this.wakeIn(delayMs);
      },
    };
    try {
      await this.handler(delivery);
    } catch (error) {
      await delivery.retry(String(error), 200);
    }
    return outcome ?? 'held';
  }

  private wakeIn(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), ms + 1);
    this.timer.unref();
  }
}

/** For the config: `transport: jsonlTransport({ file: 'bus.jsonl' })`, relative to the bus root. */
export function jsonlTransport(
  options: Omit<JsonlTransportOptions, 'file' | 'logger'> & { file?: string } = {},
): TransportFactory {
  return {
    create: ({ root, logger, maxBytes }) => {
      const file = options.file ?? 'bus.jsonl';
      return new JsonlTransport({ maxBytes, ...options, file: isAbsolute(file) ? file : resolve(root, file), logger });
    },
  };
}

function locked(agent: AgentName, holder: { pid: number; host: string }): Cc2ccError {
  return new Cc2ccError(
    'INBOX_LOCKED',
    `inbox "${agent}" is held by pid ${holder.pid} on ${holder.host}; stop that receiver first`,
    { ...holder },
  );
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
