import { join } from 'node:path';
import type { Envelope } from '../../kernel/envelope.js';
import { describeError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { AgentName } from '../../kernel/names.js';
import type { Delivery, DeliveryHandler, Inbox } from '../../kernel/transport.js';
import { CrashCounts } from './crash-counts.js';
import { DonePruner } from './done-pruner.js';
import { DoneIndex, type RetentionPolicy } from './done-retention.js';
import { acquireInboxLock, type InboxLock } from './inbox-lock.js';
import { listEntries, removeStaleTemp, returnClaimed, type InboxEntry } from './inbox-recovery.js';
import { InboxFiles } from './inbox-files.js';
import type { InboxPaths } from './layout.js';
import { messageId, readMessageFile } from './message-file.js';
import { OfferLedger } from './offer-ledger.js';
import { OwnMoves } from './own-moves.js';
import { SenderHolds } from './sender-holds.js';
import { HOLD, inOrderWithReadAhead } from './read-ahead.js';
import { Wakeups, type WakeCause } from './wakeups.js';

export interface InboxReaderOptions {
  paths: InboxPaths;
  handler: DeliveryHandler;
  logger: Logger;
  maxBytes: number;
  rescanMs: number;
  watch: boolean;
  retention: RetentionPolicy;
  tmpGraceMs: number;
  /** close() waits this long for a handler in progress, then closes anyway (its message stays claimed). */
  closeTimeoutMs: number;
  /** Re-create the inbox folders after one vanished (and refuse a symlink in their place). */
  recreateFolders(): Promise<void>;
  /** Runs once when the inbox is closed or aborted. */
  onClosed(inbox: Inbox): void;
}

/** A handler that throws is offered the message again after this long. */
const THROWN_RETRY_DELAY_MS = 200;

/** Lock the inbox, return what a dead receiver had claimed, then start delivering. */
export async function openInbox(options: InboxReaderOptions): Promise<Inbox> {
  const { paths, logger } = options;
  const lock = await acquireInboxLock(paths.lock, paths.agent, logger);
  try {
    const crashes = await CrashCounts.load(paths, logger); // before cur/ goes back: it looks there
    await returnClaimed(paths, logger);
    await removeStaleTemp(paths, options.tmpGraceMs, logger);
    const reader = new InboxReader({ ...options, lock, crashes, done: await DoneIndex.load(paths, logger) });
    reader.start();
    return reader;
  } catch (error) {
    await lock.release().catch(() => {});
    throw error;
  }
}

/** A claimed and read message, or NOTHING to hand over (refused, a repeat, gone). */
type Taken = { id: string; envelope: Envelope } | typeof NOTHING;
const NOTHING = Symbol('nothing');

/** A pass over at most this many entries lists inbox/ synchronously the next time. */
const SMALL_LISTING = 256;

/** Messages claimed and read ahead of the one being handed over. */
const READ_AHEAD = 16;

/**
 * The receiving loop of one inbox: passes over `inbox/` in id order, one handler call at a
 * time. A bad file is moved to `dead/` with its reason and the loop goes on.
 */
class InboxReader implements Inbox {
  readonly agent: AgentName;
  onlost?: (error: Error) => void;
  onretaken?: () => void;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private readonly paths: InboxPaths;
  private readonly logger: Logger;
  private readonly wakeups: Wakeups;
  private readonly files: InboxFiles;
  /** Claimed by this receiver and not settled yet (in the handler, or held by it). */
  private readonly claimed = new Set<string>();
  /** Ids that showed up in inbox/ again while claimed: look again once they settle. */
  private readonly copiesWaiting = new Set<string>();
  private readonly ledger: OfferLedger;
  /** Order is per sender (sender-holds.ts). */
  private readonly holds = new SenderHolds();
  private passing: Promise<void> | undefined;
  /** The folders are looked at on the first pass, on each rescan and after a failed pass, not per message. */
  private foldersChecked = false;
  private passAgain = false;
  /** Entries in inbox/ at the last pass: few, and the next listing is synchronous (the first may meet a backlog). */
  private lastListed = Number.POSITIVE_INFINITY;
  /** Names this receiver moved out of inbox/ itself: their watch events wake nobody. */
  private readonly ownMoves = new OwnMoves();
  private readonly pruner: DonePruner;
  private ending: Promise<void> | undefined;
  private released: Promise<void> | undefined;

  constructor(
    private readonly options: InboxReaderOptions & { lock: InboxLock; done: DoneIndex; crashes: CrashCounts },
  ) {
    this.paths = options.paths;
    this.agent = options.paths.agent;
    this.logger = options.logger;
    this.files = new InboxFiles(options.paths, options.logger);
    this.ledger = new OfferLedger(options.crashes);
    this.pruner = new DonePruner(
      options.done,
      options.retention,
      options.logger,
      this.agent,
      () => this.passing !== undefined,
    );
    this.wakeups = new Wakeups({
      folder: options.paths.inbox,
      watch: options.watch,
      rescanMs: options.rescanMs,
      logger: options.logger,
      onWake: (cause, fileName) => this.wake(cause, fileName),
    });
  }

  start(): void {
    this.wakeups.start();
    this.pruner.prune();
    this.requestPass();
  }

  close(): Promise<void> {
    this.ending ??= this.shutDown();
    return this.ending;
  }

  async abort(): Promise<void> {
    if (this.state !== 'closed') {
      this.state = 'closed';
      this.wakeups.stop();
    }
    await this.release();
  }

  private async shutDown(): Promise<void> {
    if (this.state === 'open') this.state = 'closing';
    this.wakeups.stop();
    if (!(await finishesWithin(this.passing, this.options.closeTimeoutMs))) {
      // As abort does: a late settle moves nothing, and the next open offers the message again.
      this.state = 'closed';
      this.logger.warn(
        `the handler of "${this.agent}" did not return within ${this.options.closeTimeoutMs} ms ` +
          `of close(); closing anyway: the message it holds stays in cur/ and the next open offers it again`,
      );
    }
    await this.pruner.settled();
    this.state = 'closed';
    await this.release();
  }

  private release(): Promise<void> {
    this.options.crashes.close();
    this.released ??= this.options.lock.release().finally(() => this.options.onClosed(this));
    return this.released;
  }

  private wake(cause: WakeCause, fileName?: string): void {
    // Its own claim moved this name out of inbox/: nothing new to look at.
    if (cause === 'watch' && fileName !== undefined && this.ownMoves.seen(fileName)) return;
    // The next pass looks at the folders and the lock first (checkFolders).
    if (cause === 'rescan' || cause === 'gone') this.foldersChecked = false;
    if (cause === 'rescan') this.ownMoves.clear();
    if (cause === 'rescan') this.pruner.rescanned();
    this.requestPass();
  }

  /**
   * Two receivers must not share an inbox, but a lock that merely vanished (the folder was
   * removed or moved away, the file deleted) is taken again: only another live holder's
   * lock makes this receiver give way, and its owner is told (`onlost`).
   */
  private async keepLock(): Promise<boolean> {
    const kept = await this.options.lock.keep();
    if (kept === 'held') return true;
    if (kept === 'retaken') {
      this.logger.warn(
        `the inbox lock of "${this.agent}" was gone (its folder removed or moved away?); made the ` +
          `folders and took the lock again`,
      );
      this.onretaken?.();
      return true;
    }
    this.logger.error(
      `another live process holds the inbox of "${this.agent}" now; this receiver stops: ${kept.lost.message}`,
    );
    await this.abort();
    this.onlost?.(kept.lost);
    return false;
  }

  /** Coalesces wake-ups: a pass already running is simply run once more after it ends. */
  private requestPass(): void {
    if (this.state !== 'open') return;
    if (this.passing) {
      this.passAgain = true;
      return;
    }
    this.passing = this.runPasses().finally(() => {
      this.passing = undefined;
      if (this.passAgain && this.state === 'open') this.requestPass();
      else this.pruner.passesEnded();
    });
  }

  private async runPasses(): Promise<void> {
    do {
      this.passAgain = false;
      try {
        await this.pass();
      } catch (error) {
        this.foldersChecked = false;
        this.logger.error(
          `inbox pass of "${this.agent}" failed: ${describeError(error)}; trying again on the next wake-up`,
        );
        return;
      }
    } while (this.passAgain && this.state === 'open');
  }

  private async pass(): Promise<void> {
    if (!(await this.checkFolders())) return;
    const listed = await listEntries(this.paths.inbox, this.lastListed <= SMALL_LISTING);
    this.lastListed = listed.length;
    const entries = listed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (this.holds.dropStale(entries, (id) => this.claimed.has(id))) this.passAgain = true;
    await inOrderWithReadAhead(entries, READ_AHEAD, {
      prepare: (entry) => this.prepare(entry),
      consume: (taken) => this.hand(taken),
      release: (taken) => this.putBack(taken),
    });
  }

  /**
   * Someone may have removed a folder (or all of `.cc2cc/`), planted a symlink in its
   * place, or deleted the lock since open. False when this receiver had to stop.
   */
  private async checkFolders(): Promise<boolean> {
    if (this.foldersChecked) return true;
    if (!(await this.files.foldersPresent())) await this.options.recreateFolders();
    if (!(await this.keepLock())) return false;
    this.wakeups.rewatch();
    this.foldersChecked = true;
    return true;
  }

  /**
   * The checks that decide whether an inbox entry is taken now run here, in order and at
   * once; claiming and reading it are started and run while earlier messages are handed over.
   */
  private prepare(entry: InboxEntry): Promise<Taken> | typeof HOLD {
    if (this.state !== 'open') return HOLD;
    const path = join(this.paths.inbox, entry.name);
    const id = messageId(entry.name);
    if (id === undefined) {
      // Dotfiles were already left out (someone else's temp files); any other name is reported.
      return this.files
        .refuse(
          path,
          undefined,
          `unexpected file name ${JSON.stringify(entry.name)} in inbox/ (a message file is named <ULID>.json)`,
        )
        .then(() => NOTHING);
    }
    const due = this.ledger.waitsUntil(id);
    if (due !== undefined) {
      // Waits for its retry (its sender's later messages wait too, see hand); the rest goes on.
      this.wakeups.wakeAt(due);
      return Promise.resolve(NOTHING);
    }
    if (this.holds.skip(id)) return Promise.resolve(NOTHING);
    if (this.claimed.has(id)) {
      this.copiesWaiting.add(id);
      return Promise.resolve(NOTHING);
    }
    if (this.options.done.has(id)) {
      // Delivered already (a copy, or a sender that retried its put): acked again, not handed over twice.
      return this.files.acknowledgeRepeat(entry.name).then((moved) => {
        if (moved) this.options.done.add(id);
        return NOTHING;
      });
    }
    return this.claimAndRead(entry, id);
  }

  private async claimAndRead(entry: InboxEntry, id: string): Promise<Taken> {
    const listedPath = join(this.paths.inbox, entry.name);
    let claimed = false;
    // Opened where it was listed, claimed (inbox/ → cur/) while it is read through its open
    // handle: the rename and the read overlap. Rename moves a link, FIFO or folder as it is,
    // never through it; what is not a regular file is refused before or right after opening.
    const read = await readMessageFile(listedPath, this.options.maxBytes, id, {
      knownRegular: entry.regular,
      whileOpen: async () => {
        this.ownMoves.expect(entry.name);
        claimed = await this.files.claim(entry.name);
      },
    });
    if (this.aborted()) return NOTHING; // the next open returns what is in cur/
    if (read.ok) return claimed ? { id, envelope: read.envelope } : NOTHING; // not claimed: someone else moved it
    if (read.missing) return NOTHING;
    // Refused without opening (a link, a folder...) it is still in inbox/; opened, it was claimed.
    if (claimed) await this.files.refuse(join(this.paths.cur, entry.name), id, read.reason);
    else await this.files.refuse(listedPath, id, read.reason);
    return NOTHING;
  }

  /** Hands one claimed message to the handler; false stops the pass (closing). */
  private async hand(taken: Taken): Promise<boolean> {
    if (this.state !== 'open') {
      await this.putBack(taken);
      return false;
    }
    if (taken === NOTHING) return true;
    if (this.holds.holdsBack(taken.envelope.from, taken.id)) {
      // An earlier message of this sender waits for its retry: this one must not overtake it.
      this.holds.putBehind(taken.id, taken.envelope.from);
      await this.putBack(taken);
      return true;
    }
    await this.deliver(taken.id, taken.envelope);
    return true;
  }

  /** Closed without the lock's say (abort): files are no longer ours to move. */
  private aborted(): boolean {
    return this.state === 'closed';
  }

  /** A message claimed ahead but not handed over goes back to inbox/, while this receiver may still move files. */
  private async putBack(taken: Taken): Promise<void> {
    if (taken === NOTHING || this.aborted()) return;
    await this.files.giveBack(taken.id).catch((error) => {
      this.logger.warn(
        `could not return ${taken.id} to the inbox of "${this.agent}": ${describeError(error)}; ` +
          `the next start returns it`,
      );
    });
  }

  private async deliver(id: string, envelope: Envelope): Promise<void> {
    if (this.holds.offered(envelope.from, id)) this.passAgain = true;
    this.claimed.add(id);
    const attempt = this.ledger.offer(id);
    let settled = false;
    const settle = async (what: string, action: () => Promise<void>): Promise<void> => {
      if (settled) return;
      settled = true;
      if (this.state === 'closed') {
        this.logger.debug(
          `not settling ${id} (${what}): the inbox of "${this.agent}" is closed; the next open offers it again`,
        );
        return;
      }
      try {
        await action();
      } catch (error) {
        settled = false;
        throw error;
      }
      this.claimed.delete(id);
      if (this.copiesWaiting.delete(id)) this.requestPass();
    };
    const delivery: Delivery = {
      envelope,
      attempt,
      ack: () => settle('ack', () => this.ack(id)),
      deadLetter: (reason) => settle('dead letter', () => this.deadLetter(id, reason)),
      retry: (reason, delayMs) => settle('retry', () => this.retry(id, envelope.from, reason, delayMs ?? 0)),
    };
    try {
      await this.options.handler(delivery);
    } catch (error) {
      if (settled)
        this.logger.warn(`the handler of "${this.agent}" threw after settling ${id}: ${describeError(error)}`);
      else await delivery.retry(`handler threw: ${describeError(error)}`, THROWN_RETRY_DELAY_MS);
    }
  }

  private async ack(id: string): Promise<void> {
    await this.files.acknowledge(id);
    this.options.done.add(id);
    this.ledger.forget(id);
    this.pruner.acked();
  }

  private async deadLetter(id: string, reason: string): Promise<void> {
    await this.files.deadLetter(id, this.ledger.deadLetterReason(id, reason));
    this.ledger.forget(id);
  }

  private async retry(id: string, sender: string, reason: string, delayMs: number): Promise<void> {
    await this.files.giveBack(id);
    const due = Date.now() + Math.max(0, delayMs);
    this.ledger.retried(id, reason, due);
    // Nothing of this sender behind it goes first, so each sender's order holds; others pass.
    this.holds.hold(sender, id);
    this.logger.debug(`${id} for "${this.agent}" offered again in ${delayMs} ms: ${reason}`);
    if (this.state === 'open') this.wakeups.wakeAt(due);
  }
}

/** Whether `work` (if any) settled within `ms`. */
async function finishesWithin(work: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  if (!work) return true;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
