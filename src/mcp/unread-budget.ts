import { Cc2ccError } from '../kernel/errors.js';
import type { Envelope } from '../kernel/envelope.js';

/** How much `cc2cc serve` keeps in memory for its agent to read (config `maxUnread`, `maxUnreadBytes`). */
export interface UnreadLimits {
  maxMessages: number;
  maxBytes: number;
}

export const DEFAULT_UNREAD_LIMITS: UnreadLimits = { maxMessages: 100, maxBytes: 8 * 1024 * 1024 };

/** What one held message counts against `maxBytes`: its serialized size. */
export function heldSize(envelope: Envelope): number {
  return JSON.stringify(envelope).length;
}

/**
 * The room for messages held unread. `reserve` waits while the held messages are at the
 * count or byte limit, so the sink does not return, the kernel (which hands over one message
 * at a time) stops claiming, and the rest of the backlog stays in the inbox, on disk, until
 * the agent reads. One message always fits when nothing is held, however big it is.
 */
export class UnreadBudget {
  private messages = 0;
  private bytes = 0;
  private readonly waiting = new Set<{ resume(): void; fail(error: Error): void }>();
  private closedWith: Error | undefined;

  constructor(readonly limits: UnreadLimits) {
    for (const key of ['maxMessages', 'maxBytes'] as const) {
      if (!Number.isInteger(limits[key]) || limits[key] < 1)
        throw new Cc2ccError(
          'BAD_INPUT',
          `unread limit ${key} must be a whole number of 1 or more, got ${limits[key]}`,
        );
    }
  }

  /** A message is waiting for room: the agent should read what is held. */
  get full(): boolean {
    return this.waiting.size > 0;
  }

  /** Resolves once `size` fits (then counted as held); rejects after `close()`. `onWait` runs if it has to wait. */
  async reserve(size: number, onWait?: () => void): Promise<void> {
    let waited = false;
    while (!this.fits(size)) {
      if (this.closedWith) throw this.closedWith;
      if (!waited) onWait?.();
      waited = true;
      await new Promise<void>((resume, fail) => {
        const entry = {
          resume: () => {
            this.waiting.delete(entry);
            resume();
          },
          fail,
        };
        this.waiting.add(entry);
      });
    }
    if (this.closedWith) throw this.closedWith;
    this.messages++;
    this.bytes += size;
  }

  release(size: number): void {
    this.messages = Math.max(0, this.messages - 1);
    this.bytes = Math.max(0, this.bytes - size);
    for (const entry of [...this.waiting]) entry.resume();
  }

  /** Waiting reservations reject: their messages stay in the inbox for the next session. */
  close(reason = 'the MCP connection closed'): void {
    this.closedWith ??= new Cc2ccError('TRANSPORT_CLOSED', `not held for the agent: ${reason}`);
    for (const entry of [...this.waiting]) {
      this.waiting.delete(entry);
      entry.fail(this.closedWith);
    }
  }

  private fits(size: number): boolean {
    if (this.messages === 0) return true;
    return this.messages < this.limits.maxMessages && this.bytes + size <= this.limits.maxBytes;
  }
}
