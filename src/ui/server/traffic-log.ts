import type { TrafficEvent } from '../../kernel/transport.js';
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

  constructor(options: TrafficLogOptions = {}) {
    this.maxBytes = positive(options.maxBytes ?? UI_DEFAULTS.historyBytes, 'maxBytes');
    this.maxMessages = positive(options.maxMessages ?? 20_000, 'maxMessages');
    this.previewChars = positive(options.previewChars ?? UI_DEFAULTS.previewChars, 'previewChars');
    this.now = options.now ?? (() => new Date());
  }

  /** Take one observed event; listeners get it as an update. */
  record(event: TrafficEvent): void {
    const at = this.now();
    const step: StateStep = { state: event.state, at: at.toISOString(), ...(event.reason !== undefined && { reason: event.reason }) };
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
  if (!Number.isFinite(value) || value <= 0) throw new Error(`TrafficLog: ${name} must be a positive number, got ${value}`);
  return value;
}
