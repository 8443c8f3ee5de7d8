import { describeError } from '../kernel/errors.js';
import type { Bus } from '../kernel/bus.js';
import type { Envelope } from '../kernel/envelope.js';
import type { Logger } from '../kernel/logger.js';

/** The meta key (and value) a `send` with `receipt: true` sets: the sender wants one event once seen. */
export const RECEIPT_META_KEY = 'want_receipt';
export const RECEIPT_SEEN = 'seen';

export function wantsReceipt(envelope: Envelope): boolean {
  return envelope.meta?.[RECEIPT_META_KEY] === RECEIPT_SEEN;
}

/**
 * One `event` to the sender when this agent's model has seen its message: meta
 * `receipt="seen"`, correlated by the message id. A failed receipt is logged: it never
 * undoes the delivery it reports.
 */
export async function sendSeenReceipt(bus: Bus, envelope: Envelope, via: string, logger: Logger): Promise<void> {
  if (!wantsReceipt(envelope) || !bus.name) return;
  try {
    await bus.send({
      to: envelope.from,
      kind: 'event',
      text: `cc2cc receipt: ${bus.name} has seen your message ${envelope.id} (through ${via}).`,
      correlationId: envelope.id,
      meta: { receipt: 'seen', seen_by: bus.name },
    });
  } catch (error) {
    logger.warn(`could not send the seen receipt for ${envelope.id}: ${describeError(error)}`);
  }
}
