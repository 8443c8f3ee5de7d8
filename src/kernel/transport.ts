import type { Envelope } from './envelope.js';
import type { AgentName } from './names.js';
import type { PresenceRecord } from './presence.js';
import type { State } from './state.js';
import type { Finding } from './check.js';

/**
 * Durable store-and-forward of envelopes to named inboxes, plus presence records.
 *
 * Three parts, each its own interface: messaging (`MessageTransport`: what every
 * transport must do to carry messages), presence (`PresenceTransport`: who is there) and
 * inspection (`InspectionTransport`: read-only views for `cc2cc tail`, `status`, `doctor`
 * and the UI). A minimal transport implements the required members of all three, and
 * `close`; every member marked optional may be left out.
 */
export interface Transport extends MessageTransport, PresenceTransport, InspectionTransport {
  /** Short name for logs and `doctor`: `fs`, `memory`, `redis`. */
  readonly kind: string;

  /** Where the messages live, for people: a folder, a Redis URL and namespace. */
  readonly where?: string;

  /**
   * Optional: who can reach the messages. `process`: only this process (the `memory`
   * transport, or any that keeps messages in the process's memory); `cc2cc serve`, `send`
   * and plugin verbs refuse such a transport, since no other agent would ever see what is
   * sent. `machine` (a folder) and `network` (a server) are shared. Absent means shared.
   */
  readonly scope?: TransportScope;

  /**
   * Optional: the bus state (`src/kernel/state.ts`) kept where the messages are, shared by
   * every process on this bus. Without it, the kernel keeps state in the process's memory
   * and warns on the first write: rooms joined and topics followed are then not seen by
   * other processes and do not survive a restart. It lives as long as the transport.
   */
  readonly busState?: State;

  /** Stop everything this transport started; open inboxes are closed (as `Inbox.close`). */
  close(): Promise<void>;
}

/**
 * Messaging: putting envelopes in inboxes and taking them out, one receiver per inbox.
 *
 * Contract (each clause is a test of `runTransportContract`, `cc2cc/testing`):
 * - `put` resolves only when the envelope is durable in the recipient's inbox; an
 *   inbox may be written whether or not its agent is running (offline delivery).
 * - `put` refuses, before it stores anything, a recipient name that breaks the naming rule
 *   (INVALID_NAME), an envelope that is not wire format v1 (INVALID_ENVELOPE) and one whose
 *   serialized form is over the transport's `maxBytes` (ENVELOPE_TOO_LARGE): `prepareForPut`.
 * - `open` takes the inbox for one receiver (a second live receiver gets INBOX_LOCKED),
 *   first returns messages a dead receiver had claimed to the inbox, then calls
 *   `handler` for each message in id order, one at a time.
 * - A message leaves the inbox only through its `Delivery`: `ack` (done), `deadLetter`
 *   (dead, with a reason) or `retry` (back in the inbox, offered again later).
 *   A handler that returns without settling keeps the message claimed until it does.
 * - A handler that throws counts as `retry(error)`; the kernel decides when to give up.
 * - A message whose id was already acked is acked again, not handed over twice.
 */
export interface MessageTransport {
  /** Put one envelope in `to`'s inbox. */
  put(to: AgentName, envelope: Envelope): Promise<void>;

  /**
   * Optional: put one envelope in several inboxes (a room, a broadcast), one outcome per
   * recipient, in order; a refused recipient does not stop the others. A transport that can
   * share the work provides it (the folder transport writes the file once and hard-links
   * it into each inbox); without it the kernel calls `put` once per recipient.
   */
  putMany?(recipients: readonly AgentName[], envelope: Envelope): Promise<Array<PromiseSettledResult<void>>>;

  /** Become the receiver of `agent`'s inbox. */
  open(agent: AgentName, handler: DeliveryHandler): Promise<Inbox>;
}

/** Presence: who is on this bus, as each agent says of itself. */
export interface PresenceTransport {
  /** Write this agent's presence record (the heartbeat calls it again). */
  announce(record: PresenceRecord): Promise<void>;

  /** Every agent with a presence record or an inbox, records included where they exist. */
  agents(): Promise<Array<{ name: AgentName; presence?: PresenceRecord }>>;
}

/** Inspection: read-only views of the inboxes. None of them claims, moves or changes a message. */
export interface InspectionTransport {
  /** Counts per state for one inbox. */
  stats(agent: AgentName): Promise<InboxStats>;

  /** Dead letters of one inbox, oldest first, with their reasons. */
  deadLetters(agent: AgentName): Promise<DeadLetter[]>;

  /**
   * Optional: where message `id` is in `agent`'s inbox, for `cc2cc status` and the `status`
   * tool; undefined when it is not there (never sent there, or pruned from done).
   */
  locate?(agent: AgentName, id: string): Promise<MessageLocation | undefined>;

  /**
   * Watch every inbox without changing any: `cc2cc tail`, `cc2cc ui`. With `replay`, a
   * transport that can first reports the recent messages it still holds, each once per
   * inbox in the state it is in now, oldest first; one that cannot ignores it and starts
   * live (the folder transport replays; memory and Redis do not yet).
   */
  observe(listener: (event: TrafficEvent) => void, options?: ObserveOptions): Promise<() => Promise<void>>;

  /**
   * Optional: what `cc2cc doctor` says about the store itself, beyond the agents and their
   * inboxes: the folder transport checks its root, writability and inbox locks; Redis its
   * connection, server version and namespace. Findings, never a throw: a store that cannot
   * be reached is a `fail` with the fix. Read-only, like the rest of this part.
   */
  diagnose?(): Promise<Finding[]>;
}

export type TransportScope = 'process' | 'machine' | 'network';

export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface Delivery {
  readonly envelope: Envelope;
  /**
   * 1 on the first offer, then +1 on each retry; a transport that can also counts the
   * offers an earlier receiver did not survive (the folder transport does), so a message
   * that crashes its receiver every time still reaches the kernel's `maxAttempts`.
   */
  readonly attempt: number;
  /**
   * Done: resolves once the transport has the ack, durable or (a transport with an ack window,
   * such as Redis) on its way and sent again by the transport until it lands. Either way the
   * message is not offered again to this receiver; only a crash before it lands can repeat it.
   */
  ack(): Promise<void>;
  deadLetter(reason: string): Promise<void>;
  retry(reason: string, delayMs?: number): Promise<void>;
}

export interface Inbox {
  readonly agent: AgentName;
  /**
   * Optional: the receiver stopped on its own because another live process holds this
   * inbox now (two receivers must not share one). Set by the owner after `open`; the inbox
   * is closed by then and its presence is the other process's to keep.
   */
  onlost?: (error: Error) => void;
  /**
   * Optional: the inbox's lock vanished (someone removed or moved `.cc2cc/`, Redis lost its
   * data) and the receiver took it again and goes on; the owner should announce its presence
   * again, since the presence records may have gone with it.
   */
  onretaken?: () => void;
  /** Stop receiving, wait for the handler in progress, release the inbox. */
  close(): Promise<void>;
  /**
   * Stop at once as a crash would: settle nothing, release the inbox. Claimed messages
   * stay claimed and the next `open` returns them to the inbox.
   */
  abort(): Promise<void>;
}

export interface InboxStats {
  queued: number;
  claimed: number;
  done: number;
  dead: number;
}

export interface DeadLetter {
  id: string;
  reason: string;
  /** Undefined when the file was not a readable envelope (that is usually the reason). */
  envelope?: Envelope;
}

export interface MessageLocation {
  state: TrafficState;
  /** Why it is dead, for a dead letter. */
  reason?: string;
}

export type TrafficState = 'queued' | 'claimed' | 'done' | 'dead';

export interface ObserveOptions {
  /**
   * Recent history before the live changes: the last `last` messages, or those of the last
   * `sinceMs` (both: the fewer).
   */
  replay?: { last?: number; sinceMs?: number };
}

export interface TrafficEvent {
  agent: AgentName;
  state: TrafficState;
  id: string;
  envelope?: Envelope;
  reason?: string;
}
