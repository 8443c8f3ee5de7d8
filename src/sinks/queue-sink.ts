import type { Envelope } from '../kernel/envelope.js';
import type { Settle, Sink } from '../kernel/sink.js';

interface Waiting {
  envelope: Envelope;
  settle: Settle;
}

/**
 * The pull sink: holds each message claimed until `take()` hands it out, then acks it.
 * A crash before `take()` leaves the message claimed, so the next start offers it again.
 */
export class QueueSink implements Sink {
  readonly name = 'queue';
  private readonly waiting: Waiting[] = [];
  private readonly listeners = new Set<(envelope: Envelope) => void>();

  async deliver(envelope: Envelope, settle: Settle): Promise<'held'> {
    this.waiting.push({ envelope, settle });
    for (const listener of this.listeners) listener(envelope);
    return 'held';
  }

  /** How many messages wait to be taken. */
  get size(): number {
    return this.waiting.length;
  }

  /** Oldest first; each message taken is acked (read) and never handed out again. */
  async take(max = Number.POSITIVE_INFINITY): Promise<Envelope[]> {
    const taken = this.waiting.splice(0, max);
    await Promise.all(taken.map(({ settle }) => settle.ack()));
    return taken.map(({ envelope }) => envelope);
  }

  /** Called for every message as it arrives. Returns an unsubscribe function. */
  onMessage(listener: (envelope: Envelope) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
