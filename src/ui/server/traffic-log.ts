import type { TrafficEvent } from '../../kernel/transport.js';
import type { LedgerFact } from '../../hooks/ledger.js';
import type { MessageView, StateStep, TrafficUpdate } from '../protocol.js';
import { UI_DEFAULTS } from './defaults.js';
import { previewEnvelope } from './message-preview.js';

export interface TrafficLogOptions {
  /** The oldest messages are forgotten once the kept ones take more than this (estimated bytes). */
  maxBytes?: number;
  /** And past this many messages, however small. */
  maxMessages?: number;
  /** A message's text is kept up to this many characters. */
  previewChars?: number;
  now?: () => Date;
  /** Ledger facts about messages not seen yet are held for them, at most this many (newest kept). */
  maxPendingFacts?: number;
}

type Listener = (update: TrafficUpdate) => void;

/** What a message costs besides its envelope: the record, its maps, its id. */
const RECORD_BYTES = 256;
/** One state step (state, time, a short reason). */
const STEP_BYTES = 128;

interface Entry {
  view: MessageView;
  bytes: number;
}

/**
 * What the UI has seen since it started, fed by `Transport.observe()`: one record per
 * message id with the state steps of each recipient's copy. The transport reports
 * changes, not history, so the timeline begins when the UI server starts.
 *
 * Bounded by bytes: each envelope is kept as a preview (`previewEnvelope`), and the oldest
 * messages are forgotten while the estimated size of what is kept passes `maxBytes`.
 */
export class TrafficLog {
  private readonly messages = new Map<string, Entry>();
  private readonly activity = new Map<string, number>();
  private readonly listeners = new Set<Listener>();
  private readonly maxBytes: number;
  private readonly maxMessages: number;
  private readonly previewChars: number;
  private readonly now: () => Date;
  private keptBytes = 0;
  /** Ledger facts (pushed / seen) that came before their message did, oldest first. */
  private readonly pending = new Map<string, Array<{ agent: string; step: StateStep }>>();
  private pendingFacts = 0;
  private readonly maxPendingFacts: number;

  constructor(options: TrafficLogOptions = {}) {
    this.maxBytes = positive(options.maxBytes ?? UI_DEFAULTS.historyBytes, 'maxBytes');
    this.maxMessages = positive(options.maxMessages ?? 20_000, 'maxMessages');
    this.previewChars = positive(options.previewChars ?? UI_DEFAULTS.previewChars, 'previewChars');
    this.now = options.now ?? (() => new Date());
    this.maxPendingFacts = positive(options.maxPendingFacts ?? 2000, 'maxPendingFacts');
  }

  /** Take one observed event; listeners get it as an update. */
  record(event: TrafficEvent): void {
    const at = this.now();
    const step: StateStep = {
      state: event.state,
      at: at.toISOString(),
      ...(event.reason !== undefined && { reason: event.reason }),
    };
    let entry = this.messages.get(event.id);
    if (!entry) {
      entry = { view: { id: event.id, deliveries: {} }, bytes: RECORD_BYTES };
      this.messages.set(event.id, entry);
      this.keptBytes += entry.bytes;
    }
    const update: TrafficUpdate = { id: event.id, agent: event.agent, step };
    if (event.envelope && !entry.view.envelope) {
      const preview = previewEnvelope(event.envelope, this.previewChars);
      entry.view.envelope = update.envelope = preview.envelope;
      if (preview.cut) entry.view.cut = update.cut = preview.cut;
      this.grow(entry, preview.bytes);
    }
    (entry.view.deliveries[event.agent] ??= []).push(step);
    this.grow(entry, STEP_BYTES + (event.reason?.length ?? 0));
    this.touch(event.agent, event.state, update.envelope?.from, at.getTime());
    this.evict();
    for (const listener of this.listeners) listener(update);
    this.applyPending(event.id);
  }

  /**
   * Take a fact of `agent`'s delivery ledger: its model was given message `fact.id`
   * (pushed, or seen). A fact already kept is skipped (ledgers are read again after a
   * compaction). A message the log has not seen yet gets it when it shows up: the ledger
   * and the inbox are watched apart, and either may be read first.
   */
  recordGiven(agent: string, fact: LedgerFact): void {
    const step: StateStep = { state: fact.s, at: fact.at, ...(fact.via !== undefined && { via: fact.via }) };
    const entry = this.messages.get(fact.id);
    if (!entry) {
      this.hold(fact.id, agent, step);
      return;
    }
    const steps = (entry.view.deliveries[agent] ??= []);
    if (steps.some((each) => each.state === step.state)) return;
    steps.push(step);
    this.grow(entry, STEP_BYTES);
    const update: TrafficUpdate = { id: fact.id, agent, step };
    for (const listener of this.listeners) listener(update);
  }

  /** Every message kept, oldest first (the records themselves: do not change them). */
  all(): MessageView[] {
    return Array.from(this.messages.values(), (entry) => entry.view);
  }

  /** The ids of every message kept, oldest first. */
  ids(): string[] {
    return [...this.messages.keys()];
  }

  get(id: string): MessageView | undefined {
    return this.messages.get(id)?.view;
  }

  /** How many messages are kept and their estimated size in bytes. */
  size(): { messages: number; bytes: number } {
    return { messages: this.messages.size, bytes: this.keptBytes };
  }

  /** When traffic from or to `agent` was last seen (ms), if ever. */
  lastActivity(agent: string): number | undefined {
    return this.activity.get(agent);
  }

  /** Call `listener` for every update from now on; returns the way to stop. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A sender is active when its message first shows up; a recipient when it takes one. */
  private touch(agent: string, state: StateStep['state'], sender: string | undefined, at: number): void {
    if (sender !== undefined) this.activity.set(sender, at);
    if (state === 'claimed' || state === 'done') this.activity.set(agent, at);
  }

  private hold(id: string, agent: string, step: StateStep): void {
    const list = this.pending.get(id) ?? [];
    if (list.some((each) => each.agent === agent && each.step.state === step.state)) return;
    list.push({ agent, step });
    this.pending.set(id, list);
    this.pendingFacts++;
    while (this.pendingFacts > this.maxPendingFacts) {
      const [oldest, facts] = this.pending.entries().next().value!;
      this.pending.delete(oldest);
      this.pendingFacts -= facts.length;
    }
  }

  private applyPending(id: string): void {
    const facts = this.pending.get(id);
    if (!facts) return;
    this.pending.delete(id);
    this.pendingFacts -= facts.length;
    for (const { agent, step } of facts)
      this.recordGiven(agent, {
        id,
        s: step.state as LedgerFact['s'],
        at: step.at,
        ...(step.via !== undefined && { via: step.via }),
      });
  }

  private grow(entry: Entry, bytes: number): void {
    entry.bytes += bytes;
    this.keptBytes += bytes;
  }

  /** Oldest first; the newest message always stays, whatever its size. */
  private evict(): void {
    while (this.messages.size > 1 && (this.keptBytes > this.maxBytes || this.messages.size > this.maxMessages)) {
      const [id, entry] = this.messages.entries().next().value!;
      this.messages.delete(id);
      this.keptBytes -= entry.bytes;
    }
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`TrafficLog: ${name} must be a positive number, got ${value}`);
  return value;
}
