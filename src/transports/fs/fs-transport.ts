import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MAX_BYTES, encodeForPut, prepareForPut, type Envelope } from '../../kernel/envelope.js';
import { Cc2ccError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { assertAgentName, type AgentName } from '../../kernel/names.js';
import type { PresenceRecord } from '../../kernel/presence.js';
import type { Finding } from '../../kernel/check.js';
import type {
  DeadLetter,
  DeliveryHandler,
  Inbox,
  InboxStats,
  MessageLocation,
  ObserveOptions,
  TrafficEvent,
  Transport,
} from '../../kernel/transport.js';
import { tempName, writeFileAtomic } from './atomic-write.js';
import { listDeadLetters } from './dead-letters.js';
import { locateMessage } from './locate.js';
import { linkIntoInboxes, type LinkOutcome } from './linked-write.js';
import { DirectorySnapshot } from './directory-snapshot.js';
import { diagnoseFolder } from './diagnose.js';
import { ioFailed, isMissing } from './fs-errors.js';
import { openInbox } from './inbox-reader.js';
import { checkDir, FsLayout, type InboxPaths } from './layout.js';
import { messageFileName, messageId } from './message-file.js';
import { TrafficObserver } from './observer.js';
import { PresenceStore } from './presence-store.js';
import { FsState } from './state-store.js';

export interface FsTransportOptions {
  /** Absolute path of the `.cc2cc` folder. */
  root: string;
  logger: Logger;
  /** Largest serialized envelope written or read (default 256 KiB). */
  maxBytes?: number;
  /** Safety-net rescan of watched folders (default 2000 ms; 0 = never). */
  rescanMs?: number;
  /** Use fs.watch (default true); false = rescan only. */
  watch?: boolean;
  /** How long acknowledged messages stay in done/ (default 24 h). */
  retentionMs?: number;
  /** At most this many acknowledged messages stay in done/, the newest (default 10 000). */
  maxDone?: number;
  /** Temp files older than this belong to dead writers and are removed on open (default 60 s). */
  tmpGraceMs?: number;
  /** How long closing an inbox waits for a handler in progress (default 2 s); its message then stays claimed. */
  closeTimeoutMs?: number;
  /**
   * fsync each message and its folder before `put` resolves (default true): a queued message
   * then survives a power loss. Off, a message still survives any process crash (the kernel's
   * page cache has it) and a send costs a fraction (docs/performance.md).
   */
  fsync?: boolean;
}

export const FS_TRANSPORT_DEFAULTS = {
  maxBytes: DEFAULT_MAX_BYTES,
  rescanMs: 2000,
  watch: true,
  retentionMs: 24 * 60 * 60 * 1000,
  maxDone: 10_000,
  tmpGraceMs: 60_000,
  closeTimeoutMs: 2000,
  fsync: true,
} as const satisfies Omit<Required<FsTransportOptions>, 'root' | 'logger'>;

type Settings = Required<FsTransportOptions>;

/** The embedded default transport: Maildir-style inboxes in a folder (DESIGN §3). */
export class FsTransport implements Transport {
  readonly kind = 'fs';
  private readonly settings: Settings;
  private readonly layout: FsLayout;
  private readonly presence: PresenceStore;
  /** Bus state in `state/` (state-store.ts). */
  readonly busState: FsState;
  /** Presence records and inbox names, re-read only when agents/ or the root changed. */
  private readonly directory: DirectorySnapshot<Array<{ name: AgentName; presence?: PresenceRecord }>>;
  private readonly inboxes = new Set<Inbox>();
  private readonly observers = new Set<TrafficObserver>();
  private closed = false;
  private warnedOpenRoot = false;

  constructor(options: FsTransportOptions) {
    this.settings = { ...FS_TRANSPORT_DEFAULTS, ...withoutUndefined(options) } satisfies Settings;
    checkSettings(this.settings);
    this.layout = new FsLayout(this.settings.root);
    this.presence = new PresenceStore(this.layout, this.settings.logger);
    this.busState = new FsState({
      dir: join(this.layout.root, 'state'),
      ensureParent: () => this.layout.ensureRoot(),
      logger: this.settings.logger,
      fsync: this.settings.fsync,
    });
    this.directory = new DirectorySnapshot([this.layout.root, this.layout.agentsDir], () => this.readDirectory(), {
      watch: this.settings.watch,
    });
  }

  get root(): string {
    return this.layout.root;
  }

  get where(): string {
    return this.layout.root;
  }

  async put(to: AgentName, envelope: Envelope): Promise<void> {
    this.assertOpen();
    const { name, text } = prepareForPut(to, envelope, this.settings.maxBytes);
    try {
      await this.writeMessage(await this.layout.ensureInbox(name), envelope.id, text);
    } catch (error) {
      if (!isMissing(error)) throw ioFailed(`queue message ${envelope.id} for`, name, error);
      // A folder vanished since we cached it (someone cleaned up): make it again, once.
      this.layout.forget(name);
      await this.writeMessage(await this.layout.ensureInbox(name), envelope.id, text).catch((again) => {
        throw ioFailed(`queue message ${envelope.id} for`, name, again);
      });
    }
  }

  /** Several inboxes at once (a room, a broadcast): one file written, hard-linked into each. */
  async putMany(recipients: readonly AgentName[], envelope: Envelope): Promise<Array<PromiseSettledResult<void>>> {
    this.assertOpen();
    if (recipients.length < 2) return Promise.allSettled(recipients.map((to) => this.put(to, envelope)));
    const text = encodeForPut(envelope, this.settings.maxBytes);
    const inboxes = await Promise.allSettled(
      recipients.map(async (to) => this.layout.ensureInbox(assertAgentName(to, 'recipient name'))),
    );
    const ready = inboxes.flatMap((inbox) => (inbox.status === 'fulfilled' ? [inbox.value] : []));
    const file = messageFileName(envelope.id);
    const copies = (): LinkOutcome[] => ready.map(() => 'copy instead');
    // If the shared write itself fails (its tmp/ vanished, say), each inbox is written the ordinary way.
    const linked =
      ready.length < 2
        ? copies()
        : await linkIntoInboxes(
            join(ready[0]!.tmp, tempName(envelope.id, '.json')),
            text,
            ready.map((paths) => join(paths.inbox, file)),
            { fsync: this.settings.fsync },
          ).catch(copies);
    const outcomes = new Map(ready.map((paths, index) => [paths.agent, linked[index]!]));
    return Promise.allSettled(
      recipients.map(async (to, index) => {
        const inbox = inboxes[index]!;
        if (inbox.status === 'rejected') throw inbox.reason;
        const outcome = outcomes.get(inbox.value.agent)!;
        if (outcome === 'copy instead') return this.put(to, envelope);
        if (outcome !== 'linked') throw ioFailed(`queue message ${envelope.id} for`, to, outcome.failed);
      }),
    );
  }

  async open(agent: AgentName, handler: DeliveryHandler): Promise<Inbox> {
    this.assertOpen();
    const name = assertAgentName(agent);
    // Check the folders afresh: a receiver must not trust a cache from before it started.
    this.layout.forget(name);
    const paths = await this.layout.ensureInbox(name);
    await this.warnIfRootIsOpen();
    const inbox = await openInbox({
      paths,
      handler,
      logger: this.settings.logger,
      maxBytes: this.settings.maxBytes,
      rescanMs: this.settings.rescanMs,
      watch: this.settings.watch,
      retention: { retentionMs: this.settings.retentionMs, maxDone: this.settings.maxDone },
      tmpGraceMs: this.settings.tmpGraceMs,
      closeTimeoutMs: this.settings.closeTimeoutMs,
      recreateFolders: async () => {
        this.layout.forget(name);
        await this.layout.ensureInbox(name);
      },
      onClosed: (closed) => this.inboxes.delete(closed),
    });
    this.inboxes.add(inbox);
    return inbox;
  }

  async announce(record: PresenceRecord): Promise<void> {
    this.assertOpen();
    await this.presence.write(record);
  }

  async agents(): Promise<Array<{ name: AgentName; presence?: PresenceRecord }>> {
    return [...(await this.directory.read())];
  }

  async stats(agent: AgentName): Promise<InboxStats> {
    const paths = this.layout.inbox(agent);
    const [queued, claimed, done, dead] = await Promise.all(
      (['inbox', 'cur', 'done', 'dead'] as const).map((folder) => countMessages(paths, folder)),
    );
    return { queued: queued!, claimed: claimed!, done: done!, dead: dead! };
  }

  async locate(agent: AgentName, id: string): Promise<MessageLocation | undefined> {
    return locateMessage(this.layout.inbox(agent), id);
  }

  async deadLetters(agent: AgentName): Promise<DeadLetter[]> {
    return listDeadLetters(this.layout.inbox(agent), this.settings.maxBytes);
  }

  diagnose(): Promise<Finding[]> {
    const { maxBytes, tmpGraceMs } = this.settings;
    return diagnoseFolder({ layout: this.layout, maxBytes, tmpGraceMs });
  }

  async observe(listener: (event: TrafficEvent) => void, options: ObserveOptions = {}): Promise<() => Promise<void>> {
    this.assertOpen();
    const { logger, maxBytes, watch, rescanMs } = this.settings;
    await this.warnIfRootIsOpen();
    const observer = await TrafficObserver.start({
      layout: this.layout,
      logger,
      maxBytes,
      watch,
      rescanMs,
      listener,
      ...(options.replay && { replay: options.replay }),
    });
    this.observers.add(observer);
    return async () => {
      this.observers.delete(observer);
      await observer.stop();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.directory.close();
    const observers = [...this.observers];
    this.observers.clear();
    await Promise.all([
      ...[...this.inboxes].map((inbox) => inbox.close()),
      ...observers.map((observer) => observer.stop()),
    ]);
  }

  private async readDirectory(): Promise<Array<{ name: AgentName; presence?: PresenceRecord }>> {
    const records = await this.presence.readAll();
    const inboxes = await this.layout.inboxNames((path, why) => this.settings.logger.warn(`skipping ${path}: ${why}`));
    const names = [...new Set([...records.keys(), ...inboxes])].sort();
    return names.map((name) => {
      const presence = records.get(name);
      return presence ? { name, presence } : { name };
    });
  }

  private async writeMessage(paths: InboxPaths, id: string, text: string): Promise<void> {
    const temp = join(paths.tmp, tempName(id, '.json'));
    await writeFileAtomic(temp, join(paths.inbox, messageFileName(id)), text, { fsync: this.settings.fsync });
  }

  /**
   * Folders cc2cc makes are 0700, but a root made by someone else (or chmod-ed since) may
   * let other users read every message, or write forged ones. Said once, at the start of
   * a receiver or an observer: not only `cc2cc doctor` should notice.
   */
  private async warnIfRootIsOpen(): Promise<void> {
    if (this.warnedOpenRoot || process.platform === 'win32') return;
    const info = await stat(this.layout.root).catch(() => undefined);
    if (!info || (info.mode & 0o077) === 0) return;
    this.warnedOpenRoot = true;
    const mode = (info.mode & 0o777).toString(8).padStart(3, '0');
    this.settings.logger.warn(
      `${this.layout.root} is open to other users (mode ${mode}): they can read messages and ` +
        `plant forged ones; run chmod 700 ${this.layout.root}`,
    );
  }

  private assertOpen(): void {
    if (this.closed)
      throw new Cc2ccError('TRANSPORT_CLOSED', `this fs transport (${this.layout.root}) was closed; create a new one`);
  }
}

export function createFsTransport(options: FsTransportOptions): FsTransport {
  return new FsTransport(options);
}

/** Message files (`<ULID>.json`) in one state folder; a missing folder counts 0. */
async function countMessages(paths: InboxPaths, folder: 'inbox' | 'cur' | 'done' | 'dead'): Promise<number> {
  if (!(await checkDir(paths.dir)) || !(await checkDir(paths[folder]))) return 0;
  try {
    return (await readdir(paths[folder])).filter((name) => messageId(name) !== undefined).length;
  } catch (error) {
    if (isMissing(error)) return 0;
    throw ioFailed('list', paths[folder], error);
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

function checkSettings(settings: Settings): void {
  const counts = ['maxBytes', 'rescanMs', 'retentionMs', 'maxDone', 'tmpGraceMs', 'closeTimeoutMs'] as const;
  for (const key of counts) {
    const value = settings[key];
    if (!Number.isFinite(value) || value < 0) {
      throw new Cc2ccError(
        'BAD_INPUT',
        `fs transport option ${key} must be a number of 0 or more, got ${JSON.stringify(value)}`,
      );
    }
  }
  if (settings.maxBytes < 1) throw new Cc2ccError('BAD_INPUT', 'fs transport option maxBytes must be at least 1');
}
