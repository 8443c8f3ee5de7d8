import { decodeEnvelope, type Envelope } from '../../kernel/envelope.js';
import { describeError } from '../../kernel/errors.js';
import { isUlid } from '../../kernel/ids.js';
import type { StreamEntry } from './inbox-stream.js';

export type CheckedEntry = { ok: true; envelope: Envelope; raw: string } | { ok: false; id: string; reason: string };

/**
 * Validate a stream entry before anything is offered: the `envelope` field must be there,
 * within `maxBytes`, and a valid v1 envelope. A refused entry keeps the envelope id it
 * claims when it has one, else its stream id.
 */
export function checkEntry(entry: StreamEntry, maxBytes: number, maxAttempts: number): CheckedEntry {
  const { raw, sid } = entry;
  if (raw === undefined)
    return { ok: false, id: sid, reason: `stream entry ${sid} has no "envelope" field (not written by cc2cc)` };
  const size = Buffer.byteLength(raw);
  if (size > maxBytes)
    return {
      ok: false,
      id: claimedId(raw) ?? sid,
      reason: `message is ${size} bytes, over the limit of ${maxBytes} bytes (maxBytes)`,
    };
  let envelope: Envelope;
  try {
    envelope = decodeEnvelope(raw);
  } catch (error) {
    return { ok: false, id: claimedId(raw) ?? sid, reason: describeError(error) };
  }
  // The kernel gives up at attempt maxAttempts + 1 (with a receipt to the sender). Past
  // that, the receivers that got it never settled it: they died on it each time.
  if (entry.deliveries > maxAttempts + 1) {
    return {
      ok: false,
      id: envelope.id,
      reason:
        `failed: handed to a receiver ${entry.deliveries} times without being settled ` +
        `(maxAttempts ${maxAttempts}); the receiver stopped or crashed each time`,
    };
  }
  return { ok: true, envelope, raw };
}

function claimedId(raw: string): string | undefined {
  try {
    const id = (JSON.parse(raw) as { id?: unknown } | null)?.id;
    return isUlid(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
