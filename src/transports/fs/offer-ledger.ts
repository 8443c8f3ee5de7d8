import type { CrashCounts } from './crash-counts.js';

/**
 * What a receiver keeps of each message it handed over and has not settled for good: how
 * often it was offered, the last retry's reason, and when it may be offered again.
 */
export class OfferLedger {
  private readonly offers = new Map<string, number>();
  /** The reason of the last retry, added to the dead-letter reason if it comes to that. */
  private readonly lastErrors = new Map<string, string>();
  /** After a retry, the id is not offered before its time. */
  private readonly notBefore = new Map<string, number>();

  constructor(private readonly crashes: CrashCounts) {}

  /**
   * One more hand-over of `id`; returns its attempt number, which also counts the hand-overs
   * earlier receivers did not survive (crash-counts.ts).
   */
  offer(id: string): number {
    const offers = (this.offers.get(id) ?? 0) + 1;
    this.offers.set(id, offers);
    const attempt = this.crashes.of(id) + offers;
    this.crashes.handing(id);
    return attempt;
  }

  /** When a retried `id` may be offered again, or undefined once it may (or was never retried). */
  waitsUntil(id: string, now = Date.now()): number | undefined {
    const due = this.notBefore.get(id);
    if (due === undefined) return undefined;
    if (due > now) return due;
    this.notBefore.delete(id);
    return undefined;
  }

  retried(id: string, reason: string, due: number): void {
    this.lastErrors.set(id, reason);
    this.notBefore.set(id, due);
  }

  /** The reason a dead letter is given: with the last retry's error, when that adds something. */
  deadLetterReason(id: string, reason: string): string {
    const last = this.lastErrors.get(id);
    return last === undefined || reason.includes(last) ? reason : `${reason}; last error: ${last}`;
  }

  /** `id` is settled for good (acked or dead). */
  forget(id: string): void {
    this.offers.delete(id);
    this.crashes.forget(id);
    this.lastErrors.delete(id);
    this.notBefore.delete(id);
  }
}
