import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEnvelope } from '../../../src/kernel/envelope.js';
import type { Delivery, Transport } from '../../../src/kernel/transport.js';
import { silentLogger } from '../../../src/kernel/logger.js';
import { AckWindow } from '../../../src/transports/redis/ack-window.js';
import { InboxStream } from '../../../src/transports/redis/inbox-stream.js';
import type { RedisTransportOptions } from '../../../src/transports/redis/index.js';
import { waitFor } from '../../../src/testing/wait-for.js';
import { deleteNamespace, redisTransport, uniqueNamespace, useRedis } from './support.js';

/**
 * The receiver's ack window (issue 18): the next message is offered while the acks of earlier
 * ones are on their way to Redis, never more than `ackWindow` of them, so a crash repeats at
 * most that many (the SIGKILL test in failures.test.ts checks the repeats themselves).
 */
describe('redis transport: the ack window', () => {
  const redis = useRedis();
  const namespaces: string[] = [];
  const opened: Transport[] = [];

  /** Acks held back until the test lets them through, and how many are unanswered. */
  const heldAcks = () => {
    const original = InboxStream.prototype.ack;
    const waiting: Array<() => void> = [];
    const state = { unanswered: 0, failNext: new Set<string>() };
    vi.spyOn(InboxStream.prototype, 'ack').mockImplementation(async function (
      this: InboxStream,
      sid: string,
      envelopeId: string,
    ) {
      state.unanswered++;
      try {
        await new Promise<void>((release) => waiting.push(release));
        if (state.failNext.delete(envelopeId)) throw new Error(`test: the ack of ${envelopeId} is lost`);
        await original.call(this, sid, envelopeId);
      } finally {
        state.unanswered--;
      }
    });
    return {
      state,
      waiting: () => waiting.length,
      releaseAll: () => {
        for (const release of waiting.splice(0)) release();
      },
    };
  };

  const start = async (count: number, options: Partial<RedisTransportOptions>) => {
    const namespace = uniqueNamespace('window');
    namespaces.push(namespace);
    const transport = await redisTransport(redis.url, namespace, options);
    opened.push(transport);
    for (let i = 0; i < count; i++)
      await transport.put('calm-owl', createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: `m${i}` }));
    return transport;
  };

  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(opened.splice(0).map((transport) => transport.close()));
    await Promise.all(namespaces.splice(0).map((namespace) => deleteNamespace(redis.url, namespace)));
  });

  it('offers the next messages while acks are unanswered, never with ackWindow of them unanswered', async () => {
    const window = 4;
    const acks = heldAcks();
    const transport = await start(30, { ackWindow: window });
    const unansweredAtOffer: number[] = [];
    const texts: string[] = [];
    await transport.open('calm-owl', async (delivery: Delivery) => {
      unansweredAtOffer.push(acks.state.unanswered);
      texts.push(delivery.envelope.text);
      await delivery.ack();
    });
    // Nothing is answered yet: the receiver hands over a full window and then waits.
    await waitFor(() => acks.waiting() === window, { what: `${window} acks on their way` });
    expect(texts).toEqual(['m0', 'm1', 'm2', 'm3']);
    while (texts.length < 30) {
      acks.releaseAll();
      await waitFor(() => acks.waiting() > 0 || texts.length === 30, { what: 'the next window' });
    }
    acks.releaseAll();
    expect(texts).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
    expect(Math.max(...unansweredAtOffer)).toBe(window - 1);
    await waitFor(async () => (await transport.stats('calm-owl')).done === 30, { what: 'all 30 done' });
    expect(await transport.stats('calm-owl')).toMatchObject({ queued: 0, claimed: 0 });
  });

  it('with ackWindow 1, offers a message only once the ack of the one before is answered', async () => {
    const acks = heldAcks();
    const transport = await start(5, { ackWindow: 1 });
    const unansweredAtOffer: number[] = [];
    await transport.open('calm-owl', async (delivery) => {
      unansweredAtOffer.push(acks.state.unanswered);
      await delivery.ack();
    });
    while (unansweredAtOffer.length < 5) {
      await waitFor(() => acks.waiting() === 1, { what: 'one ack on its way' });
      acks.releaseAll();
    }
    expect(unansweredAtOffer).toEqual([0, 0, 0, 0, 0]);
  });

  it('an ack that fails is sent again by the receiver; the message is not handed over again', async () => {
    const acks = heldAcks();
    const transport = await start(6, { ackWindow: 4 });
    const ids: string[] = [];
    await transport.open('calm-owl', async (delivery) => {
      if (delivery.envelope.text === 'm2') acks.state.failNext.add(delivery.envelope.id);
      ids.push(delivery.envelope.id);
      await delivery.ack();
    });
    await waitFor(
      async () => {
        acks.releaseAll();
        return (await transport.stats('calm-owl')).done === 6;
      },
      { what: 'all 6 done, the lost ack sent again' },
    );
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
  });

  it('close lets the acks on their way reach Redis before it gives up the inbox', async () => {
    const acks = heldAcks();
    const transport = await start(3, { ackWindow: 8 });
    // The last steps of a close (give back unread delivery counts, then the lock) come after the acks.
    const unansweredAtRelease: number[] = [];
    const uncount = InboxStream.prototype.uncount;
    vi.spyOn(InboxStream.prototype, 'uncount').mockImplementation(function (this: InboxStream, entries) {
      unansweredAtRelease.push(acks.state.unanswered);
      return uncount.call(this, entries);
    });
    let handed = 0;
    const inbox = await transport.open('calm-owl', async (delivery) => {
      handed++;
      await delivery.ack();
    });
    await waitFor(() => acks.waiting() === 3, { what: 'three acks on their way' });
    const closing = inbox.close();
    // Let them through a little later: a close that did not wait would give up the inbox first.
    setTimeout(acks.releaseAll, 50);
    await closing;
    expect(handed).toBe(3);
    expect(unansweredAtRelease).toEqual([0]);
    expect(await transport.stats('calm-owl')).toMatchObject({ done: 3, claimed: 0, queued: 0 });
  });
});

describe('AckWindow on its own', () => {
  it('with no ack on its way, waiting for an answer ends at once; a full window waits for one', async () => {
    let answered = 0;
    const window = new AckWindow(
      'calm-owl',
      1,
      () => true,
      () => answered++,
      silentLogger,
    );
    await window.whenAnswered();
    let land!: () => void;
    window.add('m1', () => new Promise<void>((resolve) => (land = resolve)));
    expect(window.full).toBe(true);
    const waiting = window.whenAnswered();
    land();
    await waiting;
    expect([window.full, answered]).toEqual([false, 1]);
  });
});
