import { describeError, isCc2ccError } from '../../kernel/errors.js';
import type { AgentName } from '../../kernel/names.js';
import type { Delivery, DeliveryHandler, Inbox } from '../../kernel/transport.js';
import type { Envelope } from '../../kernel/envelope.js';
import type { Logger } from '../../kernel/logger.js';
import { AckWindow } from './ack-window.js';
import { typedFailure } from './connection.js';
import { checkEntry } from './entry-check.js';
import type { RedisInboxLock } from './inbox-lock.js';
import { compareIds, type InboxStream, type StreamEntry } from './inbox-stream.js';
import type { WakeableWaits } from './wakeable-waits.js';

export interface ReaderSettings {
  minIdleMs: number;
  maxAttempts: number;
  maxBytes: number;
  /** Longest single XREADGROUP BLOCK. */
  blockMs: number;
  /**
   * Acks that may be on their way to Redis while the next messages are offered: the most
   * messages a crash of this receiver can hand over twice (1: the next waits for the ack).
   */
  ackWindow: number;
}

/** One message this receiver holds and has not settled. */
interface Claim {
  sid: string;
  envelope: Envelope;
  raw: string;
  /** Redis's delivery count when it came to us: the first offer's attempt number. */
  base: number;
  offers: number;
  /** Not offered again before this time (after a retry). */
  due: number;
}

/** A handler that throws is offered the message again after this long. */
const THROWN_RETRY_DELAY_MS = 200;
const BATCH = 50;
const ERROR_PAUSE_MS = 250;

/**
 * The receiving loop of one inbox: recover what receivers that went away left pending,
 * then read new entries, offering one message at a time in stream order. A retry keeps
 * the head of the line: nothing behind it is offered before it.
 */
export class RedisInboxReader implements Inbox {
  private state: 'open' | 'closing' | 'closed' = 'open';
  private readonly ready: Claim[] = [];
  private readonly redo: Claim[] = [];
  /** Every entry held by this receiver, by stream id. */
  private readonly known = new Map<string, Claim>();
  /** The copy in hand per envelope id, and later copies of the same id waiting on it. */
  private readonly byId = new Map<string, Claim>();
  private readonly copies = new Map<string, Claim[]>();
  private leftBehindClaimed = false;
  private recovering = true;
  private recoverAfter: string | undefined;
  private nextIdleClaim = 0;
  private loop: Promise<void> | undefined;
  private readonly acks: AckWindow;
  onlost?: (error: Error) => void;
  onretaken?: () => void;
  private lockTimer: NodeJS.Timeout | undefined;
  private ending: Promise<void> | undefined;
  private released: Promise<void> | undefined;

  constructor(
    readonly agent: AgentName,
    private readonly stream: InboxStream,
    private readonly lock: RedisInboxLock,
    private readonly waits: WakeableWaits,
    private readonly handler: DeliveryHandler,
    private readonly settings: ReaderSettings,
    private readonly logger: Logger,
    private readonly onClosed: (inbox: Inbox) => void,
  ) {
    this.acks = new AckWindow(
      agent,
      settings.ackWindow,
      () => this.state === 'open',
      () => this.wake(),
      logger,
    );
  }

  start(): void {
    this.lockTimer = setInterval(() => void this.keepLock(), Math.max(10, Math.floor(this.settings.minIdleMs / 3)));
    this.lockTimer.unref();
    this.loop = this.run();
  }

  close(): Promise<void> {
    this.ending ??= this.shutDown();
    return this.ending;
  }

  async abort(): Promise<void> {
    this.state = 'closed';
    this.stopReading();
    await this.release();
  }

  private async shutDown(): Promise<void> {
    if (this.state === 'open') this.state = 'closing';
    this.stopReading();
    await this.loop;
    // What was handed over is acked before the inbox is let go (each ack gives up only when closed).
    await this.acks.drain();
    this.state = 'closed';
    const unoffered = [...this.known.values()]
      .filter((claim) => claim.offers === 0)
      .map((claim) => ({ sid: claim.sid, deliveries: claim.base }));
    await this.stream
      .uncount(unoffered)
      .catch((error) => this.logger.debug(`could not restore delivery counts: ${describeError(error)}`));
    await this.release();
  }

  /** Ends the blocking read at once; entries it had taken stay pending for the next open. */
  private stopReading(): void {
    if (this.lockTimer) clearInterval(this.lockTimer);
    this.waits.stop();
  }

  private release(): Promise<void> {
    this.released ??= this.lock.release().finally(() => this.onClosed(this));
    return this.released;
  }

  private async keepLock(): Promise<void> {
    const held = await this.lock.refresh().catch(() => 'held' as const); // Redis away: nobody can take it either
    if (held === 'held' || this.state !== 'open') return;
    // The presence records may have gone with the lock: the owner announces this agent again at once.
    if (held === 'retaken') return this.onretaken?.();
    this.logger.error(`${held.lost.message}; this receiver stops`);
    await this.abort();
    this.onlost?.(held.lost);
  }

  private async run(): Promise<void> {
    let failures = 0;
    let lastCode: string | undefined;
    while (this.state === 'open') {
      try {
        await this.step();
        if (failures > 0 && lastCode) this.logger.info(`receiving for "${this.agent}" works again`);
        failures = 0;
        lastCode = undefined;
      } catch (error) {
        if (this.state !== 'open') return;
        // One line per kind of trouble (unreachable, LOADING, BUSY, ...), not one per retry.
        const code = isCc2ccError(error) && error.retryable ? error.code : undefined;
        if (failures++ === 0 || code === undefined || code !== lastCode) {
          this.logger.warn(`receiving for "${this.agent}" failed: ${describeError(error)}; trying again`);
        }
        lastCode = code;
        await this.sleep(Math.min(ERROR_PAUSE_MS * failures, 2000));
      }
    }
  }

  /**
   * One thing at a time: first what others left behind, then a due retry, the next message,
   * recovery, idle claims, or a blocking read.
   */
  private async step(): Promise<void> {
    if (!this.leftBehindClaimed) return this.claimLeftBehind();
    // The window is full: the next message waits until Redis has answered an earlier ack.
    if (this.acks.full) return this.acks.whenAnswered();
    const now = Date.now();
    const head = this.redo[0];
    if (head) {
      if (head.due > now) return this.sleep(head.due - now);
      this.redo.shift();
      return this.offer(head);
    }
    const next = this.ready.shift();
    if (next) return this.offer(next);
    if (this.recovering) return this.recoverPage();
    if (now >= this.nextIdleClaim) return this.claimIdle();
    return this.readNew(Math.min(this.settings.blockMs, this.nextIdleClaim - now));
  }

  /**
   * Before anything else: entries other receivers took and left (they crashed, or ran on
   * another host) are claimed once idle for minIdleMs. Waiting for them here, rather than
   * reading new entries meanwhile, keeps the id order.
   */
  private async claimLeftBehind(): Promise<void> {
    const started = Date.now();
    for (;;) {
      await this.stream.claimIdle(this.settings.minIdleMs);
      const others = await this.stream.othersPending();
      if (others.length === 0 || this.state !== 'open') break;
      if (Date.now() - started > this.settings.minIdleMs) {
        const held = others.map((other) => `${other.count} by ${other.consumer}`).join(', ');
        this.logger.warn(
          `messages of "${this.agent}" are still held by other receivers (${held}); they are ` +
            `claimed once idle for ${this.settings.minIdleMs} ms`,
        );
        break;
      }
      await this.sleep(Math.min(250, this.settings.minIdleMs));
    }
    this.nextIdleClaim = Date.now() + this.settings.minIdleMs;
    this.leftBehindClaimed = true;
  }

  /** This consumer's pending entries, oldest first: what a receiver before us took and never settled. */
  private async recoverPage(): Promise<void> {
    const page = await this.stream.ownPending(this.recoverAfter, BATCH);
    if (page.length === 0) {
      this.recovering = false;
      return;
    }
    this.recoverAfter = page[page.length - 1]!.sid;
    await this.take(await this.stream.take(page.filter((entry) => !this.known.has(entry.sid))));
  }

  /**
   * Now and then: entries left idle for minIdleMs that this receiver does not hold (a lost reply, a
   * receiver that lost its lock).
   */
  private async claimIdle(): Promise<void> {
    this.nextIdleClaim = Date.now() + this.settings.minIdleMs;
    const strays = (await this.stream.claimIdle(this.settings.minIdleMs)).filter((sid) => !this.known.has(sid));
    if (strays.length === 0) return;
    this.logger.warn(
      `claimed ${strays.length} message(s) of "${this.agent}" left idle for ` +
        `${this.settings.minIdleMs} ms by a receiver that went away`,
    );
    const counts = await this.stream.deliveryCounts(strays);
    await this.take(
      await this.stream.take(strays.sort(compareIds).map((sid) => ({ sid, deliveries: counts.get(sid) ?? 1 }))),
    );
  }

  private async readNew(blockMs: number): Promise<void> {
    let entries: StreamEntry[];
    try {
      entries = await this.waits.read((client) => this.stream.readNew(client, BATCH, Math.max(1, blockMs)));
    } catch (error) {
      throw typedFailure(error, this.stream.where, `read the inbox of "${this.agent}"`);
    }
    await this.take(entries);
  }

  /** Check new entries; a bad one goes to dead letters, one acked before is acked again. */
  private async take(entries: StreamEntry[]): Promise<void> {
    const accepted: Array<{ sid: string; base: number; envelope: Envelope; raw: string }> = [];
    for (const entry of entries) {
      if (this.known.has(entry.sid)) continue;
      const checked = checkEntry(entry, this.settings.maxBytes, this.settings.maxAttempts);
      if (checked.ok) {
        accepted.push({ sid: entry.sid, base: entry.deliveries, envelope: checked.envelope, raw: checked.raw });
        continue;
      }
      this.logger.warn(`dead-lettering ${checked.id} for "${this.agent}": ${checked.reason}`);
      await this.stream.deadLetter(entry.sid, checked.id, checked.reason, entry.raw);
    }
    const done = await this.stream.alreadyDone([...new Set(accepted.map((entry) => entry.envelope.id))]);
    for (const { sid, base, envelope, raw } of accepted) {
      if (done.has(envelope.id)) {
        await this.stream.ack(sid, envelope.id);
        this.logger.debug(
          `${envelope.id} was already delivered to "${this.agent}": acknowledged again, not handed over twice`,
        );
        continue;
      }
      const claim: Claim = { sid, envelope, raw, base, offers: 0, due: 0 };
      this.known.set(sid, claim);
      if (this.byId.has(envelope.id)) {
        this.copies.set(envelope.id, [...(this.copies.get(envelope.id) ?? []), claim]);
        continue;
      }
      this.byId.set(envelope.id, claim);
      this.ready.push(claim);
    }
  }

  private async offer(claim: Claim): Promise<void> {
    const attempt = claim.base + claim.offers++;
    this.stream.announce('claimed', claim.envelope.id).catch(() => {});
    let settled = false;
    const settle = async (what: string, action: () => Promise<void>): Promise<void> => {
      if (settled) return;
      if (this.state === 'closed') {
        this.logger.debug(
          `not settling ${claim.envelope.id} (${what}): the inbox of "${this.agent}" is closed; ` +
            `the next open offers it again`,
        );
        return;
      }
      settled = true;
      try {
        await action();
      } catch (error) {
        settled = false;
        throw error;
      }
    };
    const delivery: Delivery = {
      envelope: claim.envelope,
      attempt,
      ack: () => settle('ack', async () => this.acks.add(claim.envelope.id, () => this.ack(claim))),
      deadLetter: (reason) => settle('dead letter', () => this.deadLetter(claim, reason)),
      retry: (reason, delayMs) => settle('retry', () => this.retry(claim, reason, delayMs ?? 0)),
    };
    try {
      await this.handler(delivery);
    } catch (error) {
      if (settled)
        this.logger.warn(
          `the handler of "${this.agent}" threw after settling ${claim.envelope.id}: ${describeError(error)}`,
        );
      else await delivery.retry(`handler threw: ${describeError(error)}`, THROWN_RETRY_DELAY_MS);
    }
  }

  private async ack(claim: Claim): Promise<void> {
    await this.stream.ack(claim.sid, claim.envelope.id);
    this.forget(claim);
    // Copies of a delivered message are acked again, never handed over.
    for (const copy of this.takeCopies(claim.envelope.id)) {
      await this.stream.ack(copy.sid, copy.envelope.id);
      this.known.delete(copy.sid);
    }
  }

  private async deadLetter(claim: Claim, reason: string): Promise<void> {
    await this.stream.deadLetter(claim.sid, claim.envelope.id, reason, claim.raw);
    this.forget(claim);
    const [next, ...rest] = this.takeCopies(claim.envelope.id);
    if (!next) return;
    // Another copy of the same id: it was not refused itself, so it is offered in turn.
    this.byId.set(next.envelope.id, next);
    if (rest.length > 0) this.copies.set(next.envelope.id, rest);
    this.requeue(next, 0);
  }

  private async retry(claim: Claim, reason: string, delayMs: number): Promise<void> {
    this.logger.debug(`${claim.envelope.id} for "${this.agent}" offered again in ${delayMs} ms: ${reason}`);
    this.requeue(claim, delayMs);
    this.stream.announce('queued', claim.envelope.id).catch(() => {});
  }

  /** Back to the head of the line: it stays pending in Redis, so a crash meanwhile loses nothing. */
  private requeue(claim: Claim, delayMs: number): void {
    claim.due = Date.now() + Math.max(0, delayMs);
    let index = this.redo.length;
    while (index > 0 && compareIds(this.redo[index - 1]!.sid, claim.sid) > 0) index--;
    this.redo.splice(index, 0, claim);
    this.wake();
  }

  private forget(claim: Claim): void {
    this.known.delete(claim.sid);
    if (this.byId.get(claim.envelope.id) === claim) this.byId.delete(claim.envelope.id);
  }

  private takeCopies(id: string): Claim[] {
    const waiting = this.copies.get(id) ?? [];
    this.copies.delete(id);
    return waiting;
  }

  private wake(): void {
    if (this.state === 'open') this.waits.wake();
  }

  private sleep(ms: number): Promise<void> {
    return this.state === 'open' ? this.waits.sleep(ms) : Promise.resolve();
  }
}
