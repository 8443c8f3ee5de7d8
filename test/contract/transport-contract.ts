import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEnvelope, type Envelope } from '../../src/kernel/envelope.js';
import { isCc2ccError } from '../../src/kernel/errors.js';
import type { Delivery, Transport, TrafficEvent } from '../../src/kernel/transport.js';
import { waitFor } from './wait-for.js';

/**
 * The contract every transport passes unchanged. A fixture is one shared store
 * (a folder, a Redis namespace, a memory space); each `connect()` is a new process on it.
 */
export interface TransportFixture {
  connect(): Promise<Transport>;
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  name: string;
  create(): Promise<TransportFixture>;
}

export { waitFor };
export { runStateContract, type StateContractOptions, type StateFixture } from './state-contract.js';

export function runTransportContract({ name, create }: ContractOptions): void {
  describe(`Transport contract: ${name}`, () => {
    let fixture: TransportFixture;
    const opened: Transport[] = [];
    const connect = async () => {
      const transport = await fixture.connect();
      opened.push(transport);
      return transport;
    };

    beforeEach(async () => {
      fixture = await create();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((transport) => transport.close()));
      await fixture.cleanup();
    });

    it('queues for an agent that is not running and delivers in id order when it opens', async () => {
      const sender = await connect();
      const sent = [];
      for (let i = 0; i < 20; i++) {
        const envelope = message('brave-fox', 'calm-owl', `m${i}`);
        sent.push(envelope.id);
        await sender.put('calm-owl', envelope);
      }
      expect(await sender.stats('calm-owl')).toMatchObject({ queued: 20, claimed: 0 });

      const receiver = await connect();
      const received: string[] = [];
      await receiver.open('calm-owl', async (delivery) => {
        received.push(delivery.envelope.id);
        await delivery.ack();
      });
      await waitFor(() => received.length === 20, { what: '20 deliveries' });
      expect(received).toEqual(sent);
      await waitFor(async () => (await receiver.stats('calm-owl')).done === 20);
      expect(await receiver.stats('calm-owl')).toMatchObject({ queued: 0, claimed: 0, done: 20, dead: 0 });
    });

    it('delivers messages put while the receiver runs, and keeps what the receiver carries', async () => {
      const transport = await connect();
      const received: Envelope[] = [];
      await transport.open('calm-owl', async (delivery) => {
        received.push(delivery.envelope);
        await delivery.ack();
      });
      const envelope = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: 'hi', data: { n: [1, 2] }, meta: { k: 'v' } });
      await transport.put('calm-owl', envelope);
      await waitFor(() => received.length === 1);
      expect(received[0]).toEqual(envelope);
    });

    it('does not offer an acked message again after a restart', async () => {
      const first = await connect();
      let calls = 0;
      const inbox = await first.open('calm-owl', async (delivery) => {
        calls++;
        await delivery.ack();
      });
      await first.put('calm-owl', message('brave-fox', 'calm-owl', 'once'));
      await waitFor(async () => (await first.stats('calm-owl')).done === 1);
      await inbox.close();

      const second = await connect();
      await second.open('calm-owl', async (delivery) => {
        calls++;
        await delivery.ack();
      });
      await second.put('calm-owl', message('brave-fox', 'calm-owl', 'next'));
      await waitFor(() => calls === 2);
      expect(calls).toBe(2);
    });

    it('acks, without offering it again, a message whose id was already acked', async () => {
      const transport = await connect();
      const seen: string[] = [];
      await transport.open('calm-owl', async (delivery) => {
        seen.push(delivery.envelope.text);
        await delivery.ack();
      });
      const envelope = message('brave-fox', 'calm-owl', 'dup');
      await transport.put('calm-owl', envelope);
      await waitFor(() => seen.length === 1);
      await transport.put('calm-owl', envelope);
      await transport.put('calm-owl', message('brave-fox', 'calm-owl', 'after'));
      await waitFor(() => seen.includes('after'));
      await waitFor(async () => (await transport.stats('calm-owl')).queued === 0);
      expect(seen).toEqual(['dup', 'after']);
    });

    it('offers a claimed but unsettled message again after the receiver crashed', async () => {
      const first = await connect();
      const held: Delivery[] = [];
      const crashed = await first.open('calm-owl', async (delivery) => {
        held.push(delivery); // never settled: the process "dies" before the ack
      });
      const envelope = message('brave-fox', 'calm-owl', 'in flight');
      await first.put('calm-owl', envelope);
      await waitFor(() => held.length === 1);
      await crashed.abort();

      const second = await connect();
      const again: Envelope[] = [];
      await second.open('calm-owl', async (delivery) => {
        again.push(delivery.envelope);
        await delivery.ack();
      });
      await waitFor(() => again.length === 1, { what: 'redelivery after a crash' });
      expect(again[0]!.id).toBe(envelope.id);
      await waitFor(async () => (await second.stats('calm-owl')).done === 1);
    });

    it('moves a dead-lettered message to dead letters with its reason', async () => {
      const transport = await connect();
      const texts: string[] = [];
      await transport.open('calm-owl', async (delivery) => {
        texts.push(delivery.envelope.text);
        if (delivery.envelope.text === 'poison') await delivery.deadLetter('refused: poison pill');
        else await delivery.ack();
      });
      const poison = message('brave-fox', 'calm-owl', 'poison');
      await transport.put('calm-owl', poison);
      await transport.put('calm-owl', message('brave-fox', 'calm-owl', 'good'));
      await waitFor(() => texts.includes('good'), { what: 'the next good message' });
      const dead = await waitFor(async () => {
        const letters = await transport.deadLetters('calm-owl');
        return letters.length === 1 ? letters : undefined;
      });
      expect(dead[0]).toMatchObject({ id: poison.id, reason: 'refused: poison pill' });
      expect(dead[0]!.envelope?.text).toBe('poison');
      expect(await transport.stats('calm-owl')).toMatchObject({ dead: 1, done: 1, queued: 0, claimed: 0 });
    });

    it('offers a retried message again, with a higher attempt, before later ones', async () => {
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
      await waitFor(() => offers.some(([text, attempt]) => text === 'throws' && attempt === 2), { what: 'a retry after a throw' });
      expect(offers.slice(0, 3)).toEqual([
        ['flaky', 1],
        ['flaky', 2],
        ['flaky', 3],
      ]);
      expect(offers.slice(3)).toEqual([
        ['throws', 1],
        ['throws', 2],
      ]);
    });

    it('keeps a held message claimed until it is settled, and moves on to the next', async () => {
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
    });

    it('refuses a second receiver for the same inbox', async () => {
      const first = await connect();
      await first.open('calm-owl', async (delivery) => delivery.ack());
      const second = await connect();
      const error = await second.open('calm-owl', async (delivery) => delivery.ack()).catch((caught: unknown) => caught);
      expect(isCc2ccError(error, 'INBOX_LOCKED')).toBe(true);
      expect(String((error as Error).message)).toContain(String(process.pid));
    });

    it('lets a new receiver in after the first closed', async () => {
      const first = await connect();
      const inbox = await first.open('calm-owl', async (delivery) => delivery.ack());
      await inbox.close();
      const second = await connect();
      const received: string[] = [];
      await second.open('calm-owl', async (delivery) => {
        received.push(delivery.envelope.text);
        await delivery.ack();
      });
      await second.put('calm-owl', message('brave-fox', 'calm-owl', 'hello'));
      await waitFor(() => received.length === 1);
    });

    it('records presence and lists agents with a record or an inbox', async () => {
      const transport = await connect();
      const record = presence('brave-fox');
      await transport.announce(record);
      await transport.put('calm-owl', message('brave-fox', 'calm-owl', 'queued for later'));
      const agents = await transport.agents();
      expect(agents.map((agent) => agent.name).sort()).toEqual(['brave-fox', 'calm-owl']);
      expect(agents.find((agent) => agent.name === 'brave-fox')?.presence).toEqual(record);
      expect(agents.find((agent) => agent.name === 'calm-owl')?.presence).toBeUndefined();

      const later = { ...record, state: 'offline' as const, data: { rooms: ['backend'] } };
      await transport.announce(later);
      const other = await connect();
      expect((await other.agents()).find((agent) => agent.name === 'brave-fox')?.presence).toEqual(later);
    });

    it('delivers every message of concurrent senders once, each sender in order', async () => {
      const receiver = await connect();
      const received: Envelope[] = [];
      await receiver.open('calm-owl', async (delivery) => {
        received.push(delivery.envelope);
        await delivery.ack();
      });
      const senders = ['ant', 'bee', 'cat', 'dog', 'eel'];
      const perSender = 40;
      await Promise.all(
        senders.map(async (from) => {
          const transport = await connect();
          for (let i = 0; i < perSender; i++) await transport.put('calm-owl', message(from, 'calm-owl', `${from}-${i}`));
        }),
      );
      await waitFor(() => received.length >= senders.length * perSender, { what: 'every concurrent message' });
      expect(new Set(received.map((envelope) => envelope.id)).size).toBe(senders.length * perSender);
      for (const from of senders) {
        const texts = received.filter((envelope) => envelope.from === from).map((envelope) => envelope.text);
        expect(texts).toEqual(Array.from({ length: perSender }, (_, i) => `${from}-${i}`));
      }
    });

    it('lets an observer see traffic without taking it', async () => {
      const transport = await connect();
      const events: TrafficEvent[] = [];
      const stop = await transport.observe((event) => events.push(event));
      const envelope = message('brave-fox', 'calm-owl', 'watched');
      await transport.put('calm-owl', envelope);
      await waitFor(() => events.some((event) => event.id === envelope.id && event.state === 'queued'), { what: 'a queued event' });
      expect(await transport.stats('calm-owl')).toMatchObject({ queued: 1 });

      await transport.open('calm-owl', async (delivery) => delivery.ack());
      await waitFor(() => events.some((event) => event.id === envelope.id && event.state === 'done'), { what: 'a done event' });
      await stop();
    });

    it('puts one envelope in several inboxes at once, where the transport offers putMany', async (context) => {
      const sender = await connect();
      if (!sender.putMany) return context.skip();
      const envelope = createEnvelope({ from: 'brave-fox', to: 'room:team', text: 'to all', data: { n: 1 } });
      const outcomes = await sender.putMany(['calm-owl', 'Bad-Name', 'quiet-owl', 'bold-fox'], envelope);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(isCc2ccError((outcomes[1] as PromiseRejectedResult).reason, 'INVALID_NAME')).toBe(true);

      const receiver = await connect();
      const received = new Map<string, Envelope[]>();
      for (const agent of ['calm-owl', 'quiet-owl', 'bold-fox']) {
        received.set(agent, []);
        await receiver.open(agent, async (delivery) => {
          received.get(agent)!.push(delivery.envelope);
          await delivery.ack();
        });
      }
      await waitFor(() => [...received.values()].every((list) => list.length === 1), { what: 'one copy in each inbox' });
      for (const list of received.values()) expect(list[0]).toEqual(envelope);
      // Each copy is settled on its own: all three end done, none is offered twice.
      for (const agent of received.keys()) await waitFor(async () => (await receiver.stats(agent)).done === 1, { what: `${agent} done` });
      expect([...received.values()].map((list) => list.length)).toEqual([1, 1, 1]);
    });

    it('refuses a recipient name that breaks the naming rule before storing anything', async () => {
      const transport = await connect();
      for (const bad of ['../x', 'a/b', 'Brave-Fox', '']) {
        const error = await transport.put(bad, message('brave-fox', 'calm-owl', 'x')).catch((caught: unknown) => caught);
        expect(isCc2ccError(error, 'INVALID_NAME'), `name ${JSON.stringify(bad)}`).toBe(true);
      }
      expect((await transport.agents()).map((agent) => agent.name)).toEqual([]);
    });
  });
}

function message(from: string, to: string, text: string): Envelope {
  return createEnvelope({ from, to, text });
}

function presence(name: string) {
  const now = new Date().toISOString();
  return { name, state: 'online' as const, pid: process.pid, host: 'test-host', startedAt: now, lastSeen: now, data: {} };
}
