import { describeError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';

/** A failed ack of a delivered message is sent again after this long, growing to RETRY_MAX_MS. */
const RETRY_MS = 100;
const RETRY_MAX_MS = 2000;

/**
 * The acks of one receiver that Redis has not answered yet, at most `size` of them. The
 * receiver offers the next message while they are on their way, and waits when the window
 * is full: waiting for every answer would cap an inbox at one message per round trip. An ack
 * is of a message already handed over, so one that fails is sent again here until it lands
 * (never offered again); a crash before it lands repeats it, so `size` bounds what a crash
 * repeats (docs/transports.md#how-it-works).
 */
export class AckWindow {
  private readonly unanswered = new Set<Promise<void>>();

  constructor(
    private readonly agent: string,
    private readonly size: number,
    /** False once the receiver closes or aborts: a failed ack is then given up (it stays pending). */
    private readonly open: () => boolean,
    /** Called when an ack is answered: the receiver may offer the next message. */
    private readonly onAnswered: () => void,
    private readonly logger: Logger,
  ) {}

  get full(): boolean {
    return this.unanswered.size >= this.size;
  }

  /** Resolves when an ack in the window is answered (at once if none is on its way). */
  whenAnswered(): Promise<void> {
    // Promise.race of nothing never settles.
    return this.unanswered.size === 0 ? Promise.resolve() : Promise.race(this.unanswered);
  }

  /** Sends an ack for the message `id` and returns at once; `send` is tried again until it lands. */
  add(id: string, send: () => Promise<void>): void {
    const answered = this.sendUntilDone(id, send).finally(() => {
      this.unanswered.delete(answered);
      this.onAnswered();
    });
    this.unanswered.add(answered);
  }

  /** Waits for every ack on its way (each gives up once the receiver is no longer open). */
  async drain(): Promise<void> {
    while (this.unanswered.size > 0) await Promise.allSettled([...this.unanswered]);
  }

  private async sendUntilDone(id: string, send: () => Promise<void>): Promise<void> {
    for (let failures = 0; ; failures++) {
      try {
        return await send();
      } catch (error) {
        if (!this.open()) {
          this.logger.warn(
            `could not acknowledge ${id} for "${this.agent}" before closing (${describeError(error)}): ` +
              'it was delivered, and the next receiver of this inbox gets it again',
          );
          return;
        }
        const delayMs = Math.min(RETRY_MS * 2 ** failures, RETRY_MAX_MS);
        this.logger.warn(
          `could not acknowledge ${id} for "${this.agent}", which was delivered: ${describeError(error)}; ` +
            `acknowledging again in ${delayMs} ms (it is not delivered again)`,
        );
        // A plain timer, not the receiver's sleep: a closing receiver still settles what it handed over.
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
