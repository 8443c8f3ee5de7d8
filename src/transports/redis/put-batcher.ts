/** One message to queue: its inbox, its envelope id and its encoded envelope. */
export interface QueuedPut {
  readonly name: string;
  readonly id: string;
  readonly text: string;
}

/** Writes a batch in one go: one outcome per message, in order. A throw refuses them all. */
export type BatchWriter = (batch: readonly QueuedPut[]) => Promise<Array<PromiseSettledResult<void>>>;

export interface BatchLimits {
  /** Most messages in one batch. */
  maxItems: number;
  /** Most envelope characters in one batch (a batch always takes at least one message). */
  maxChars: number;
}

interface Waiting {
  put: QueuedPut;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit for puts (issue 18): puts made while a batch is on its way to Redis wait and
 * leave together in the next one, so N concurrent puts cost a few round trips, not N. One
 * batch at a time, in call order: what one transport queues reaches Redis in the order of its
 * calls. A put with nothing in flight leaves at the end of the current turn of the event loop.
 */
export class PutBatcher {
  private readonly waiting: Waiting[] = [];
  private draining = false;

  constructor(
    private readonly write: BatchWriter,
    private readonly limits: BatchLimits,
  ) {}

  put(put: QueuedPut): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ put, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.take();
      const refuseAll = (reason: unknown) => batch.map(() => ({ status: 'rejected', reason }) as const);
      const puts = batch.map((entry) => entry.put);
      const outcomes: Array<PromiseSettledResult<void>> = await this.write(puts).catch(refuseAll);
      batch.forEach((entry, index) => {
        const outcome = outcomes[index]!;
        if (outcome.status === 'fulfilled') entry.resolve();
        else entry.reject(outcome.reason);
      });
    }
    this.draining = false;
  }

  /** The oldest puts that fit the limits; copies of one envelope (putMany) count its text once. */
  private take(): Waiting[] {
    let chars = 0;
    let count = 0;
    let previous: string | undefined;
    for (const { put } of this.waiting) {
      const added = put.text === previous ? 0 : put.text.length;
      if (count > 0 && (count >= this.limits.maxItems || chars + added > this.limits.maxChars)) break;
      chars += added;
      previous = put.text;
      count++;
    }
    return this.waiting.splice(0, count);
  }
}
