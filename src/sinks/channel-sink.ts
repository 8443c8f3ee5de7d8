import { Cc2ccError } from '../kernel/errors.js';
import { parseAddress } from '../kernel/names.js';
import type { Envelope } from '../kernel/envelope.js';
import type { Sink } from '../kernel/sink.js';
import { DEFAULT_MAX_PUSH_CHARS, limitPushText, type PushLimits } from './channel-limits.js';
import { escapeAttribute, escapeChannelText } from './frame-escape.js';

/** The MCP notification Claude Code turns into `<channel source="cc2cc" ...>content</channel>`. */
export const CHANNEL_METHOD = 'notifications/claude/channel';

export interface ChannelNotification {
  content: string;
  /** Keys match `^[a-zA-Z_][a-zA-Z0-9_]*$` (Claude Code drops others); values are strings. */
  meta: Record<string, string>;
}

/** Writes one notification to the client; resolves once it is written. */
export type ChannelPush = (notification: ChannelNotification) => Promise<void>;

/**
 * The channel sink: one `notifications/claude/channel` per message.
 *
 * Nothing goes out before `start()` (the server calls it once the client has sent
 * `notifications/initialized`); pushes asked for earlier wait, in order. `deliver`
 * resolves `'delivered'` once the notification is written, so the kernel acks it then;
 * a push that fails, or is cut off by `close()`, rejects, and the kernel leaves the
 * message in the inbox to offer it again. Nothing is lost.
 */
export class ChannelSink implements Sink {
  readonly name = 'channel';
  private opened = false;
  private open!: () => void;
  private abort!: (error: Error) => void;
  private readonly whenOpen = new Promise<void>((resolve) => (this.open = resolve));
  private readonly whenClosed = new Promise<never>((_, reject) => (this.abort = reject));
  /** The last push asked for: each push waits for the one before it, so order holds. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly push: ChannelPush,
    readonly limits: PushLimits,
  ) {
    this.whenClosed.catch(() => {}); // only ever observed through a race
  }

  /** Whether this envelope's text is longer than a push carries (it is then cut short). */
  truncates(envelope: Envelope): boolean {
    return envelope.text.length > this.limits.maxTextChars;
  }

  get started(): boolean {
    return this.opened;
  }

  async deliver(envelope: Envelope): Promise<'delivered'> {
    await this.send(toChannelNotification(envelope, this.limits));
    return 'delivered';
  }

  /** Pushes one notification after `start()`, after every push asked for before it. */
  send(notification: ChannelNotification): Promise<void> {
    const run = this.tail.then(async () => {
      // Closed first: once closed, nothing more is pushed, even on a sink that was started.
      await Promise.race([this.whenClosed, this.whenOpen]);
      await Promise.race([this.push(notification), this.whenClosed]);
    });
    this.tail = run.catch(() => {});
    return run;
  }

  /** Begin pushing. `first` (the self-wake) goes out before anything that waited. */
  async start(first?: ChannelNotification): Promise<void> {
    if (this.opened) return;
    this.opened = true;
    try {
      if (first) await Promise.race([this.push(first), this.whenClosed]);
    } finally {
      this.open();
    }
  }

  /** Stop: pushes waiting or in flight reject, so their messages stay in the inbox. */
  close(reason = 'the MCP connection closed'): void {
    this.abort(new Cc2ccError('TRANSPORT_CLOSED', `channel push not sent: ${reason}`));
  }
}

/**
 * The notification for one envelope. `from`, `id`, `to`, `kind` and `ts` always; then
 * `correlation_id`, `reply_to`, `expires_at`, the group's scheme (`room`, `topic`; `-` as
 * `_`) and `data` (as JSON) where they apply. The sender's own `meta` is not passed on: cc2cc's
 * keys are the trusted ones.
 * Each value is escaped as an attribute value and the text as frame content
 * (`frame-escape.ts`): the client writes them into `<channel …>…</channel>` as they are.
 */
/** The attributes cc2cc itself sets on a push; a scheme's attribute never takes one of these names. */
export const OWN_ATTRIBUTES: ReadonlySet<string> = new Set([
  'source',
  'from',
  'id',
  'to',
  'kind',
  'ts',
  'correlation_id',
  'reply_to',
  'expires_at',
  'data',
  'truncated',
]);

export function toChannelNotification(
  envelope: Envelope,
  limits: PushLimits = { maxTextChars: DEFAULT_MAX_PUSH_CHARS },
): ChannelNotification {
  const meta: Record<string, string> = {
    from: envelope.from,
    id: envelope.id,
    to: envelope.to,
    kind: envelope.kind,
    ts: envelope.ts,
  };
  if (envelope.correlationId) meta.correlation_id = envelope.correlationId;
  if (envelope.replyTo) meta.reply_to = envelope.replyTo;
  if (envelope.expiresAt) meta.expires_at = envelope.expiresAt;
  const address = parseAddress(envelope.to);
  // The group it came through, by its scheme: room="backend", topic="ci.build". Never one of cc2cc's
  // own keys: a `truncated:` or `data:` address must not pass for what cc2cc says about the message.
  const group = address.kind === 'scheme' ? address.scheme.replace(/-/g, '_') : undefined;
  if (address.kind === 'scheme' && group && !OWN_ATTRIBUTES.has(group)) meta[group] = address.target;
  if (envelope.data !== undefined) meta.data = JSON.stringify(envelope.data);
  for (const key of Object.keys(meta)) meta[key] = escapeAttribute(meta[key]!);
  const { text, truncated } = limitPushText(envelope.text, envelope.id, limits);
  if (truncated) meta.truncated = 'true';
  return { content: escapeChannelText(text), meta };
}

export { escapeChannelText };
