import { describe, expect, it } from 'vitest';
import { UnreadBudget } from '../../src/mcp/unread-budget.js';

describe('unread budget', () => {
  it('waits at the count limit until something is read, and says once that it waits', async () => {
    const budget = new UnreadBudget({ maxMessages: 2, maxBytes: 1000 });
    await budget.reserve(10);
    await budget.reserve(10);
    let waits = 0;
    let third = false;
    const pending = budget.reserve(10, () => waits++).then(() => (third = true));
    await Promise.resolve();
    expect(third).toBe(false);
    expect(budget.full).toBe(true);
    budget.release(10);
    await pending;
    expect(waits).toBe(1);
    expect(budget.full).toBe(false);
  });

  it('waits at the byte limit, but always takes one message when nothing is held', async () => {
    const budget = new UnreadBudget({ maxMessages: 100, maxBytes: 100 });
    await budget.reserve(5000);
    const next = budget.reserve(1);
    expect(budget.full).toBe(true);
    budget.release(5000);
    await next;
  });

  it('rejects a waiting reservation on close', async () => {
    const budget = new UnreadBudget({ maxMessages: 1, maxBytes: 100 });
    await budget.reserve(1);
    const waiting = budget.reserve(1);
    budget.close();
    await expect(waiting).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
  });
});
