import { describe, expect, it } from 'vitest';
import { MemoryState, forgetAgentState, isCc2ccError } from '../../../src/index.js';
import { addClaim, allClaims, releaseClaims, renewClaims, storedClaims } from '../../../plugins/claims/claim-store.js';

const HOUR = 3_600_000;

describe('claim store', () => {
  it('keeps claims under agent/<name>/claims, so forgetting the agent drops them', async () => {
    const state = new MemoryState();
    await addClaim(state, 'ann', { paths: ['src/**'], exclusive: true, ttlMs: HOUR }, () => 1000);
    expect((await state.get('agent/ann/claims'))?.value).toEqual([
      expect.objectContaining({ paths: ['src/**'], exclusive: true }),
    ]);
    await expect(
      addClaim(state, 'bob', { paths: ['src/a.ts'], exclusive: false, ttlMs: HOUR }, () => 1000),
    ).rejects.toSatisfy((error) => isCc2ccError(error, 'CLAIM_CONFLICT'));
    expect(await forgetAgentState(state, 'ann')).toContain('agent/ann/claims');
    expect(await allClaims(state, 1000)).toEqual([]);
    await addClaim(state, 'bob', { paths: ['src/a.ts'], exclusive: true, ttlMs: HOUR }, () => 1000);
  });

  it('releases single globs or everything, and a new claim on the same globs replaces the old one', async () => {
    const state = new MemoryState();
    await addClaim(state, 'ann', { paths: ['a/**', 'b.md'], exclusive: true, ttlMs: HOUR, reason: 'one' }, () => 0);
    await addClaim(state, 'ann', { paths: ['b.md', 'a/**'], exclusive: false, ttlMs: HOUR, reason: 'two' }, () => 0);
    expect(await allClaims(state, 0)).toEqual([
      expect.objectContaining({ paths: ['a/**', 'b.md'], exclusive: false, reason: 'two' }),
    ]);
    expect(await releaseClaims(state, 'ann', ['b.md'], 0)).toEqual(['b.md']);
    expect((await allClaims(state, 0)).map((claim) => claim.paths)).toEqual([['a/**']]);
    expect(await releaseClaims(state, 'ann', ['nope'], 0)).toEqual([]);
    expect(await releaseClaims(state, 'ann', undefined, 0)).toEqual(['a/**']);
    expect(await state.get('agent/ann/claims')).toBeUndefined();
  });

  it('renews live claims from now and never brings an expired one back', async () => {
    const state = new MemoryState();
    await addClaim(state, 'ann', { paths: ['short'], exclusive: true, ttlMs: 1000 }, () => 0);
    await addClaim(state, 'ann', { paths: ['long'], exclusive: true, ttlMs: HOUR }, () => 0);
    // At 1500 the short one has expired: a renewal keeps only the long one, from 1500.
    expect(await renewClaims(state, 'ann', () => 1500)).toBe(1);
    expect((await storedClaims(state)).map((claim) => [claim.paths[0], claim.expiresAt])).toEqual([
      ['long', 1500 + HOUR],
    ]);
  });

  it('refuses paths outside the repository and empty claims', async () => {
    const state = new MemoryState();
    for (const paths of [['../x'], ['/etc/passwd'], ['a/../../b'], [], ['  ']]) {
      await expect(addClaim(state, 'ann', { paths, exclusive: true, ttlMs: HOUR }, () => 0)).rejects.toSatisfy(
        (error) => isCc2ccError(error, 'BAD_INPUT'),
      );
    }
  });
});
