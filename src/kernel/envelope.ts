import { z } from 'zod';
import { AGENT_NAME_RULE, ADDRESS_RULE, assertAgentName, isAddress, isAgentName, type AgentName } from './names.js';
import { ULID_PATTERN, newId } from './ids.js';
import { Cc2ccError } from './errors.js';
import { MESSAGE_KINDS, type MessageKind } from './message-kinds.js';

/** Wire format v1 (DESIGN §2). Every write and every read goes through `EnvelopeSchema`. */
export const WIRE_VERSION = 1;
export const DEFAULT_MAX_BYTES = 256 * 1024;
export const META_KEY = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** The most recipients one message records in `rcpt` (a broadcast to more is refused). */
export const MAX_RECIPIENTS = 10_000;

// The kinds live in their own import-free file: the UI page imports the same list, and the CLI lists them without zod.
export { MESSAGE_KINDS, type MessageKind };

const agentName = z.string().refine(isAgentName, { message: AGENT_NAME_RULE });
const address = z.string().refine(isAddress, { message: ADDRESS_RULE });
const ulid = z.string().regex(ULID_PATTERN, 'a 26-character ULID');
const isoTime = z.iso.datetime({ offset: true });

export const EnvelopeSchema = z.strictObject({
  v: z.literal(WIRE_VERSION),
  id: ulid,
  ts: isoTime,
  from: agentName,
  to: address,
  text: z.string(),
  data: z.json().optional(),
  kind: z.enum(MESSAGE_KINDS),
  correlationId: ulid.optional(),
  replyTo: address.optional(),
  expiresAt: isoTime.optional(),
  meta: z.record(z.string().regex(META_KEY, 'meta keys match ^[a-zA-Z_][a-zA-Z0-9_]*$'), z.string()).optional(),
  sig: z.string().optional(),
  /** Set by the sender's kernel after routing: the agents this message was stored for (see `addressed.ts`). */
  rcpt: z.array(agentName).min(1).max(MAX_RECIPIENTS).optional(),
});

export type Envelope = Readonly<z.infer<typeof EnvelopeSchema>>;

/** What a sender supplies; the kernel fills in `v`, `id`, `ts` and `kind`. */
export interface Draft {
  from: AgentName;
  to: string;
  text: string;
  data?: unknown;
  kind?: MessageKind;
  correlationId?: string;
  replyTo?: string;
  /** Absolute expiry, or seconds from now. */
  expiresAt?: string;
  expiresInS?: number;
  meta?: Record<string, string>;
}

export function createEnvelope(draft: Draft, now: Date = new Date()): Envelope {
  const expiresAt =
    draft.expiresAt ??
    (draft.expiresInS !== undefined ? new Date(now.getTime() + draft.expiresInS * 1000).toISOString() : undefined);
  const candidate = {
    v: WIRE_VERSION,
    id: newId(now.getTime()),
    ts: now.toISOString(),
    from: draft.from,
    to: draft.to,
    text: draft.text,
    kind: draft.kind ?? 'message',
    ...(draft.data !== undefined && { data: draft.data }),
    ...(draft.correlationId !== undefined && { correlationId: draft.correlationId }),
    ...(draft.replyTo !== undefined && { replyTo: draft.replyTo }),
    ...(expiresAt !== undefined && { expiresAt }),
    ...(draft.meta !== undefined && { meta: draft.meta }),
  };
  return validateEnvelope(candidate);
}

/**
 * Envelopes this process made or checked against v1: each one `validateEnvelope` returned.
 * Envelopes are immutable once made, so a put does not check one of these again; an object
 * that did not come from here (a plugin's own spread, say) is checked before it is stored.
 */
const checked = new WeakSet<Envelope>();

/** Checks an already-parsed value against v1; throws INVALID_ENVELOPE / UNSUPPORTED_VERSION. */
export function validateEnvelope(value: unknown): Envelope {
  if (typeof value === 'object' && value !== null && 'v' in value && value.v !== WIRE_VERSION) {
    throw new Cc2ccError(
      'UNSUPPORTED_VERSION',
      `envelope format version ${JSON.stringify((value as { v: unknown }).v)} is not supported; ` +
        `this reader knows v${WIRE_VERSION}`,
    );
  }
  let result: ReturnType<typeof EnvelopeSchema.safeParse>;
  try {
    result = EnvelopeSchema.safeParse(value);
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep();
    throw error;
  }
  if (result.success) {
    checked.add(result.data);
    return result.data;
  }
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Cc2ccError('INVALID_ENVELOPE', `envelope does not match wire format v1 (${problems.join('; ')})`, {
    issues: problems,
  });
}

/** The envelope with the recipients the router found in `rcpt`; still known checked when it was. */
export function withRecipients(envelope: Envelope, recipients: readonly AgentName[]): Envelope {
  const sealed: Envelope = { ...envelope, rcpt: [...recipients] };
  const counted = recipients.length >= 1 && recipients.length <= MAX_RECIPIENTS;
  const valid = counted && recipients.every((name) => isAgentName(name));
  if (checked.has(envelope) && valid) checked.add(sealed);
  return sealed;
}

/** Parses one serialized envelope (file contents, a stream entry). */
export function decodeEnvelope(text: string): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep();
    throw new Cc2ccError('INVALID_ENVELOPE', `envelope is not valid JSON (${(error as Error).message})`);
  }
  return validateEnvelope(value);
}

function tooDeep(): Cc2ccError {
  return new Cc2ccError(
    'INVALID_ENVELOPE',
    'envelope is nested too deeply to check (data deeper than the stack allows)',
  );
}

// Envelopes are immutable once made, so each is serialized at most once.
const encoded = new WeakMap<Envelope, string>();

export function encodeEnvelope(envelope: Envelope): string {
  let text = encoded.get(envelope);
  if (text === undefined) {
    text = JSON.stringify(envelope);
    encoded.set(envelope, text);
  }
  return text;
}

export function assertWithinSize(envelope: Envelope, maxBytes: number): void {
  const size = Buffer.byteLength(encodeEnvelope(envelope));
  if (size > maxBytes) {
    throw new Cc2ccError(
      'ENVELOPE_TOO_LARGE',
      `message is ${size} bytes serialized, over the limit of ${maxBytes} bytes (maxBytes)`,
      { size, maxBytes },
    );
  }
}

export function isExpired(envelope: Envelope, now: Date): boolean {
  return envelope.expiresAt !== undefined && Date.parse(envelope.expiresAt) <= now.getTime();
}

/** A copy with some fields changed, checked again (hooks use this to change an envelope). */
export function withChanges(envelope: Envelope, changes: Partial<Envelope>): Envelope {
  return validateEnvelope({ ...envelope, ...changes });
}

/** What every transport checks before it stores a copy: the name rule, wire format v1, the size cap. */
export function prepareForPut(to: string, envelope: Envelope, maxBytes: number): { name: AgentName; text: string } {
  const name = assertAgentName(to, 'recipient name');
  return { name, text: encodeForPut(envelope, maxBytes) };
}

/** The envelope half of `prepareForPut`, for a put to several recipients: checked once per process, encoded once. */
export function encodeForPut(envelope: Envelope, maxBytes: number): string {
  if (!checked.has(envelope)) validateEnvelope(envelope);
  assertWithinSize(envelope, maxBytes);
  return encodeEnvelope(envelope);
}
