import type { InboxEntry } from './inbox-recovery.js';
import { messageFileName } from './message-file.js';

/**
 * Order is per sender. While one message of a sender waits for its retry (a rate limit, a
 * failed sink or ack), the sender's later messages wait until it has been offered again;
 * other senders' messages pass. A later message found held is remembered by id, so the
 * next passes skip it without claiming it again.
 */
export class SenderHolds {
  /** Sender → the message its hold waits for. */
  private readonly holds = new Map<string, string>();
  /** Id → sender, for messages read once and found to be behind a hold. */
  private readonly behind = new Map<string, string>();

  /** `id` of `sender` was given back for a retry. */
  hold(sender: string, id: string): void {
    this.holds.set(sender, id);
  }

  /** Whether `sender` has an earlier message (not `id` itself) waiting for its retry. */
  holdsBack(sender: string, id?: string): boolean {
    const waitingFor = this.holds.get(sender);
    return waitingFor !== undefined && waitingFor !== id;
  }

  /** A message of a held sender was put back: skip it until the hold ends. */
  putBehind(id: string, sender: string): void {
    this.behind.set(id, sender);
  }

  /** For the pass, before claiming: true when this id is known to wait behind its sender's hold. */
  skip(id: string): boolean {
    const sender = this.behind.get(id);
    if (sender === undefined) return false;
    if (this.holdsBack(sender)) return true;
    this.behind.delete(id);
    return false;
  }

  /**
   * `id` of `sender` is being offered: the hold that waited for it ends. True when messages
   * were skipped behind it (the caller passes over the inbox again for them).
   */
  offered(sender: string, id: string): boolean {
    if (this.holds.get(sender) !== id) return false;
    return this.release(sender);
  }

  /**
   * A hold whose message left inbox/ some other way (removed by hand, say) must not block its
   * sender. True as for `offered`.
   */
  dropStale(listed: InboxEntry[], inHand: (id: string) => boolean): boolean {
    if (this.holds.size === 0) return false;
    const names = new Set(listed.map((entry) => entry.name));
    let again = false;
    for (const [sender, id] of this.holds) {
      if (!names.has(messageFileName(id)) && !inHand(id)) again = this.release(sender) || again;
    }
    return again;
  }

  private release(sender: string): boolean {
    this.holds.delete(sender);
    return [...this.behind.values()].includes(sender);
  }
}
