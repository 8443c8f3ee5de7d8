import { describe, expect, it } from 'vitest';
import { createEnvelope, type Envelope } from '../../src/kernel/envelope.js';
import { RECENT_LIMIT, RecentMessages } from '../../src/kernel/recent-messages.js';
import { memoryAgents, useCleanup } from './helpers.js';
import { waitFor } from '../../src/testing/wait-for.js';

function message(text: string): Envelope {
  return createEnvelope({ from: 'brave-fox', to: 'calm-owl', text }, new Date());
}

describe('RecentMessages', () => {
  it('keeps the last `limit` messages and forgets the oldest first', () => {
    const recent = new RecentMessages(3, 1_000_000);
    const sent = ['a', 'b', 'c', 'd', 'e'].map(message);
    for (const envelope of sent) recent.remember(envelope);
    expect(sent.map((envelope) => recent.get(envelope.id)?.text)).toEqual([undefined, undefined, 'c', 'd', 'e']);
    expect(recent.size).toEqual({ messages: 3, chars: 3 });
  });

  it('holds no more than `maxChars` of text, but always the newest message, however large', () => {
    const recent = new RecentMessages(100, 10);
    const small = [message('1234'), message('5678')];
    for (const envelope of small) recent.remember(envelope);
    expect(recent.size).toEqual({ messages: 2, chars: 8 });
    const third = message('abcd');
    recent.remember(third); // 12 chars: the oldest goes
    expect(recent.get(small[0]!.id)).toBeUndefined();
    expect(recent.size).toEqual({ messages: 2, chars: 8 });
    const huge = message('x'.repeat(50));
    recent.remember(huge);
    expect(recent.get(huge.id)?.text).toHaveLength(50);
    expect(recent.size).toEqual({ messages: 1, chars: 50 });
  });

  it('counts a message offered again once, and makes it the newest', () => {
    const recent = new RecentMessages(2, 1_000_000);
    const [first, second, third] = [message('one'), message('two'), message('six')];
    recent.remember(first!);
    recent.remember(second!);
    recent.remember(first!); // offered again: now newer than `second`
    expect(recent.size).toEqual({ messages: 2, chars: 6 });
    recent.remember(third!);
    expect(recent.get(second!.id)).toBeUndefined();
    expect(recent.get(first!.id)?.text).toBe('one');
  });
});

describe('Bus: reply to a received message', () => {
  const cleanupAfterTest = useCleanup();

  it(`answers any of the last ${RECENT_LIMIT} messages received, and refuses an older one by name`, async () => {
    const world = await memoryAgents(['brave-fox', 'calm-owl']);
    cleanupAfterTest(world.close);
    const fox = world.agents['brave-fox']!;
    const owl = world.agents['calm-owl']!;
    const count = RECENT_LIMIT + 1;
    // All in flight at once: the order they arrive in is the order the receiver remembers.
    await Promise.all(Array.from({ length: count }, (_, i) => fox.kernel.bus.send({ to: 'calm-owl', text: `m${i}` })));
    await waitFor(() => owl.sink.received.length === count);
    const [oldest, secondOldest] = owl.sink.received;
    await expect(owl.kernel.bus.reply(oldest!.id, 'late')).rejects.toThrow(
      /no received message with id ".*" among the last 1000 this session received .*answer an older one with send/,
    );
    await owl.kernel.bus.reply(secondOldest!.id, 'still known');
    await waitFor(() => fox.sink.received.length === 1);
    expect(fox.sink.received[0]).toMatchObject({ correlationId: secondOldest!.id, text: 'still known' });
  });
});
