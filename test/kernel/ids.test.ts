import { describe, expect, it } from 'vitest';
import { isUlid, newId } from '../../src/kernel/ids.js';

describe('newId', () => {
  it('makes valid ULIDs, unique and in creation order, across many refills of the random pool', () => {
    // 2,000 ids in one millisecond use the increment; ids in new milliseconds draw 16 random bytes each.
    const ids = [
      ...Array.from({ length: 2000 }, () => newId(1_700_000_000_000)),
      ...Array.from({ length: 2000 }, (_, i) => newId(1_700_000_000_001 + i)),
    ];
    expect(ids.every(isUlid)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('spreads the random part over the whole alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) for (const char of newId(1_800_000_000_000 + i).slice(10)) seen.add(char);
    expect(seen.size).toBe(32);
  });
});
