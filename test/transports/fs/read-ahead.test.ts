import { describe, expect, it } from 'vitest';
import { HOLD, inOrderWithReadAhead } from '../../../src/transports/fs/read-ahead.js';

/** Prepares that finish in reverse order: the later ones first. */
function slowFirst(items: number[]) {
  let running = 0;
  let mostAtOnce = 0;
  const prepare = (item: number) => {
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    return new Promise<number>((resolve) =>
      setTimeout(
        () => {
          running--;
          resolve(item);
        },
        (items.length - item) % 5,
      ),
    );
  };
  return { prepare, mostAtOnce: () => mostAtOnce };
}

describe('inOrderWithReadAhead', () => {
  const items = Array.from({ length: 40 }, (_, index) => index);

  it('consumes in order while at most `window` items are prepared at once', async () => {
    const { prepare, mostAtOnce } = slowFirst(items);
    const consumed: number[] = [];
    const released: number[] = [];
    await inOrderWithReadAhead(items, 4, {
      prepare,
      consume: async (item) => {
        consumed.push(item);
        return true;
      },
      release: async (item) => void released.push(item),
    });
    expect(consumed).toEqual(items);
    expect(released).toEqual([]);
    expect(mostAtOnce()).toBeLessThanOrEqual(4);
    expect(mostAtOnce()).toBeGreaterThan(1);
  });

  it('releases everything prepared and not consumed when consume says stop', async () => {
    const consumed: number[] = [];
    const released: number[] = [];
    await inOrderWithReadAhead(items, 8, {
      prepare: async (item) => item,
      consume: async (item) => {
        consumed.push(item);
        return item < 5;
      },
      release: async (item) => void released.push(item),
    });
    expect(consumed).toEqual([0, 1, 2, 3, 4, 5]);
    expect(released.sort((a, b) => a - b)).toEqual([6, 7, 8, 9, 10, 11, 12]);
  });

  it('starts nothing at or after an item that says HOLD', async () => {
    const prepared: number[] = [];
    const consumed: number[] = [];
    await inOrderWithReadAhead(items, 8, {
      prepare: (item) => {
        if (item === 3) return HOLD;
        prepared.push(item);
        return Promise.resolve(item);
      },
      consume: async (item) => {
        consumed.push(item);
        return true;
      },
      release: async () => {},
    });
    expect(prepared).toEqual([0, 1, 2]);
    expect(consumed).toEqual([0, 1, 2]);
  });

  it('releases the rest and rethrows when a prepare fails', async () => {
    const released: number[] = [];
    const run = inOrderWithReadAhead(items, 4, {
      prepare: (item) => (item === 2 ? Promise.reject(new Error('claim failed')) : Promise.resolve(item)),
      consume: async () => true,
      release: async (item) => void released.push(item),
    });
    await expect(run).rejects.toThrow('claim failed');
    expect(released.sort((a, b) => a - b)).toEqual([3, 4, 5]);
  });
});
