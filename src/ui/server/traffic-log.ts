import type { TrafficEvent } from '../../kernel/transport.js';
import type { MessageView, StateStep, TrafficUpdate } from '../protocol.js';

export interface TrafficLogOptions {
  /** The oldest messages are forgotten past this many (default 20,000). */
  maxMessages?: number;
  now?: () => Date;
}

type Listener = (update: TrafficUpdate) => void;

/**
 * What the UI has seen since it started, fed by `Transport.observe()`: one record per
 * message id with the state steps of each recipient's copy. The transport reports
 * changes, not history, so the timeline begins when the UI server starts.
 */
export class TrafficLog {
  private readonly messages = new Map<string, MessageView>();
  private readonly activity = new Map<string, number>();
  private readonly listeners = new Set<Listener>();
  private readonly maxMessages: number;
  private readonly now: () => Date;

  constructor(options: TrafficLogOptions = {}) {
    this.maxMessages = options.maxMessages ?? 20_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Take one observed event; listeners get it as an update. */
  record(event: TrafficEvent): void {
    const at = this.now();
    const step: StateStep = { state: event.state, at: at.toISOString(), ...(event.reason !== undefined && { reason: event.reason }) };
    let view = this.messages.get(event.id);
    if (!view) {
      view = { id: event.id, deliveries: {} };
      this.messages.set(event.id, view);
      this.evict();
    }
    const update: TrafficUpdate = { id: event.id, agent: event.agent, step };
    if (event.envelope && !view.envelope) {
      view.envelope = event.envelope;
      update.envelope = event.envelope;
    }
    (view.deliveries[event.agent] ??= []).push(step);
    this.touch(event.agent, event.state, update.envelope?.from, at.getTime());
    for (const listener of this.listeners) listener(update);
  }

  /** Every message seen, oldest first (the records themselves: do not change them). */
  all(): MessageView[] {
    return [...this.messages.values()];
  }

  get(id: string): MessageView | undefined {
    return this.messages.get(id);
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

  private evict(): void {
    while (this.messages.size > this.maxMessages) this.messages.delete(this.messages.keys().next().value!);
  }
}
