import { parseAddress, type AgentName } from './names.js';
import type { Envelope } from './envelope.js';

/**
 * Whether a received envelope was meant for this inbox, as the sender's routing recorded.
 *
 * The sender's kernel writes the agents the router resolved into `rcpt` (one list for all
 * copies, so a message to a room is still stored once and linked into each inbox), and the
 * signing plugin signs it. A copy moved or planted into another agent's inbox names other
 * recipients: it goes to dead letters with this reason instead of to the agent. Without
 * `rcpt` (a file written by hand or by an older cc2cc) only a direct `to` can be checked.
 */
export function notAddressedTo(envelope: Envelope, self: AgentName): string | undefined {
  if (envelope.rcpt) {
    if (envelope.rcpt.includes(self)) return undefined;
    const shown =
      envelope.rcpt.length > 5
        ? `${envelope.rcpt.slice(0, 5).join(', ')} and ${envelope.rcpt.length - 5} more`
        : envelope.rcpt.join(', ');
    return (
      `not addressed to ${self}: the sender's routing recorded ${shown} for ${envelope.to} ` +
      `(a copy from another inbox?)`
    );
  }
  const address = parseAddress(envelope.to);
  if (address.kind === 'agent' && address.name !== self)
    return `not addressed to ${self}: sent to ${envelope.to} (a copy from another inbox?)`;
  return undefined;
}
