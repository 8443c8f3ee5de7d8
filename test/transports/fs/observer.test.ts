import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrafficEvent } from '../../../src/kernel/transport.js';
import { envelope, recorder, Scratch, snapshot, waitFor } from './helpers.js';

describe('observe', () => {
  const scratch = new Scratch();
  beforeEach(() => scratch.setUp());
  afterEach(() => scratch.tearDown());

  for (const watch of [true, false]) {
    it(`sees each of 100 messages put while a receiver acks them (watch=${watch})`, async () => {
      const receiver = scratch.transport();
      const seen = recorder();
      await receiver.open('calm-owl', seen.handler);
      const observing = scratch.transport({ watch, rescanMs: 50 });
      const events: TrafficEvent[] = [];
      const stop = await observing.observe((event) => events.push(event));

      const sender = scratch.transport();
      const messages = Array.from({ length: 100 }, () => envelope());
      for (const message of messages) await sender.put('calm-owl', message);
      const doneIds = () => new Set(events.filter((event) => event.state === 'done').map((event) => event.id));
      await waitFor(() => doneIds().size === 100, { what: 'a done event per message', timeoutMs: 20_000 });
      await stop();

      expect(seen.deliveries).toHaveLength(100);
      for (const message of messages) {
        const done = events.find((event) => event.id === message.id && event.state === 'done');
        expect(done?.envelope).toEqual(message);
        expect(done?.agent).toBe('calm-owl');
      }
      // Each transition once: no (id, state) pair twice, since nothing was retried.
      const pairs = events.map((event) => `${event.id}/${event.state}`);
      expect(new Set(pairs).size).toBe(pairs.length);
    });
  }

  it('changes nothing on disk, reports new messages and ignores what was there before', async () => {
    const sender = scratch.transport();
    const before = envelope('before');
    await sender.put('calm-owl', before);
    // Rescans only: each event below proves that a full scan ran after the put before it.
    const observing = scratch.transport({ watch: false, rescanMs: 20 });
    const events: TrafficEvent[] = [];
    const stop = await observing.observe((event) => events.push(event));
    const fresh = Array.from({ length: 10 }, () => envelope());
    for (const message of fresh) await sender.put('calm-owl', message);
    await waitFor(() => events.length >= 10, { what: 'ten queued events' });
    const box = join(scratch.root, 'to-calm-owl');
    const listing = await snapshot(box);
    for (let round = 0; round < 3; round++) {
      const probe = envelope('probe', { to: 'probe-agent' });
      await sender.put('probe-agent', probe);
      await waitFor(() => events.some((event) => event.id === probe.id), { what: `probe ${round}` });
    }
    expect(await snapshot(box)).toEqual(listing);
    await stop();
    expect(await snapshot(box)).toEqual(listing);
    const ours = events.filter((event) => event.agent === 'calm-owl');
    expect(ours.map((event) => [event.id, event.state])).toEqual(fresh.map((message) => [message.id, 'queued']));
    expect(ours.every((event, index) => event.envelope?.text === fresh[index]!.text)).toBe(true);
    expect(await sender.stats('calm-owl')).toEqual({ queued: 11, claimed: 0, done: 0, dead: 0 });
    expect(observing.logger.lines.filter((line) => line.level !== 'debug')).toEqual([]);
  });

  it('reports dead letters with their reason and inboxes that appear later', async () => {
    const observing = scratch.transport();
    const events: TrafficEvent[] = [];
    const stop = await observing.observe((event) => events.push(event));
    const sender = scratch.transport();
    const message = envelope('unwanted', { to: 'new-agent' });
    await sender.put('new-agent', message);
    await waitFor(() => events.some((event) => event.id === message.id), { what: 'the message to a new inbox' });
    const inbox = await scratch
      .transport()
      .open('new-agent', recorder((delivery) => delivery.deadLetter('filtered: spam')).handler);
    await waitFor(() => events.some((event) => event.state === 'dead'), { what: 'a dead event' });
    await inbox.close();
    await stop();
    expect(events.find((event) => event.state === 'dead')).toMatchObject({
      agent: 'new-agent',
      id: message.id,
      reason: 'filtered: spam',
      envelope: message,
    });
    expect(events[0]).toMatchObject({ agent: 'new-agent', id: message.id, state: 'queued' });
  });

  it('stops calling the listener once unsubscribed, and the transport close stops observers', async () => {
    const observing = scratch.transport();
    const events: TrafficEvent[] = [];
    const stop = await observing.observe((event) => events.push(event));
    await stop();
    const sender = scratch.transport();
    await sender.put('calm-owl', envelope());
    const second: TrafficEvent[] = [];
    await observing.observe((event) => second.push(event));
    await observing.close();
    await sender.put('calm-owl', envelope());
    // A live observer on another transport proves the event would have been visible.
    const witness: TrafficEvent[] = [];
    const witnessStop = await scratch.transport().observe((event) => witness.push(event));
    const last = envelope();
    await sender.put('calm-owl', last);
    await waitFor(() => witness.some((event) => event.id === last.id));
    await witnessStop();
    expect(events).toEqual([]);
    expect(second).toEqual([]);
    expect(join(scratch.root)).toBe(observing.root);
  });
});
