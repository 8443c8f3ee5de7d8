import { describeError } from '../../kernel/errors.js';
import type { Transport } from '../../kernel/transport.js';
import type { Hello, Snapshot } from '../protocol.js';
import { LedgerFeed } from './ledger-feed.js';
import { takeSnapshot, type SnapshotSource } from './snapshot.js';
import { TrafficLog, type TrafficLogOptions } from './traffic-log.js';

export interface LiveFeedOptions extends Omit<SnapshotSource, 'log'> {
  hello: Hello;
  /** How often agents, rooms and topics are read again (default 2 s). */
  snapshotMs?: number;
  /** How the traffic log is bounded (bytes, messages, preview length). */
  history?: TrafficLogOptions;
  /** Start with the last this many messages the transport still holds (where it can replay; 0: none). */
  replayMessages?: number;
  /** The bus root (`.cc2cc/`): when set, the agents' delivery ledgers add pushed and seen. */
  rootDir?: string;
}

type SnapshotListener = (snapshot: Snapshot) => void;

const SOON_MS = 250;

/**
 * Everything the page sees live: the traffic log fed by `Transport.observe()` and the
 * agents' delivery ledgers (pushed, seen; `LedgerFeed`), and a
 * snapshot of agents, rooms and topics read again every `snapshotMs` (and shortly after
 * traffic) and passed on only when it changed. Starts watching in `start`, stops in `stop`.
 */
export class LiveFeed {
  readonly log: TrafficLog;
  readonly hello: Hello;
  private current: Snapshot | undefined;
  private currentKey = '';
  private readonly snapshotListeners = new Set<SnapshotListener>();
  private readonly closers = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private stopped = false;
  private refreshing: Promise<void> | undefined;
  private stopObserving: (() => Promise<void>) | undefined;
  private ledgers: LedgerFeed | undefined;

  private constructor(private readonly options: LiveFeedOptions) {
    this.log = new TrafficLog(options.history);
    this.hello = options.hello;
  }

  static async start(options: LiveFeedOptions): Promise<LiveFeed> {
    const feed = new LiveFeed(options);
    const transport: Transport = options.bus.transport;
    const last = options.replayMessages ?? 0;
    feed.stopObserving = await transport.observe(
      (event) => feed.log.record(event),
      last > 0 ? { replay: { last } } : {},
    );
    // Traffic changes counts and activity, and often means an agent just started: look again soon.
    feed.log.subscribe(() => feed.refreshSoon());
    if (options.rootDir !== undefined) {
      feed.ledgers = await LedgerFeed.start({
        rootDir: options.rootDir,
        onFact: (agent, fact) => feed.log.recordGiven(agent, fact),
        logger: options.logger,
        pollMs: options.snapshotMs ?? 2000,
      });
    }
    await feed.refresh();
    feed.timer = setInterval(() => void feed.refresh(), options.snapshotMs ?? 2000);
    feed.timer.unref();
    return feed;
  }

  /** The latest snapshot (taken at start, then refreshed). */
  snapshot(): Snapshot {
    return this.current!;
  }

  onSnapshot(listener: SnapshotListener): () => void {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  }

  /** Streams register how to end themselves, so `stop` can end them all. */
  onStop(close: () => void): () => void {
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  /** A refresh within `SOON_MS`, however many times this is called meanwhile. */
  refreshSoon(): void {
    if (this.soon || this.stopped) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.refresh();
    }, SOON_MS);
    this.soon.unref();
  }

  /** Read agents, rooms and topics again; listeners hear of it when something changed. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const next = await takeSnapshot({ ...this.options, log: this.log });
        const key = JSON.stringify({ ...next, at: undefined });
        if (key === this.currentKey) return;
        this.current = next;
        this.currentKey = key;
        for (const listener of this.snapshotListeners) listener(next);
      } catch (error) {
        this.options.logger.warn(`ui: could not read agents: ${describeError(error)}`);
        this.current ??= { at: new Date().toISOString(), agents: [], schemes: [] };
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    for (const close of [...this.closers]) close();
    await this.refreshing;
    await this.ledgers?.stop();
    await this.stopObserving?.();
  }
}
