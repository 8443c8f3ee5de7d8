import type { Envelope } from '../kernel/envelope.js';
import { DEFAULT_MAX_PUSH_CHARS, type PushLimits } from './channel-limits.js';
import { toChannelNotification } from './channel-sink.js';
import { escapeAttribute } from './frame-escape.js';

/**
 * One message as a model reads it outside a channel push (tool results, hook context):
 * the same `<channel source="cc2cc" from=… id=…>text</channel>` frame Claude Code builds
 * from a push, so every path shows a message one way. The sender, id and the other
 * fields are attributes built from the envelope, and the text is escaped, so no text can
 * close the frame, add a message or change who sent it.
 */
export function formatMessageFrame(
  envelope: Envelope,
  limits: PushLimits = { maxTextChars: DEFAULT_MAX_PUSH_CHARS },
): string {
  const { content, meta } = toChannelNotification(envelope, limits);
  // Keys are cc2cc's own; values and content come escaped from toChannelNotification.
  const attributes = Object.entries(meta)
    .map(([key, value]) => ` ${key}="${value}"`)
    .join('');
  return `<channel source="cc2cc"${attributes}>\n${content}\n</channel>`;
}

/** Several messages, oldest first, one frame each. */
export function formatMessageFrames(envelopes: readonly Envelope[], limits?: PushLimits): string {
  return envelopes.map((envelope) => formatMessageFrame(envelope, limits)).join('\n\n');
}

export { escapeAttribute };

export { MessageRecordSchema, messageRecord, type MessageRecord } from '../kernel/message-record.js';

/** No cut: a tool result is the place a message is read whole. */
export const WHOLE_TEXT: PushLimits = { maxTextChars: Number.POSITIVE_INFINITY };
