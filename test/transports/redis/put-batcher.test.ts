import { describe, expect, it } from 'vitest';
import { PutBatcher, type QueuedPut } from '../../../src/transports/redis/put-batcher.js';

const put = (id: string, text = `text of ${id}`): QueuedPut => ({ name: 'calm-owl', id, text });
const FULFILLED: PromiseSettledResult<void> = { status: 'fulfilled', value: undefined };

/** A writer that records each batch and answers when the test releases it. */
function heldWriter() {
  const batches: string[][] = [];
  const releases: Array<() => void> = [];
  const write = (batch: readonly QueuedPut[]) => {
    batches.push(batch.map(({ id }) => id));
    return new Promise<Array<PromiseSettledResult<void>>>((resolve) => {
      const outcome = (id: string): PromiseSettledResult<void> =>
        id.startsWith('bad') ? { status: 'rejected', reason: new Error(id) } : FULFILLED;
      releases.push(() => resolve(batch.map(({ id }) => outcome(id))));
    });
  };
  const released = async (index: number) => {
    while (releases.length <= index) await new Promise((resolve) => setImmediate(resolve));
    releases[index]!();
  };
  return { batches, write, released };
}

describe('PutBatcher (group commit of Redis puts)', () => {
  it('sends the puts of one turn together, those made while a batch is out in the next, in call order', async () => {
    const writer = heldWriter();
    const batcher = new PutBatcher(writer.write, { maxItems: 100, maxChars: 1_000_000 });
    const first = ['a', 'b', 'c'].map((id) => batcher.put(put(id)));
    while (writer.batches.length === 0) await new Promise((resolve) => setImmediate(resolve)); // the first batch leaves
    const second = ['d', 'bad-e', 'f'].map((id) => batcher.put(put(id)));
    expect(writer.batches).toEqual([['a', 'b', 'c']]);
    await writer.released(0);
    await Promise.all(first);
    await writer.released(1);
    const outcomes = await Promise.allSettled(second);
    expect(writer.batches).toEqual([
      ['a', 'b', 'c'],
      ['d', 'bad-e', 'f'],
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('splits at maxItems and maxChars, counts adjacent copies of one envelope once, and always sends one', async () => {
    const batches: string[][] = [];
    const batcher = new PutBatcher(
      async (batch) => {
        batches.push(batch.map(({ id }) => id));
        return batch.map((): PromiseSettledResult<void> => ({ status: 'fulfilled', value: undefined }));
      },
      { maxItems: 3, maxChars: 10 },
    );
    const room = 'x'.repeat(8);
    await Promise.all([
      batcher.put(put('r1', room)),
      batcher.put(put('r2', room)),
      batcher.put(put('r3', room)),
      batcher.put(put('big', 'y'.repeat(50))),
      batcher.put(put('s1', 'abc')),
      batcher.put(put('s2', 'abc')),
    ]);
    expect(batches).toEqual([['r1', 'r2', 'r3'], ['big'], ['s1', 's2']]);
  });

  it('refuses every put of a batch whose write failed, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new PutBatcher(
      async (batch) => {
        if (calls++ === 0) throw new Error('connection lost');
        return batch.map((): PromiseSettledResult<void> => ({ status: 'fulfilled', value: undefined }));
      },
      { maxItems: 10, maxChars: 1000 },
    );
    const failed = await Promise.allSettled([batcher.put(put('a')), batcher.put(put('b'))]);
    const reasons = failed.map((outcome) => outcome.status === 'rejected' && (outcome.reason as Error).message);
    expect(reasons).toEqual(['connection lost', 'connection lost']);
    await expect(batcher.put(put('c'))).resolves.toBeUndefined();
  });
});
