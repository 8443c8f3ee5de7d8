import type { Envelope } from './envelope.js';

/** How many received messages `reply` can answer by id. */
export const RECENT_LIMIT = 1000;
/** A backlog of large messages must not fill memory through this memory (issue 15). */
export const RECENT_MAX_CHARS = 4 * 1024 * 1024;

/**
 * The messages an agent received last, by id, for `bus.reply` and `bus.received`: at most
 * `limit` of them and no more than `maxChars` of their text, the oldest forgotten first. The
 * newest is always kept, whatever its size.
 */
export class RecentMessages {
  private readonly byId = new Map<string, Envelope>();
  private chars = 0;

  constructor(
    private readonly limit = RECENT_LIMIT,
    private readonly maxChars = RECENT_MAX_CHARS,
  ) {}

  get(id: string): Envelope | undefined {
    return this.byId.get(id);
  }

  /** Remember `envelope` as the newest (a message offered again moves to the end). */
  remember(envelope: Envelope): void {
    const previous = this.byId.get(envelope.id);
    if (previous) this.chars -= previous.text.length;
    this.byId.delete(envelope.id);
    this.byId.set(envelope.id, envelope);
    this.chars += envelope.text.length;
    while (this.byId.size > 1 && (this.byId.size > this.limit || this.chars > this.maxChars)) {
      const [oldestId, oldest] = this.byId.entries().next().value!;
      this.byId.delete(oldestId);
      this.chars -= oldest.text.length;
    }
  }

  /** How many messages, and how much text, are remembered now. */
  get size(): { messages: number; chars: number } {
    return { messages: this.byId.size, chars: this.chars };
  }
}
