import { expect } from 'vitest';
import type { Transport, TrafficEvent, TrafficState } from '../kernel/transport.js';
import { ObserverProcess } from './observe-process.js';
import { message, type OptionalTransportClauses, type TransportClauses } from './transport-clause-context.js';
import { waitFor } from './wait-for.js';

/** `observe`: every inbox watched without changing any, from this connection, another one, another process. */
export const observeClauses = {
  'lets an observer see traffic without taking it, dead letters with their reason': async ({ connect }) => {
    const transport = await connect();
    const events = await observed(transport);
    const envelope = message('brave-fox', 'calm-owl', 'watched');
    await transport.put('calm-owl', envelope);
    await waitFor(() => saw(events, envelope.id, 'queued'), { what: 'a queued event' });
    expect(await transport.stats('calm-owl')).toMatchObject({ queued: 1 });

    const poison = message('brave-fox', 'calm-owl', 'poison');
    await transport.put('calm-owl', poison);
    await transport.open('calm-owl', async (delivery) => {
      if (delivery.envelope.id === poison.id) await delivery.deadLetter('refused: poison');
      else await delivery.ack();
    });
    await waitFor(() => saw(events, envelope.id, 'done'), { what: 'a done event' });
    const isDead = (event: TrafficEvent) => event.id === poison.id && event.state === 'dead';
    const dead = await waitFor(() => events.find(isDead), { what: 'a dead event' });
    expect(dead).toMatchObject({ agent: 'calm-owl', reason: 'refused: poison' });
  },

  'lets an observer on another connection see the traffic of this one': async ({ connect }) => {
    const watcher = await connect();
    const events = await observed(watcher);
    const transport = await connect();
    const envelope = message('brave-fox', 'calm-owl', 'seen elsewhere');
    await transport.put('calm-owl', envelope);
    // An observer may miss a state that lasts less than it looks (queued, then at once done): wait for each.
    await waitFor(() => saw(events, envelope.id, 'queued'), { what: 'queued, seen by the other connection' });
    await transport.open('calm-owl', async (delivery) => delivery.ack());
    await waitFor(() => saw(events, envelope.id, 'done'), { what: 'done, seen by the other connection' });
    expect(events.find((event) => event.id === envelope.id)).toMatchObject({ agent: 'calm-owl' });
  },

  'reports nothing more to an observer once it is stopped, or its transport closed': async ({ connect }) => {
    const stopped = await connect();
    const closed = await connect();
    const [stoppedEvents, closedEvents] = [[] as TrafficEvent[], [] as TrafficEvent[]];
    const stop = await stopped.observe((event) => stoppedEvents.push(event));
    await closed.observe((event) => closedEvents.push(event));
    const still = await observed(await connect());
    await stop();
    await closed.close();
    const sender = await connect();
    const envelope = message('brave-fox', 'calm-owl', 'after the stop');
    await sender.put('calm-owl', envelope);
    // An observer still running sees it: one that was stopped would have by now too.
    await waitFor(() => saw(still, envelope.id, 'queued'), { what: 'the observer that still runs' });
    await sender.stats('calm-owl');
    expect(stoppedEvents.filter((event) => event.id === envelope.id)).toEqual([]);
    expect(closedEvents.filter((event) => event.id === envelope.id)).toEqual([]);
  },

  'accepts a replay request and still reports live changes': async ({ connect }) => {
    const transport = await connect();
    await transport.put('calm-owl', message('brave-fox', 'calm-owl', 'before'));
    const events = await observed(transport, { replay: { last: 10 } });
    const live = message('brave-fox', 'calm-owl', 'live');
    await transport.put('calm-owl', live);
    await waitFor(() => saw(events, live.id, 'queued'), { what: 'the live put' });
  },
} satisfies TransportClauses;

/** Optional observe clauses: a store shared between processes, and replay. */
export const optionalObserveClauses = {
  'observe across processes': {
    title: 'shares traffic with an observer in another process, both ways',
    test: async ({ connect, fixture }) => {
      if (!fixture.process) {
        throw new Error('no `process` opener in the fixture: give one, or skip "observe across processes", say why');
      }
      const other = new ObserverProcess(fixture.process);
      try {
        await other.ready;
        const here = await connect();
        const events = await observed(here);
        const mine = message('brave-fox', 'calm-owl', 'from this process');
        await here.put('calm-owl', mine);
        await waitFor(() => other.saw(mine.id, 'queued'), { what: 'the other process seeing a put of this one' });
        await here.open('calm-owl', async (delivery) => delivery.ack());
        await waitFor(() => other.saw(mine.id, 'done'), { what: 'the other process seeing an ack of this one' });

        const theirs = message('bold-fox', 'quiet-owl', 'from the other process');
        await other.send('quiet-owl', theirs);
        await waitFor(() => saw(events, theirs.id, 'queued'), { what: 'this process seeing the other one' });
      } finally {
        await other.stop();
      }
    },
  },

  'observe replay': {
    title: 'replays the messages it holds to a new observer, once per inbox in their state now, oldest first',
    test: async ({ connect }) => {
      const transport = await connect();
      const first = message('brave-fox', 'calm-owl', 'first');
      const second = message('brave-fox', 'calm-owl', 'second');
      const third = message('brave-fox', 'quiet-owl', 'third');
      for (const envelope of [first, second, third]) await transport.put(envelope.to, envelope);
      await transport.open('calm-owl', async (delivery) => {
        if (delivery.envelope.id === first.id) await delivery.ack();
      });
      await waitFor(async () => {
        const { done, claimed } = await transport.stats('calm-owl');
        return done === 1 && claimed === 1;
      });

      const events = await observed(await connect(), { replay: { last: 10 } });
      // A live put after the replay: once it is seen, the replay is over.
      const marker = message('brave-fox', 'bold-fox', 'marker');
      await transport.put('bold-fox', marker);
      await waitFor(() => saw(events, marker.id, 'queued'), { what: 'the marker after the replay' });
      const replayed = events.filter((event) => [first.id, second.id, third.id].includes(event.id));
      expect(replayed.map(({ agent, id, state }) => ({ agent, id, state }))).toEqual([
        { agent: 'calm-owl', id: first.id, state: 'done' },
        { agent: 'calm-owl', id: second.id, state: 'claimed' },
        { agent: 'quiet-owl', id: third.id, state: 'queued' },
      ]);
    },
  },
} satisfies OptionalTransportClauses;

async function observed(transport: Transport, options?: Parameters<Transport['observe']>[1]): Promise<TrafficEvent[]> {
  const events: TrafficEvent[] = [];
  await transport.observe((event) => events.push(event), options);
  return events;
}

function saw(events: readonly TrafficEvent[], id: string, state: TrafficState): boolean {
  return events.some((event) => event.id === id && event.state === state);
}
