import { Cc2ccError } from '../../kernel/errors.js';
import type { State } from '../../kernel/state.js';
import { MemoryState } from '../../kernel/memory-state.js';
import { assertAgentName, type AgentName } from '../../kernel/names.js';
import { DEFAULT_MAX_BYTES, prepareForPut, type Envelope } from '../../kernel/envelope.js';
import type { PresenceRecord } from '../../kernel/presence.js';
import type {
  DeadLetter,
  Delivery,
  DeliveryHandler,
  Inbox,
  InboxStats,
  MessageLocation,
  TrafficEvent,
  Transport,
} from '../../kernel/transport.js';

interface Box {
  queued: Envelope[];
  claimed: Map<string, Envelope>;
  done: Set<string>;
  dead: DeadLetter[];
  holder?: symbol;
  wake?: () => void;
}

/**
 * Shared state for in-memory transports: several `MemoryTransport`s over one space
 * behave like several processes over one `.cc2cc/` folder.
 */
export class MemorySpace {
  readonly boxes = new Map<AgentName, Box>();
  readonly presence = new Map<AgentName, PresenceRecord>();
  readonly listeners = new Set<(event: TrafficEvent) => void>();
  /** Bus state shared by every transport over this space. */
  readonly state = new MemoryState();

  box(name: AgentName): Box {
    let box = this.boxes.get(name);
    if (!box) {
      box = { queued: [], claimed: new Map(), done: new Set(), dead: [] };
      this.boxes.set(name, box);
    }
    return box;
  }

  emit(event: TrafficEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** The in-memory transport: the whole contract, no durability. For tests and embedding. */
export class MemoryTransport implements Transport {
  readonly kind = 'memory';
  /** Messages live in this process's memory: other processes never see them. */
  readonly scope = 'process';
  private readonly inboxes = new Set<MemoryInbox>();
  private readonly observers = new Set<(event: TrafficEvent) => void>();
  private closed = false;

  /** `maxBytes`: the largest serialized envelope `put` takes, as the folder transport's option. */
  constructor(
    readonly space: MemorySpace = new MemorySpace(),
    private readonly maxBytes: number = DEFAULT_MAX_BYTES,
  ) {}

  get busState(): State {
    return this.space.state;
  }

  async put(to: AgentName, envelope: Envelope): Promise<void> {
    this.assertOpen();
    const { name } = prepareForPut(to, envelope, this.maxBytes); // the checks every transport makes before storing
    const box = this.space.box(name);
    insertSorted(box.queued, envelope);
    this.space.emit({ agent: name, state: 'queued', id: envelope.id, envelope });
    box.wake?.();
  }

  async open(agent: AgentName, handler: DeliveryHandler): Promise<Inbox> {
    this.assertOpen();
    const box = this.space.box(assertAgentName(agent));
    if (box.holder) {
      throw new Cc2ccError(
        'INBOX_LOCKED',
        `inbox "${agent}" is already held by another receiver (pid ${process.pid}, in this process)`,
        {
          pid: process.pid,
        },
      );
    }
    // A receiver that went away without settling left claimed messages: queue them again.
    for (const envelope of box.claimed.values()) insertSorted(box.queued, envelope);
    box.claimed.clear();
    const inbox = new MemoryInbox(agent, box, this.space, handler, () => this.inboxes.delete(inbox));
    this.inboxes.add(inbox);
    inbox.start();
    return inbox;
  }

  async announce(record: PresenceRecord): Promise<void> {
    this.assertOpen();
    this.space.presence.set(assertAgentName(record.name), structuredClone(record));
  }

  async agents(): Promise<Array<{ name: AgentName; presence?: PresenceRecord }>> {
    const names = new Set<AgentName>([...this.space.presence.keys(), ...this.space.boxes.keys()]);
    return [...names].sort().map((name) => {
      const presence = this.space.presence.get(name);
      return presence ? { name, presence: structuredClone(presence) } : { name };
    });
  }

  async stats(agent: AgentName): Promise<InboxStats> {
    const box = this.space.boxes.get(assertAgentName(agent));
    if (!box) return { queued: 0, claimed: 0, done: 0, dead: 0 };
    return { queued: box.queued.length, claimed: box.claimed.size, done: box.done.size, dead: box.dead.length };
  }

  async deadLetters(agent: AgentName): Promise<DeadLetter[]> {
    return [...(this.space.boxes.get(assertAgentName(agent))?.dead ?? [])];
  }

  async locate(agent: AgentName, id: string): Promise<MessageLocation | undefined> {
    const box = this.space.boxes.get(assertAgentName(agent));
    if (!box) return undefined;
    const dead = box.dead.find((letter) => letter.id === id);
    if (dead) return { state: 'dead', reason: dead.reason };
    if (box.done.has(id)) return { state: 'done' };
    if (box.claimed.has(id)) return { state: 'claimed' };
    return box.queued.some((envelope) => envelope.id === id) ? { state: 'queued' } : undefined;
  }

  async observe(listener: (event: TrafficEvent) => void): Promise<() => Promise<void>> {
    this.space.listeners.add(listener);
    this.observers.add(listener);
    return async () => {
      this.space.listeners.delete(listener);
      this.observers.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const listener of this.observers) this.space.listeners.delete(listener); // observers stop with it
    this.observers.clear();
    await Promise.all([...this.inboxes].map((inbox) => inbox.close()));
  }

  private assertOpen(): void {
    if (this.closed) throw new Cc2ccError('TRANSPORT_CLOSED', 'this memory transport was closed; create a new one');
  }
}

class MemoryInbox implements Inbox {
  private readonly token = Symbol('receiver');
  private readonly attempts = new Map<string, number>();
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  /** After a retry, nothing is offered before this time (head-of-line keeps order). */
  private pausedUntil = 0;

  constructor(
    readonly agent: AgentName,
    private readonly box: Box,
    private readonly space: MemorySpace,
    private readonly handler: DeliveryHandler,
    private readonly forget: () => void,
  ) {}

  start(): void {
    this.box.holder = this.token;
    this.box.wake = () => this.pump();
    this.pump();
  }

  async close(): Promise<void> {
    this.stop();
    await this.running;
    this.release();
  }

  async abort(): Promise<void> {
    this.stop();
    this.release();
  }

  private stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private release(): void {
    if (this.box.holder === this.token) {
      this.box.holder = undefined;
      this.box.wake = undefined;
    }
    this.forget();
  }

  private pump(): void {
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
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.pump();
      }
    });
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const envelope = this.box.queued.shift();
      if (!envelope) return;
      if (this.box.done.has(envelope.id)) continue; // seen before: already acked
      this.box.claimed.set(envelope.id, envelope);
      this.space.emit({ agent: this.agent, state: 'claimed', id: envelope.id, envelope });
      const outcome = await this.offer(envelope);
      if (outcome === 'retry') return;
    }
  }

  private async offer(envelope: Envelope): Promise<'settled' | 'held' | 'retry'> {
    const attempt = (this.attempts.get(envelope.id) ?? 0) + 1;
    this.attempts.set(envelope.id, attempt);
    let settled: 'settled' | 'retry' | undefined;
    const settle = (fn: () => void, as: 'settled' | 'retry') => async () => {
      if (settled || this.box.claimed.get(envelope.id) !== envelope) return;
      settled = as;
      this.box.claimed.delete(envelope.id);
      fn();
    };
    const delivery: Delivery = {
      envelope,
      attempt,
      ack: settle(() => {
        this.box.done.add(envelope.id);
        this.attempts.delete(envelope.id);
        this.space.emit({ agent: this.agent, state: 'done', id: envelope.id, envelope });
      }, 'settled'),
      deadLetter: (reason) =>
        settle(() => {
          this.box.dead.push({ id: envelope.id, reason, envelope });
          this.attempts.delete(envelope.id);
          this.space.emit({ agent: this.agent, state: 'dead', id: envelope.id, envelope, reason });
        }, 'settled')(),
      retry: (_reason, delayMs = 0) => settle(() => this.requeue(envelope, delayMs), 'retry')(),
    };
    try {
      await this.handler(delivery);
    } catch (error) {
      await delivery.retry(String(error), 200);
    }
    return settled ?? 'held';
  }

  private requeue(envelope: Envelope, delayMs: number): void {
    insertSorted(this.box.queued, envelope);
    this.space.emit({ agent: this.agent, state: 'queued', id: envelope.id, envelope });
    if (this.stopped) return;
    this.pausedUntil = Date.now() + delayMs;
    this.wakeIn(delayMs);
  }

  private wakeIn(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), ms + 1);
    this.timer.unref();
  }
}

function insertSorted(list: Envelope[], envelope: Envelope): void {
  let index = list.length;
  while (index > 0 && list[index - 1]!.id > envelope.id) index--;
  list.splice(index, 0, envelope);
}
