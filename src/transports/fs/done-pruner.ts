import { describeError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { DoneIndex, RetentionPolicy } from './done-retention.js';

const PRUNE_EVERY_ACKS = 1000;
/** While a drain is under way pruning waits (delivery first), unless done/ grew this far past its limit. */
const PRUNE_WAITS_UP_TO = 10;
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * When a receiver tidies its done/ (done-retention.ts): at open, every PRUNE_EVERY_ACKS acks
 * and on the rescan after PRUNE_EVERY_MS; one prune at a time, one unlink per removed file.
 */
export class DonePruner {
  private pruning: Promise<unknown> | undefined;
  private acksSincePrune = 0;
  private lastPrune = 0;

  constructor(
    private readonly done: DoneIndex,
    private readonly retention: RetentionPolicy,
    private readonly logger: Logger,
    private readonly agent: string,
    /** Whether the receiver is in a pass, delivering. */
    private readonly passing: () => boolean,
  ) {}

  /** Prune now, unless a prune is under way. */
  prune(): void {
    if (this.pruning) return;
    this.acksSincePrune = 0;
    this.lastPrune = Date.now();
    this.pruning = this.done
      .prune(this.retention, this.logger)
      .catch((error) => this.logger.warn(`pruning done/ of "${this.agent}" failed: ${describeError(error)}`))
      .finally(() => {
        this.pruning = undefined;
      });
  }

  /** A message was acked: its file joined done/. */
  acked(): void {
    if (++this.acksSincePrune >= PRUNE_EVERY_ACKS && !this.draining()) this.prune();
  }

  /** The drain is over (or closing): the prune it put off runs now. */
  passesEnded(): void {
    if (this.acksSincePrune >= PRUNE_EVERY_ACKS) this.prune();
  }

  /** The periodic rescan: prune when the last one is long ago. */
  rescanned(): void {
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) this.prune();
  }

  /** Resolves once a prune under way has ended. */
  async settled(): Promise<void> {
    await this.pruning;
  }

  /**
   * A pass is delivering: removing old files from done/ would compete with it for the disk
   * and the thread pool, so it waits for the pass to end (the files it removes only free
   * space the queue already took), unless the pass has gone on for many times maxDone acks.
   */
  private draining(): boolean {
    return (
      this.passing() && this.acksSincePrune < PRUNE_WAITS_UP_TO * Math.max(PRUNE_EVERY_ACKS, this.retention.maxDone)
    );
  }
}
