import { expect } from 'vitest';
import { createEnvelope, encodeEnvelope, type Envelope } from '../kernel/envelope.js';
import { isCc2ccError } from '../kernel/errors.js';
import type { Delivery, Transport } from '../kernel/transport.js';
import { gate, message, presence, receiveAll, type TransportClauses } from './transport-clause-context.js';
import { waitFor } from './wait-for.js';

/** Who holds an inbox, how a receiver stops (close, abort, the transport's close), and what `put` refuses. */
export const lifecycleClauses = {
  'names its kind in a short word': async ({ connect }) => {
    expect((await connect()).kind).toMatch(/^[a-z][a-z0-9-]*$/);
  },

  'refuses a second receiver for the same inbox': async ({ connect }) => {
    const first = await connect();
    await first.open('calm-owl', async (delivery) => delivery.ack());
    const second = await connect();
    const error = await second.open('calm-owl', async (delivery) => delivery.ack()).catch((caught: unknown) => caught);
    expect(isCc2ccError(error, 'INBOX_LOCKED')).toBe(true);
    expect(String((error as Error).message)).toContain(String(process.pid));
  },

  'lets a new receiver in after the first closed, and calls the closed one no more': async ({ connect }) => {
    const first = await connect();
    const closedSaw: string[] = [];
    const inbox = await first.open('calm-owl', async (delivery) => {
      closedSaw.push(delivery.envelope.text);
      await delivery.ack();
    });
    await inbox.close();
    await first.put('calm-owl', message('brave-fox', 'calm-owl', 'hello'));
    const received = await receiveAll(await connect(), 'calm-owl');
    await waitFor(() => received.length === 1, { what: 'the new receiver gets the message' });
    expect(closedSaw).toEqual([]);
  },

  'waits, when an inbox closes, for the handler in progress': async ({ connect }) => {
    const transport = await connect();
    await expectCloseWaitsForHandler(transport, await connect(), async (inbox) => inbox.close());
  },

  'closes its open inboxes when the transport closes, after the handler in progress': async ({ connect }) => {
    const transport = await connect();
    await expectCloseWaitsForHandler(transport, await connect(), async () => transport.close());
    // The inbox was released: another process takes it and receives.
    const next = await connect();
    const received = await receiveAll(next, 'calm-owl');
    await next.put('calm-owl', message('brave-fox', 'calm-owl', 'after close'));
    await waitFor(() => received.length === 1, { what: 'delivery to the next receiver' });
    expect(received.map((envelope) => envelope.text)).toEqual(['after close']);
  },

  'offers a claimed but unsettled message again after the receiver crashed': async ({ connect }) => {
    const first = await connect();
    const held: Delivery[] = [];
    const crashed = await first.open('calm-owl', async (delivery) => {
      held.push(delivery); // never settled: the process "dies" before the ack
    });
    const envelope = message('brave-fox', 'calm-owl', 'in flight');
    await first.put('calm-owl', envelope);
    await waitFor(() => held.length === 1);
    await crashed.abort();
    expect(await first.stats('calm-owl')).toMatchObject({ claimed: 1, queued: 0, done: 0 });

    const second = await connect();
    const again = await receiveAll(second, 'calm-owl');
    await waitFor(() => again.length === 1, { what: 'redelivery after a crash' });
    expect(again[0]!.id).toBe(envelope.id);
    await waitFor(async () => (await second.stats('calm-owl')).done === 1);
  },

  'records presence and lists agents with a record or an inbox': async ({ connect }) => {
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
  },

  'refuses a recipient name that breaks the naming rule before storing anything': async ({ connect }) => {
    const transport = await connect();
    for (const bad of ['../x', 'a/b', 'Brave-Fox', '']) {
      const error = await transport.put(bad, message('brave-fox', 'calm-owl', 'x')).catch((caught: unknown) => caught);
      expect(isCc2ccError(error, 'INVALID_NAME'), `name ${JSON.stringify(bad)}`).toBe(true);
    }
    expect((await transport.agents()).map((agent) => agent.name)).toEqual([]);
  },

  'refuses an envelope that is not wire format v1 before storing anything': async ({ connect }) => {
    const transport = await connect();
    const bad = { ...message('brave-fox', 'calm-owl', 'x'), from: 'Not A Name' } as Envelope;
    const error = await transport.put('calm-owl', bad).catch((caught: unknown) => caught);
    expect(isCc2ccError(error, 'INVALID_ENVELOPE'), String(error)).toBe(true);
    expect(await transport.stats('calm-owl')).toMatchObject({ queued: 0 });
  },

  'refuses an envelope over maxBytes before storing anything, and carries one at the limit': async ({
    connect,
    maxBytes,
  }) => {
    const transport = await connect();
    const atLimit = envelopeOfSize(maxBytes);
    const over = envelopeOfSize(maxBytes + 1);
    const error = await transport.put('calm-owl', over).catch((caught: unknown) => caught);
    expect(isCc2ccError(error, 'ENVELOPE_TOO_LARGE'), String(error)).toBe(true);
    expect(await transport.stats('calm-owl')).toMatchObject({ queued: 0 });

    await transport.put('calm-owl', atLimit);
    const received = await receiveAll(transport, 'calm-owl');
    await waitFor(() => received.length === 1, { what: 'the envelope at the limit' });
    expect(received[0]).toEqual(atLimit);
  },
} satisfies TransportClauses;

/**
 * Holds a handler at a gate, starts `close`, and opens the gate only after real round trips to
 * the store: a close that did not wait has resolved by then. The held message is acked on the
 * way out, so it ends done.
 */
async function expectCloseWaitsForHandler(
  transport: Transport,
  other: Transport,
  close: (inbox: { close(): Promise<void> }) => Promise<void>,
): Promise<void> {
  const held = gate();
  const entered = gate();
  let handlerReturned = false;
  const inbox = await transport.open('calm-owl', async (delivery) => {
    entered.open();
    await held.opened;
    await delivery.ack();
    handlerReturned = true;
  });
  await other.put('calm-owl', message('brave-fox', 'calm-owl', 'in progress'));
  await entered.opened;
  let closed = false;
  const closing = close(inbox).then(() => {
    closed = true;
    return handlerReturned;
  });
  await other.stats('calm-owl');
  await other.agents();
  expect(closed, 'close resolved while the handler was still running').toBe(false);
  held.open();
  expect(await closing, 'close resolved before the handler returned').toBe(true);
  expect(await other.stats('calm-owl')).toMatchObject({ done: 1, claimed: 0, queued: 0 });
}

/** An envelope whose wire form is exactly `bytes` long (ASCII text pads it). */
function envelopeOfSize(bytes: number): Envelope {
  const bare = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: '' });
  const padding = bytes - Buffer.byteLength(encodeEnvelope(bare));
  if (padding < 0) throw new Error(`maxBytes ${bytes} is smaller than an empty envelope`);
  const envelope = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: 'x'.repeat(padding) });
  expect(Buffer.byteLength(encodeEnvelope(envelope))).toBe(bytes);
  return envelope;
}
