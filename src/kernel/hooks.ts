import type { Envelope } from './envelope.js';
import type { Bus } from './bus.js';

/**
 * What a hook does to an envelope. Return nothing (or `pass()`) to let it through
 * unchanged, `pass(changed)` to hand a changed copy to the next hook, or `drop(reason)`.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: plugin API: hooks like `(e) => log(e)` return void
export type HookResult = void | undefined | { envelope: Envelope } | Drop;

export interface Drop {
  drop: string;
  /**
   * What becomes of a dropped inbound message: `dead` (default: into dead letters with
   * the reason), `ack` (it was already handled, e.g. a duplicate), or `retry` after
   * `retryInMs` (held back, e.g. over a rate limit). Outbound drops refuse the send.
   */
  then?: 'dead' | 'ack' | 'retry';
  retryInMs?: number;
}

export interface HookContext {
  bus: Bus;
  /** `outbound` while sending, `inbound` while receiving. */
  direction: 'outbound' | 'inbound';
  /** Inbound only: 1 on the first offer of this message in this process, then +1 per retry. */
  attempt?: number;
}

/** Runs in sequence: each hook's result feeds the next; the first drop stops the chain. */
export type EnvelopeHook = (envelope: Envelope, context: HookContext) => HookResult | Promise<HookResult>;

export type HookOrder = 'pre' | 'normal' | 'post';

export function pass(envelope?: Envelope): HookResult {
  return envelope ? { envelope } : undefined;
}

export function drop(reason: string, options: Omit<Drop, 'drop'> = {}): Drop {
  return { drop: reason, ...options };
}

export function isDrop(result: HookResult): result is Drop {
  return typeof result === 'object' && result !== null && 'drop' in result;
}
