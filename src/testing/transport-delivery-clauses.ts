import { expect } from 'vitest';
import { createEnvelope } from '../kernel/envelope.js';
import type { Delivery } from '../kernel/transport.js';
import { message, receiveAll, type TransportClauses } from './transport-clause-context.js';
import { waitFor } from './wait-for.js';

/** `put`, `open` and `Delivery`: what reaches the handler, in which order, and how it leaves the inbox. */
export const deliveryClauses = {
  'queues for an agent that is not running and delivers in id order when it opens': async ({ connect }) => {
    const sender = await connect();
    const sent = [];
    for (let i = 0; i < 20; i++) {
      const envelope = message('brave-fox', 'calm-owl', `m${i}`);
      sent.push(envelope.id);
      await sender.put('calm-owl', envelope);
    }
    // put resolved: the messages are durable, for this process and every other one.
    expect(await sender.stats('calm-owl')).toMatchObject({ queued: 20, claimed: 0 });
    expect(await (await connect()).stats('calm-owl')).toMatchObject({ queued: 20, claimed: 0 });

    const receiver = await connect();
    const received = await receiveAll(receiver, 'calm-owl');
    await waitFor(() => received.length === 20, { what: '20 deliveries' });
    expect(received.map((envelope) => envelope.id)).toEqual(sent);
    await waitFor(async () => (await receiver.stats('calm-owl')).done === 20);
    expect(await receiver.stats('calm-owl')).toMatchObject({ queued: 0, claimed: 0, done: 20, dead: 0 });
  },

  'delivers messages put while the receiver runs, and keeps what the receiver carries': async ({ connect }) => {
    const transport = await connect();
    const received = await receiveAll(transport, 'calm-owl');
    const envelope = createEnvelope({
      from: 'brave-fox',
      to: 'calm-owl',
      text: 'hi',
      data: { n: [1, 2] },
      meta: { k: 'v' },
    });
    await transport.put('calm-owl', envelope);
    await waitFor(() => received.length === 1);
    expect(received[0]).toEqual(envelope);
  },

  'calls the handler for one message at a time': async ({ connect }) => {
    const transport = await connect();
    const other = await connect();
    for (const text of ['a', 'b', 'c']) await transport.put('calm-owl', message('brave-fox', 'calm-owl', text));
    let running = 0;
    let most = 0;
    const order: string[] = [];
    await transport.open('calm-owl', async (delivery) => {
      running++;
      most = Math.max(most, running);
      order.push(delivery.envelope.text);
      // Real round trips to the store while the next messages wait: time enough for a second call to start.
      await other.put('quiet-owl', message('brave-fox', 'quiet-owl', `while ${delivery.envelope.text}`));
      await other.stats('calm-owl');
      running--;
      await delivery.ack();
    });
    await waitFor(async () => (await transport.stats('calm-owl')).done === 3, { what: 'three messages done' });
    expect(order).toEqual(['a', 'b', 'c']);
    expect(most).toBe(1);
  },

  'does not offer an acked message again after a restart': async ({ connect }) => {
    const first = await connect();
    const firstSaw = await receiveAll(first, 'calm-owl');
    await first.put('calm-owl', message('brave-fox', 'calm-owl', 'once'));
    await waitFor(async () => (await first.stats('calm-owl')).done === 1);
    await first.close();

    const second = await connect();
    const secondSaw = await receiveAll(second, 'calm-owl');
    // 'next' has a later id: a redelivered 'once' would reach the handler before it.
    await second.put('calm-owl', message('brave-fox', 'calm-owl', 'next'));
    await waitFor(async () => (await second.stats('calm-owl')).done === 2, { what: 'next done' });
    expect([...firstSaw, ...secondSaw].map((envelope) => envelope.text)).toEqual(['once', 'next']);
  },

  'acks, without offering it again, a message whose id was already acked': async ({ connect }) => {
    const transport = await connect();
    const seen = await receiveAll(transport, 'calm-owl');
    const envelope = message('brave-fox', 'calm-owl', 'dup');
    await transport.put('calm-owl', envelope);
    await waitFor(() => seen.length === 1);
    await transport.put('calm-owl', envelope);
    await transport.put('calm-owl', message('brave-fox', 'calm-owl', 'after'));
    await waitFor(() => seen.some((received) => received.text === 'after'));
    await waitFor(async () => (await transport.stats('calm-owl')).queued === 0);
    expect(seen.map((received) => received.text)).toEqual(['dup', 'after']);
  },

  'moves dead-lettered messages to dead letters with their reasons, oldest first': async ({ connect }) => {
    const transport = await connect();
    const texts: string[] = [];
    await transport.open('calm-owl', async (delivery) => {
      texts.push(delivery.envelope.text);
      if (delivery.envelope.text.startsWith('poison')) await delivery.deadLetter(`refused: ${delivery.envelope.text}`);
      else await delivery.ack();
    });
    const poison = message('brave-fox', 'calm-owl', 'poison 1');
    const later = message('brave-fox', 'calm-owl', 'poison 2');
    await transport.put('calm-owl', poison);
    await transport.put('calm-owl', later);
    await transport.put('calm-owl', message('brave-fox', 'calm-owl', 'good'));
    await waitFor(() => texts.includes('good'), { what: 'the next good message' });
    const dead = await waitFor(async () => {
      const letters = await transport.deadLetters('calm-owl');
      return letters.length === 2 ? letters : undefined;
    });
    expect(dead.map(({ id, reason }) => ({ id, reason }))).toEqual([
      { id: poison.id, reason: 'refused: poison 1' },
      { id: later.id, reason: 'refused: poison 2' },
    ]);
    expect(dead[0]!.envelope).toEqual(poison);
    expect(await transport.stats('calm-owl')).toMatchObject({ dead: 2, done: 1, queued: 0, claimed: 0 });
  },

  'offers a retried or thrown message again, with a higher attempt, before later ones': async ({ connect }) => {
    const transport = await connect();
    const offers: Array<[string, number]> = [];
    await transport.open('calm-owl', async (delivery) => {
      offers.push([delivery.envelope.text, delivery.attempt]);
      if (delivery.envelope.text === 'flaky' && delivery.attempt < 3) {
        await delivery.retry('not yet', 20);
        return;
      }
      if (delivery.envelope.text === 'throws' && delivery.attempt === 1) throw new Error('sink down');
      await delivery.ack();
    });
    await transport.put('calm-owl', message('brave-fox', 'calm-owl', 'flaky'));
    await transport.put('calm-owl', message('brave-fox', 'calm-owl', 'throws'));
    await waitFor(() => offers.some(([text, attempt]) => text === 'throws' && attempt === 2), {
      what: 'a retry after a throw',
    });
    expect(offers.slice(0, 3)).toEqual([
      ['flaky', 1],
      ['flaky', 2],
      ['flaky', 3],
    ]);
    expect(offers.slice(3)).toEqual([
      ['throws', 1],
      ['throws', 2],
    ]);
  },

  'keeps a held message claimed until it is settled, and moves on to the next': async ({ connect }) => {
    const transport = await connect();
    const held: Delivery[] = [];
    await transport.open('calm-owl', async (delivery) => {
      held.push(delivery);
    });
    await transport.put('calm-owl', message('brave-fox', 'calm-owl', 'a'));
    await transport.put('calm-owl', message('brave-fox', 'calm-owl', 'b'));
    await waitFor(() => held.length === 2, { what: 'both offered while the first is held' });
    expect(await transport.stats('calm-owl')).toMatchObject({ claimed: 2, queued: 0 });
    await held[1]!.ack();
    await held[0]!.ack();
    await held[0]!.ack(); // settling twice is harmless
    expect(await transport.stats('calm-owl')).toMatchObject({ claimed: 0, done: 2 });
  },

  'delivers every message of concurrent senders once, each sender in order': async ({ connect }) => {
    const receiver = await connect();
    const received = await receiveAll(receiver, 'calm-owl');
    const senders = ['ant', 'bee', 'cat', 'dog', 'eel'];
    const perSender = 40;
    await Promise.all(
      senders.map(async (from) => {
        const transport = await connect();
        for (let i = 0; i < perSender; i++) await transport.put('calm-owl', message(from, 'calm-owl', `${from}-${i}`));
      }),
    );
    await waitFor(() => received.length >= senders.length * perSender, { what: 'every concurrent message' });
    await waitFor(async () => (await receiver.stats('calm-owl')).done === received.length, { what: 'all done' });
    expect(received.length).toBe(senders.length * perSender);
    expect(new Set(received.map((envelope) => envelope.id)).size).toBe(senders.length * perSender);
    for (const from of senders) {
      const texts = received.filter((envelope) => envelope.from === from).map((envelope) => envelope.text);
      expect(texts).toEqual(Array.from({ length: perSender }, (_, i) => `${from}-${i}`));
    }
  },
} satisfies TransportClauses;
