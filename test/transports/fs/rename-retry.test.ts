import { describe, expect, it } from 'vitest';
import { isCc2ccError } from '../../../src/kernel/errors.js';
import {
  RENAME_BUDGET_MS,
  renameWithRetry,
  TRANSIENT_RENAME_ERRORS,
  WINDOWS_TRANSIENT,
} from '../../../src/transports/fs/rename-retry.js';

function failing(code: string, times = Number.POSITIVE_INFINITY) {
  let calls = 0;
  return {
    calls: () => calls,
    io: {
      budgetMs: RENAME_BUDGET_MS,
      transient: WINDOWS_TRANSIENT,
      async rename() {
        calls++;
        if (calls <= times) throw Object.assign(new Error(`${code}: simulated`), { code });
      },
    },
  };
}

describe('rename retry', () => {
  it('gives up after about 2 s of EPERM with IO_FAILED', async () => {
    const fake = failing('EPERM');
    const started = Date.now();
    const error = await renameWithRetry('/a', '/b', fake.io).catch((caught: unknown) => caught);
    const elapsed = Date.now() - started;
    expect(isCc2ccError(error, 'IO_FAILED')).toBe(true);
    expect(String((error as Error).message)).toMatch(/EPERM/);
    expect(elapsed).toBeGreaterThanOrEqual(RENAME_BUDGET_MS - 50);
    expect(elapsed).toBeLessThan(RENAME_BUDGET_MS + 1500);
    expect(fake.calls()).toBeGreaterThan(3);
  });

  it('succeeds once a transient EBUSY clears', async () => {
    const fake = failing('EBUSY', 2);
    await renameWithRetry('/a', '/b', fake.io);
    expect(fake.calls()).toBe(3);
  });

  it('retries EPERM/EACCES/EBUSY only on Windows: elsewhere they mean what they say', () => {
    expect([...TRANSIENT_RENAME_ERRORS]).toEqual(process.platform === 'win32' ? ['EPERM', 'EACCES', 'EBUSY'] : []);
  });

  it('passes other errors straight through', async () => {
    const fake = failing('ENOENT');
    await expect(renameWithRetry('/a', '/b', fake.io)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(fake.calls()).toBe(1);
  });
});
