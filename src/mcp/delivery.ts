import { describeError } from '../kernel/errors.js';
import type { Envelope } from '../kernel/envelope.js';
import type { Logger } from '../kernel/logger.js';
import type { Settle, Sink } from '../kernel/sink.js';
import type { ChannelSink } from '../sinks/channel-sink.js';
import { OFFLINE_HOOK_VIA, type DeliveryLedger } from '../hooks/ledger.js';
import { PushState, type PushLiveness } from './push-liveness.js';
import { DEFAULT_UNREAD_LIMITS, heldSize, UnreadBudget, type UnreadLimits } from './unread-budget.js';

export const DELIVERY_MODES = ['push', 'pull', 'auto'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** How a channel push carried a waiting message. */
type Pushed =
  | 'no' // not pushed: pull mode, or pushes do not reach this session
  | 'now' // pushed in this session, not confirmed yet
  | 'earlier'; // pushed by an earlier session of this agent (the ledger says so): never pushed in full again

interface Unread {
  envelope: Envelope;
  settle: Settle;
  pushed: Pushed;
  /** A tool result or a hook has named it by id already: it is never named twice. */
  announced: boolean;
  /** What it counts against the unread budget. */
  size: number;
}

/** How the model came to have a message, for the ledger and `status`. */
export type SeenVia = 'hook' | 'check_inbox' | 'reply' | 'transcript';

/** What a hook puts into the model's context: messages in full, and pushed ones named by id. */
export interface ContextSelection {
  full: Envelope[];
  named: Envelope[];
}

export interface AgentDeliveryOptions {
  mode: DeliveryMode;
  channel: ChannelSink;
  logger: Logger;
  /** Called once per message when the model has it (a receipt may follow). */
  onSeen?: (envelope: Envelope, via: SeenVia | 'earlier') => void;
  /** Called when push liveness changes (the presence record shows it). */
  onLiveness?: (liveness: PushLiveness, why: string) => void;
  /** How much is held unread at most (config `maxUnread`, `maxUnreadBytes`). */
  limits?: UnreadLimits;
}

/**
 * The sink `cc2cc serve` gives the kernel, one per delivery mode (DESIGN §4), and the
 * message states past `claimed`: pushed → seen → done.
 *
 * - `push`: the channel push is the delivery; once written, the message is acked
 *   ("pushed is delivered", the explicit option for clients whose pushes always arrive).
 * - `pull`: nothing is pushed; the message stays claimed until the model has it.
 * - `auto`: pushed (while pushes reach this session), and kept claimed until the model
 *   has it: a hook put it into context, `check_inbox` returned it, `reply` answered it,
 *   or its push was found in the client's transcript. Only then is it acked.
 *
 * The ledger (`<root>/sessions/<name>.ledger`) keeps pushed/seen across sessions: a seen
 * message offered again (its ack failed, or a hook read it while no server ran) is acked
 * without being shown again; one pushed by an earlier session is held and named by id
 * once, never pushed in full again. Messages keep inbox order.
 *
 * What is held unread is bounded (count and bytes): while the budget is full, `deliver`
 * waits, so the kernel stops claiming and the rest of a backlog stays in the inbox.
 */
export class AgentDelivery implements Sink {
  readonly name: string;
  readonly mode: DeliveryMode;
  readonly push: PushState;
  private readonly unread: Unread[] = [];
  /** Requests the model has seen and not answered yet: open state a compaction must not lose. */
  private readonly requests = new Map<string, Envelope>();
  private ledger: DeliveryLedger | undefined;
  /** Notices about the bus itself (the inbox was lost), shown once on the next tool result. */
  private readonly notices: string[] = [];
  private readonly budget: UnreadBudget;

  constructor(private readonly options: AgentDeliveryOptions) {
    this.mode = options.mode;
    this.name = this.mode === 'push' ? 'channel' : this.mode === 'pull' ? 'pull queue' : 'channel + pull queue';
    this.push = new PushState((liveness, why) => options.onLiveness?.(liveness, why));
    this.budget = new UnreadBudget(options.limits ?? DEFAULT_UNREAD_LIMITS);
  }

  /** The agent's ledger; `serve` binds it once the name is known, before the inbox opens. */
  bindLedger(ledger: DeliveryLedger): void {
    this.ledger = ledger;
  }

  async deliver(envelope: Envelope, settle: Settle): Promise<'delivered' | 'held'> {
    const { channel } = this.options;
    // A hook that read the inbox while no server ran writes to the ledger: read what it added
    // (one synchronous stat when it added nothing, which is nearly always).
    await this.ledger
      ?.refresh()
      .catch((error: unknown) =>
        this.options.logger.warn(`could not read the delivery ledger: ${describeError(error)}`),
      );
    const before = this.ledger?.state(envelope.id);
    if (before === 'seen') {
      // Seen through a hook while no server ran: this is the first server to know, so it sends the receipt.
      this.options.onSeen?.(envelope, this.ledger?.via(envelope.id) === OFFLINE_HOOK_VIA ? 'hook' : 'earlier');
      return 'delivered';
    }
    // A push cut short is not the whole message: keep it for check_inbox even in push mode.
    if (this.mode === 'push' && !channel.truncates(envelope)) return channel.deliver(envelope);
    // Waits while the unread limits are reached: the kernel stops claiming, and auto stops pushing.
    const size = heldSize(envelope);
    await this.budget.reserve(size, () => this.askToRead());
    try {
      return await this.pushAndHold(envelope, settle, before === 'pushed', size);
    } catch (error) {
      this.budget.release(size);
      throw error;
    }
  }

  /** A failed push rejects here, before the message is held, so the kernel offers it again. */
  private async pushAndHold(envelope: Envelope, settle: Settle, pushedEarlier: boolean, size: number): Promise<'held'> {
    const { channel } = this.options;
    if (this.mode === 'pull') return this.hold(envelope, settle, 'no', size);
    if (this.mode === 'auto' && pushedEarlier) return this.hold(envelope, settle, 'earlier', size);
    if (this.mode === 'auto' && !this.push.pushing) return this.hold(envelope, settle, 'no', size);
    await channel.deliver(envelope);
    if (this.mode === 'auto') {
      await this.ledger
        ?.record(envelope.id, 'pushed')
        .catch((error: unknown) =>
          this.options.logger.warn(`could not record push of ${envelope.id}: ${describeError(error)}`),
        );
    }
    return this.hold(envelope, settle, 'now', size);
  }

  /** Stop: pushes and messages waiting for room reject, so they stay in the inbox. */
  close(): void {
    this.budget.close();
    this.options.channel.close();
  }

  /** Requests seen in this session and not answered with `reply`, oldest first. */
  get openRequests(): Envelope[] {
    return [...this.requests.values()];
  }

  /** Messages the model has not seen yet. */
  get waiting(): number {
    return this.unread.length;
  }

  /** A message waits for room in the unread budget: nothing more comes in until the agent reads. */
  get full(): boolean {
    return this.budget.full;
  }

  /** For `check_inbox`: the oldest `limit` unseen messages (within `maxBytes`), each seen (acked) on the way out. */
  async read(limit = Number.POSITIVE_INFINITY, maxBytes = Number.POSITIVE_INFINITY): Promise<Envelope[]> {
    // At least one message, then as many as fit in maxBytes (their serialized size).
    let count = 0;
    for (let bytes = 0; count < Math.min(limit, this.unread.length); count++) {
      bytes += this.unread[count]!.size;
      if (count > 0 && bytes > maxBytes) break;
    }
    const taken = this.unread.splice(0, count);
    await this.see(taken, 'check_inbox');
    return taken.map((entry) => entry.envelope);
  }

  /** The agent answered message `id`, so it has seen it. False when it was not waiting. */
  async markRead(id: string): Promise<boolean> {
    this.requests.delete(id);
    const index = this.unread.findIndex((entry) => entry.envelope.id === id);
    if (index === -1) return false;
    await this.see(this.unread.splice(index, 1), 'reply');
    return true;
  }

  /**
   * Pushes found in the client's transcript (`found(id)`): the model has them. Confirms
   * that pushes reach this session. Returns how many were confirmed.
   */
  async confirmPushes(found: (id: string) => boolean): Promise<number> {
    const confirmed = this.takeWhere((entry) => entry.pushed !== 'no' && found(entry.envelope.id));
    if (confirmed.length > 0) this.push.confirm(`pushed message ${confirmed[0]!.envelope.id} is in the transcript`);
    await this.see(confirmed, 'transcript');
    return confirmed.length;
  }

  /** Pushes do not reach this session: stop pushing; what they carried waits for a hook or check_inbox. */
  stopPushing(why: string): void {
    if (!this.push.notReaching(why)) return;
    this.options.logger.info(`channel pushes stopped: ${why}`);
    for (const entry of this.unread) if (entry.pushed === 'now') entry.pushed = 'no';
  }

  /**
   * For a hook: every unseen message that no push carried, in full (now seen and acked),
   * and the pushed ones not named yet, by id (they stay waiting for check_inbox).
   * `pushedNow`: also this session's unconfirmed pushes in full (at session start, before
   * anything can confirm them, the hook's context is the one certain path).
   */
  async takeForContext({
    name = true,
    pushedNow = false,
  }: {
    name?: boolean;
    pushedNow?: boolean;
  } = {}): Promise<ContextSelection> {
    const full = this.takeWhere((entry) => entry.pushed === 'no' || (pushedNow && entry.pushed === 'now'));
    const named = name ? this.unread.filter((entry) => !entry.announced) : [];
    for (const entry of named) entry.announced = true;
    await this.see(full, 'hook');
    return { full: full.map((entry) => entry.envelope), named: named.map((entry) => entry.envelope) };
  }

  /**
   * The lines that end a tool result, or undefined. Messages no push carried: a count,
   * repeated until check_inbox reads them. Pushed ones: named by id once (repeating them
   * would cost context and lead an agent whose pushes arrive to read them twice).
   */
  note(): string | undefined {
    const lines: string[] = this.notices.splice(0);
    const notice = this.push.takeNotice();
    if (notice) lines.push(notice);
    const quiet = this.unread.filter((entry) => entry.pushed === 'no').length;
    if (quiet > 0)
      lines.push(
        `cc2cc: ${plural(quiet, 'message')} waiting for you; call check_inbox to read ${quiet === 1 ? 'it' : 'them'}.`,
      );
    const fresh = this.unread.filter((entry) => entry.pushed !== 'no' && !entry.announced);
    for (const entry of fresh) entry.announced = true;
    if (fresh.length > 0) lines.push(namedLine(fresh.map((entry) => entry.envelope)));
    if (this.budget.full) lines.push(this.fullNote());
    return lines.length > 0 ? lines.join('\n') : undefined;
  }

  /** A notice about the bus (the inbox was lost): pushed where pushes go, and on the next tool result. */
  notice(text: string): void {
    this.notices.push(text);
    this.ring(text);
  }

  private fullNote(): string {
    return (
      `cc2cc: ${plural(this.unread.length, 'message')} held for you unread, and more are ` +
      `queued: call check_inbox to read them and receive the rest.`
    );
  }

  /** The unread limits are reached: where pushes go, ring once (the note on tool results says it too). */
  private askToRead(): void {
    this.ring(this.fullNote());
  }

  private ring(content: string): void {
    if (this.mode === 'pull') return;
    this.options.channel
      .send({ content, meta: { kind: 'system' } })
      .catch((error: unknown) => this.options.logger.warn(`could not push a notice: ${describeError(error)}`));
  }

  /** The one-time notice that pushes stopped, for a hook's context. */
  takeNotice(): string | undefined {
    return this.push.takeNotice();
  }

  private hold(envelope: Envelope, settle: Settle, pushed: Pushed, size: number): 'held' {
    this.unread.push({ envelope, settle, pushed, announced: false, size });
    return 'held';
  }

  private takeWhere(test: (entry: Unread) => boolean): Unread[] {
    const taken: Unread[] = [];
    for (let index = 0; index < this.unread.length; ) {
      if (test(this.unread[index]!)) taken.push(...this.unread.splice(index, 1));
      else index++;
    }
    return taken;
  }

  /** Seen: the ledger first (so a failed ack never shows it again), then the ack, then the receipt. */
  private async see(entries: readonly Unread[], via: SeenVia): Promise<void> {
    for (const entry of entries) {
      const { id } = entry.envelope;
      this.budget.release(entry.size);
      await this.ledger
        ?.record(id, 'seen', via)
        .catch((error: unknown) => this.options.logger.warn(`could not record ${id} as seen: ${describeError(error)}`));
      try {
        await entry.settle.ack();
      } catch (error) {
        // The model has the message and the ledger says so: the next offer is acked unseen.
        this.options.logger.warn(`could not mark ${id} read: ${describeError(error)}`);
      }
      if (entry.envelope.kind === 'request' && via !== 'reply') this.requests.set(id, entry.envelope);
      this.options.onSeen?.(entry.envelope, via);
    }
  }
}

/** One short line naming pushed messages by id, never their text. */
export function namedLine(envelopes: readonly Envelope[]): string {
  const ids = envelopes.slice(0, 5).map((envelope) => `${envelope.id} from ${envelope.from}`);
  const more = envelopes.length > ids.length ? `, and ${envelopes.length - ids.length} more` : '';
  const it = envelopes.length === 1 ? 'it' : 'them';
  return (
    `cc2cc: ${plural(envelopes.length, 'new message')} pushed to you ` +
    `(${ids.join('; ')}${more}). If no <channel> message showed ${it}, call check_inbox to read ${it}.`
  );
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
