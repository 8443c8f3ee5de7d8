import { describeError } from '../kernel/errors.js';
import type { Envelope } from '../kernel/envelope.js';
import type { Logger } from '../kernel/logger.js';
import type { Settle, Sink } from '../kernel/sink.js';
import type { ChannelSink } from '../sinks/channel-sink.js';
import { DEFAULT_UNREAD_LIMITS, heldSize, UnreadBudget, type UnreadLimits } from './unread-budget.js';

export const DELIVERY_MODES = ['push', 'pull', 'auto'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

interface Unread {
  envelope: Envelope;
  settle: Settle;
  /** Its channel notification was written. */
  pushed: boolean;
  /** A tool result's note has already told the agent about it. */
  announced: boolean;
  /** What it counts against the unread budget. */
  size: number;
}

/**
 * The sink `cc2cc serve` gives the kernel, one per delivery mode (DESIGN §4):
 *
 * - `push`: the channel push is the delivery; once written, the message is acked.
 * - `pull`: nothing is pushed; the message stays claimed until `check_inbox` reads it.
 * - `auto`: pushed, and also kept claimed until the agent reads it through a tool
 *   (`check_inbox`, or `reply` to its id), so a client whose pushes go nowhere still gets
 *   every message. A session that ends with unread messages leaves them in the inbox: the
 *   next session of this agent is offered them again.
 *
 * Messages keep inbox order: the kernel hands them over one at a time.
 */
export class AgentDelivery implements Sink {
  readonly name: string;
  private readonly unread: Unread[] = [];
  /** Notices about the bus itself (issue 15), shown once on the next tool result. */
  private readonly notices: string[] = [];
  /** Issue 15: what is held unread is bounded; the rest of a backlog waits in the inbox. */
  private readonly budget: UnreadBudget;

  constructor(
    readonly mode: DeliveryMode,
    private readonly channel: ChannelSink,
    private readonly logger: Logger,
    limits: UnreadLimits = DEFAULT_UNREAD_LIMITS,
  ) {
    this.name = mode === 'push' ? 'channel' : mode === 'pull' ? 'pull queue' : 'channel + pull queue';
    this.budget = new UnreadBudget(limits);
  }

  async deliver(envelope: Envelope, settle: Settle): Promise<'delivered' | 'held'> {
    // A push cut short is not the whole message: keep it for check_inbox even in push mode.
    if (this.mode === 'push' && !this.channel.truncates(envelope)) return this.channel.deliver(envelope);
    // Waits while the unread limits are reached: the kernel stops claiming, and auto stops pushing.
    const size = heldSize(envelope);
    await this.budget.reserve(size, () => this.askToRead());
    try {
      // A failed push rejects here, before the message is held, so the kernel offers it again.
      if (this.mode !== 'pull') await this.channel.deliver(envelope);
    } catch (error) {
      this.budget.release(size);
      throw error;
    }
    this.unread.push({ envelope, settle, pushed: this.mode !== 'pull', announced: false, size });
    return 'held';
  }

  /** Stop: pushes and messages waiting for room reject, so they stay in the inbox. */
  close(): void {
    this.budget.close();
    this.channel.close();
  }

  /** Messages the agent has not read through a tool. */
  get waiting(): number {
    return this.unread.length;
  }

  /** For `check_inbox`: the oldest `limit` unread messages, each marked read (acked) on the way out. */
  async read(limit = Number.POSITIVE_INFINITY): Promise<Envelope[]> {
    const taken = this.unread.splice(0, limit);
    await Promise.all(taken.map((entry) => this.ack(entry)));
    for (const entry of taken) this.budget.release(entry.size);
    return taken.map((entry) => entry.envelope);
  }

  /** The agent answered message `id`, so it has seen it. False when it was not waiting. */
  async markRead(id: string): Promise<boolean> {
    const index = this.unread.findIndex((entry) => entry.envelope.id === id);
    if (index === -1) return false;
    const [entry] = this.unread.splice(index, 1);
    await this.ack(entry!);
    this.budget.release(entry!.size);
    return true;
  }

  /** A notice about the bus (the inbox was lost): pushed where pushes go, and on the next tool result. */
  notice(text: string): void {
    this.notices.push(text);
    if (this.mode === 'pull') return;
    this.channel.send({ content: text, meta: { kind: 'system' } }).catch((error: unknown) => this.logger.warn(`could not push a notice: ${describeError(error)}`));
  }

  /** What ends a tool result: bus notices not shown yet, then the unread-messages line. */
  note(): string | undefined {
    const lines = [...this.notices.splice(0), this.unreadNote()].filter((line) => line !== undefined);
    return lines.length > 0 ? lines.join('\n') : undefined;
  }

  /**
   * The line that ends a tool result while messages wait, or undefined.
   * `pull`: repeated on every result until `check_inbox` reads them. `auto`: each pushed
   * message is mentioned once (the push already rang; repeating it on every result would
   * cost context and lead an agent whose pushes arrive to read them twice).
   */
  private unreadNote(): string | undefined {
    if (this.unread.length === 0) return undefined;
    if (this.mode === 'pull') {
      const count = this.unread.length;
      const more = this.budget.full ? ' (and more are queued behind them)' : '';
      return `cc2cc: ${plural(count, 'message')} waiting for you${more}; call check_inbox to read ${count === 1 ? 'it' : 'them'}.`;
    }
    const fresh = this.unread.filter((entry) => !entry.announced);
    if (fresh.length === 0) return this.budget.full ? this.fullNote() : undefined;
    for (const entry of fresh) entry.announced = true;
    const ids = fresh.slice(0, 5).map((entry) => `${entry.envelope.id} from ${entry.envelope.from}`);
    const more = fresh.length > ids.length ? `, and ${fresh.length - ids.length} more` : '';
    const pushed = `cc2cc: ${plural(fresh.length, 'new message')} pushed to you (${ids.join('; ')}${more}). If no <channel> message showed ${fresh.length === 1 ? 'it' : 'them'}, call check_inbox.`;
    return this.budget.full ? `${pushed}\n${this.fullNote()}` : pushed;
  }

  private fullNote(): string {
    return `cc2cc: ${plural(this.unread.length, 'message')} held for you unread, and more are queued: call check_inbox to read them and receive the rest.`;
  }

  /** The unread limits are reached: where pushes go, ring once (a note on tool results says it too). */
  private askToRead(): void {
    if (this.mode === 'pull') return;
    this.channel.send({ content: this.fullNote(), meta: { kind: 'system' } }).catch((error: unknown) => this.logger.warn(`could not push a notice: ${describeError(error)}`));
  }

  private async ack(entry: Unread): Promise<void> {
    try {
      await entry.settle.ack();
    } catch (error) {
      // The agent has the message; an ack that failed only means the next session sees it again.
      this.logger.warn(`could not mark ${entry.envelope.id} read: ${describeError(error)}`);
    }
  }
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
