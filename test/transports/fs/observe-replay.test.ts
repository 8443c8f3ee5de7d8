import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrafficEvent } from '../../../src/kernel/transport.js';
import { envelope, recorder, Scratch, waitFor } from './helpers.js';

describe('observe with replay (folder transport)', () => {
  const scratch = new Scratch();
  beforeEach(() => scratch.setUp());
  afterEach(() => scratch.tearDown());

  it(
    'reports the last N messages still held, each inbox copy in its state now, oldest first, ' + 'then goes live',
    async () => {
      const receiver = scratch.transport();
      const seen = recorder();
      await receiver.open('calm-owl', seen.handler);
      const sender = scratch.transport();
      const acked = Array.from({ length: 5 }, (_, index) => envelope(`acked ${index}`));
      for (const message of acked) await sender.put('calm-owl', message);
      await waitFor(() => seen.deliveries.length === 5, { what: 'five acks' });
      const waiting = envelope('for brave-fox, offline');
      await sender.put('brave-fox', waiting);

      const events: TrafficEvent[] = [];
      const stop = await scratch
        .transport({ rescanMs: 50 })
        .observe((event) => events.push(event), { replay: { last: 3 } });
      // Replayed before observe resolves: the last three by id, acked ones done, the offline one queued.
      expect(events.map((event) => [event.id, event.agent, event.state])).toEqual([
        [acked[3]!.id, 'calm-owl', 'done'],
        [acked[4]!.id, 'calm-owl', 'done'],
        [waiting.id, 'brave-fox', 'queued'],
      ]);
      expect(events[2]!.envelope).toEqual(waiting);

      const live = envelope('after');
      await sender.put('brave-fox', live);
      await waitFor(() => events.some((event) => event.id === live.id), { what: 'the live message' });
      await stop();
      expect(events.filter((event) => event.id === waiting.id)).toHaveLength(1);
    },
  );

  it('replays nothing older than sinceMs, and nothing without replay', async () => {
    const sender = scratch.transport();
    await sender.put('calm-owl', envelope('old enough'));
    const none: TrafficEvent[] = [];
    await (await scratch.transport().observe((event) => none.push(event)))();
    expect(none).toEqual([]);
    const recent: TrafficEvent[] = [];
    await (await scratch.transport().observe((event) => recent.push(event), { replay: { sinceMs: 60_000 } }))();
    expect(recent).toHaveLength(1);
    const future: TrafficEvent[] = [];
    await (await scratch.transport().observe((event) => future.push(event), { replay: { sinceMs: -60_000 } }))();
    expect(future).toEqual([]);
  });
});
