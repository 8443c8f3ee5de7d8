import type { Envelope } from './envelope.js';

/**
 * Hands a received envelope to the agent: a channel push, a pull queue, a console.
 *
 * `deliver` resolves `'delivered'` once the agent has the message (the bus then acks it),
 * or `'held'` to keep it claimed until the sink calls `settle.ack()` itself (a pull queue
 * acks when `check_inbox` hands the message out). It rejects when the agent could not
 * take the message: the message stays in the inbox and is offered again.
 *
 * Contract (each clause is a test of `runSinkContract`, `cc2cc/testing`): the agent gets
 * each message once, in the order `deliver` was called; a `'delivered'` one is the agent's
 * when `deliver` resolves and the sink leaves its ack to the bus; a `'held'` one is acked
 * once, when the agent has it; a message the agent could not take is rejected, not acked.
 */
export interface Sink {
  readonly name: string;
  deliver(envelope: Envelope, settle: Settle): Promise<'delivered' | 'held'>;
  /**
   * Optional: tell the agent something about the bus itself (not a message from an agent),
   * such as "this session no longer receives". Best effort; never throws.
   */
  notice?(text: string): void;
}

export interface Settle {
  ack(): Promise<void>;
}
