/** `prepare` says not to start this item nor any after it (the head of the line is held). */
export const HOLD = Symbol('hold');

export interface ReadAheadSteps<Item, Prepared> {
  /** Called in order, synchronously; starts the slow part (claim, read) or says HOLD. */
  prepare(item: Item): Promise<Prepared> | typeof HOLD;
  /** Takes prepared items one at a time, in order; false stops the run. */
  consume(prepared: Prepared): Promise<boolean>;
  /** Every prepared item that was not consumed (the run stopped, or something threw). */
  release(prepared: Prepared): Promise<void>;
}

/**
 * Consumes items strictly in order while up to `window` of the next ones are already
 * being prepared. An inbox drain spends most of its time waiting on file operations;
 * claiming and reading the next messages while the current one is with the handler
 * keeps the disk and the handler busy at once, without changing the order of delivery.
 */
export async function inOrderWithReadAhead<Item, Prepared>(
  items: Iterable<Item>,
  window: number,
  steps: ReadAheadSteps<Item, Prepared>,
): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const pending: Array<Promise<Prepared>> = [];
  let launching = true;
  const fill = () => {
    while (launching && pending.length < window) {
      const next = iterator.next();
      if (next.done) {
        launching = false;
        return;
      }
      const started = steps.prepare(next.value);
      if (started === HOLD) {
        launching = false;
        return;
      }
      started.catch(() => {}); // seen when consumed, or settled by the release below
      pending.push(started);
    }
  };
  try {
    fill();
    while (pending.length > 0) {
      if (!(await steps.consume(await pending.shift()!))) return;
      fill();
    }
  } finally {
    for (const outcome of await Promise.allSettled(pending.splice(0))) {
      if (outcome.status === 'fulfilled') await steps.release(outcome.value);
    }
  }
}
