import { expect } from 'vitest';
import { createEnvelope, type Envelope } from '../kernel/envelope.js';
import { isCc2ccError } from '../kernel/errors.js';
import type { Delivery } from '../kernel/transport.js';
import { message, type OptionalTransportClauses } from './transport-clause-context.js';
import { optionalObserveClauses } from './transport-observe-clauses.js';
import { waitFor } from './wait-for.js';

/** What `Transport` documents as optional: a transport without it skips the clause, with its reason. */
export const optionalClauses = {
  ...optionalObserveClauses,

  putMany: {
    title: 'puts one envelope in several inboxes at once with putMany',
    test: async ({ connect }) => {
      const sender = await connect();
      if (!sender.putMany) throw new Error('this transport has no putMany: skip "putMany" with its reason');
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
      await waitFor(() => [...received.values()].every((list) => list.length === 1), {
        what: 'one copy in each inbox',
      });
      for (const list of received.values()) expect(list[0]).toEqual(envelope);
      // Each copy is settled on its own: all three end done, none is offered twice.
      for (const agent of received.keys())
        await waitFor(async () => (await receiver.stats(agent)).done === 1, { what: `${agent} done` });
      expect([...received.values()].map((list) => list.length)).toEqual([1, 1, 1]);
    },
  },

  locate: {
    title: 'locates a message in each state with locate, and nothing it does not hold',
    test: async ({ connect }) => {
      const transport = await connect();
      if (!transport.locate) throw new Error('this transport has no locate: skip "locate" with its reason');
      const [done, held, dead, queued] = ['done', 'held', 'dead', 'queued'].map((text) =>
        message('brave-fox', 'calm-owl', text),
      ) as [Envelope, Envelope, Envelope, Envelope];
      for (const envelope of [done, held, dead]) await transport.put('calm-owl', envelope);
      await transport.open('calm-owl', async (delivery) => {
        if (delivery.envelope.id === done.id) await delivery.ack();
        if (delivery.envelope.id === dead.id) await delivery.deadLetter('refused: dead');
      });
      await waitFor(async () => (await transport.stats('calm-owl')).dead === 1, { what: 'the dead letter' });
      // Queued for another agent, whose inbox nobody reads.
      await transport.put('quiet-owl', queued);
      const other = await connect();
      expect(await other.locate!('calm-owl', done.id)).toMatchObject({ state: 'done' });
      expect(await other.locate!('calm-owl', held.id)).toMatchObject({ state: 'claimed' });
      expect(await other.locate!('calm-owl', dead.id)).toEqual({ state: 'dead', reason: 'refused: dead' });
      expect(await other.locate!('quiet-owl', queued.id)).toMatchObject({ state: 'queued' });
      expect(await other.locate!('quiet-owl', done.id)).toBeUndefined();
    },
  },

  busState: {
    title: 'keeps a bus state that every connection shares',
    test: async ({ connect }) => {
      const [one, two] = [await connect(), await connect()];
      if (!one.busState || !two.busState) throw new Error('this transport has no busState: skip "busState", say why');
      const written = await one.busState.set('agent/brave-fox/rooms', { rooms: ['backend'] });
      expect(written.ok).toBe(true);
      expect(await two.busState.get('agent/brave-fox/rooms')).toMatchObject({ value: { rooms: ['backend'] } });
    },
  },

  'lost inbox': {
    title: 'tells the owner, through onlost, when another receiver holds its inbox now, and stops',
    test: async ({ connect, fixture }) => {
      if (!fixture.takeOver) throw new Error('this fixture has no takeOver: skip "lost inbox" with its reason');
      const transport = await connect();
      const inbox = await transport.open('calm-owl', async (delivery) => delivery.ack());
      const lost: Error[] = [];
      inbox.onlost = (error) => lost.push(error);
      await fixture.takeOver('calm-owl');
      // A receiver looks at its lock now and then (Redis: every third of minIdleMs, 5 s by default).
      await waitFor(() => lost.length > 0, { what: 'onlost after the takeover', timeoutMs: 30_000 });
      expect(lost).toHaveLength(1);
      expect(isCc2ccError(lost[0], 'INBOX_LOCKED'), String(lost[0])).toBe(true);
      // It stopped: another open in this process is refused while the other receiver holds the inbox.
      const again = await transport.open('calm-owl', async () => {}).catch((error: unknown) => error);
      expect(isCc2ccError(again, 'INBOX_LOCKED'), String(again)).toBe(true);
    },
  },

  'retaken inbox': {
    title: 'takes its inbox lock again after it vanished, tells the owner through onretaken, and goes on',
    test: async ({ connect, fixture }) => {
      if (!fixture.dropLock) throw new Error('this fixture has no dropLock: skip "retaken inbox" with its reason');
      const transport = await connect();
      const received: string[] = [];
      const inbox = await transport.open('calm-owl', async (delivery) => {
        received.push(delivery.envelope.text);
        await delivery.ack();
      });
      let retaken = 0;
      const lost: Error[] = [];
      inbox.onretaken = () => retaken++;
      inbox.onlost = (error) => lost.push(error);
      await fixture.dropLock('calm-owl');
      // A receiver looks at its lock now and then (Redis: every third of minIdleMs, 5 s by default).
      await waitFor(() => retaken > 0, { what: 'onretaken after the lock vanished', timeoutMs: 30_000 });
      // The lock is this receiver's again: another receiver is refused, and this one still receives.
      const other = await connect();
      const refused = await other.open('calm-owl', async () => {}).catch((error: unknown) => error);
      expect(isCc2ccError(refused, 'INBOX_LOCKED'), String(refused)).toBe(true);
      await other.put('calm-owl', message('brave-fox', 'calm-owl', 'after the lock came back'));
      await waitFor(() => received.length === 1, { what: 'delivery after the lock came back' });
      expect(received).toEqual(['after the lock came back']);
      expect(lost).toEqual([]);
    },
  },

  'attempts across crashes': {
    title: 'counts an offer that a crashed receiver did not survive in the next attempt',
    test: async ({ connect }) => {
      const first = await connect();
      const held: Delivery[] = [];
      const crashed = await first.open('calm-owl', async (delivery) => {
        held.push(delivery);
      });
      await first.put('calm-owl', message('brave-fox', 'calm-owl', 'crashes its receiver'));
      await waitFor(() => held.length === 1);
      expect(held[0]!.attempt).toBe(1);
      await crashed.abort();

      const second = await connect();
      const attempts: number[] = [];
      await second.open('calm-owl', async (delivery) => {
        attempts.push(delivery.attempt);
        await delivery.ack();
      });
      await waitFor(() => attempts.length === 1, { what: 'the offer after the crash' });
      expect(attempts).toEqual([2]);
    },
  },
} satisfies OptionalTransportClauses;
