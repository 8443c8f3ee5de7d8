import { createEnvelope, type Envelope } from '../kernel/envelope.js';
import type { PresenceRecord } from '../kernel/presence.js';
import type { Transport } from '../kernel/transport.js';
import type { ClauseTest, OptionalClause } from './skips.js';

/**
 * One shared store (a folder, a Redis namespace, a memory space); each `connect()` is a
 * new process on it.
 */
export interface TransportFixture {
  connect(): Promise<Transport>;
  cleanup(): Promise<void>;
  /**
   * How a child process connects to this same store: an ES module (`opener`, a file URL)
   * whose `connect(options)` resolves to a Transport (see test/fixtures/state-fs.mjs). The
   * cross-process clause needs it; a transport whose store lives in one process skips that
   * clause instead.
   */
  process?: { opener: string; options: unknown };
  /**
   * Makes the store say that another live receiver, on another machine, holds `agent`'s inbox
   * now, as one would after this process's lock lapsed: the "lost inbox" clause needs it. A
   * transport whose inboxes cannot be taken from a live receiver skips that clause instead.
   */
  takeOver?(agent: string): Promise<void>;
  /**
   * Removes `agent`'s inbox lock from the store, as a person deleting `.cc2cc/` or a Redis that
   * lost its data would: the "retaken inbox" clause needs it. A transport whose store cannot
   * lose a lock under a live receiver skips that clause instead.
   */
  dropLock?(agent: string): Promise<void>;
}

/** What each clause of the transport contract gets. */
export interface TransportClauseContext {
  /** A new connection to the fixture's store, closed after the test. */
  connect(): Promise<Transport>;
  readonly fixture: TransportFixture;
  /** The size limit the fixture's transports were given. */
  readonly maxBytes: number;
}

export type TransportClauses = Record<string, ClauseTest<TransportClauseContext>>;
export type OptionalTransportClauses = Record<string, OptionalClause<TransportClauseContext>>;

export function message(from: string, to: string, text: string): Envelope {
  return createEnvelope({ from, to, text });
}

export function presence(name: string): PresenceRecord {
  const now = new Date().toISOString();
  return { name, state: 'online', pid: process.pid, host: 'test-host', startedAt: now, lastSeen: now, data: {} };
}

/** A promise and the function that resolves it: a gate a handler waits at. */
export function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Opens `agent`'s inbox with a handler that acks everything; returns what it received, as it grows. */
export async function receiveAll(transport: Transport, agent: string): Promise<Envelope[]> {
  const received: Envelope[] = [];
  await transport.open(agent, async (delivery) => {
    received.push(delivery.envelope);
    await delivery.ack();
  });
  return received;
}
