import { watch, type FSWatcher } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Envelope } from '../../kernel/envelope.js';
import { describeError, isCc2ccError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { isAgentName, type AgentName } from '../../kernel/names.js';
import type { ObserveOptions, TrafficEvent, TrafficState } from '../../kernel/transport.js';
import { ulidTime } from '../../kernel/ids.js';
import { readDeadReason } from './dead-letters.js';
import { errnoCode } from './fs-errors.js';
import { watchFolder } from './folder-watch.js';
import { listFolder } from './inbox-recovery.js';
import { checkDir, type FsLayout, type InboxPaths } from './layout.js';
import { messageFileName, messageId, readMessageFile } from './message-file.js';

export interface ObserverOptions {
  layout: FsLayout;
  logger: Logger;
  maxBytes: number;
  watch: boolean;
  /** 0 turns the rescan off. */
  rescanMs: number;
  listener(event: TrafficEvent): void;
  /** Report the recent messages found at start before the live changes (`ObserveOptions.replay`). */
  replay?: ObserveOptions['replay'];
}

/** Where each state lives, in the order a message moves: a file moving forward is found. */
const STATES: ReadonlyArray<readonly [TrafficState, 'inbox' | 'cur' | 'done' | 'dead']> = [
  ['queued', 'inbox'],
  ['claimed', 'cur'],
  ['done', 'done'],
  ['dead', 'dead'],
];
const WATCHED = ['dir', 'inbox', 'cur', 'done', 'dead'] as const;
const ENVELOPE_CACHE = 1000;

interface Watched {
  paths: InboxPaths;
  watchers: Map<(typeof WATCHED)[number], FSWatcher>;
  /** Last state seen per id; an event is emitted when it changes. */
  known: Map<string, TrafficState>;
}

/**
 * Read-only traffic watch over every inbox (`cc2cc tail`). It never renames, writes or
 * deletes. Watch events only say "look at this id"; the state is whatever folder holds the
 * file when we look, so a file that moved on already is found where it went.
 */
export class TrafficObserver {
  private stopped = false;
  private readonly inboxes = new Map<AgentName, Watched>();
  private readonly envelopes = new Map<string, Envelope>();
  private readonly checks = new Map<string, { again: boolean; done: Promise<void> }>();
  private rootWatcher: FSWatcher | undefined;
  private rescan: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private readonly warned = new Set<string>();

  private constructor(private readonly options: ObserverOptions) {}

  /**
   * What is on disk now is the baseline: only changes after this are reported (and, with `replay`,
   * the recent part of it first).
   */
  static async start(options: ObserverOptions): Promise<TrafficObserver> {
    const observer = new TrafficObserver(options);
    for (const name of await options.layout.inboxNames((path, why) =>
      observer.warnOnce(path, `observer skips ${path}: ${why}`),
    )) {
      const watched = observer.track(name);
      for (const [id, state] of await observer.listStates(watched)) watched.known.set(id, state);
    }
    if (options.replay) await observer.replay(options.replay);
    observer.watchRoot();
    for (const name of observer.inboxes.keys()) observer.attach(name);
    if (options.rescanMs > 0) {
      observer.rescan = setInterval(() => observer.scanAll(), options.rescanMs);
      observer.rescan.unref();
    }
    // Anything that moved between the baseline and the watches being armed.
    await observer.scanAll();
    return observer;
  }

  /** The last messages of the baseline (by id: by time), each inbox's copy in its state now, oldest first. */
  private async replay({ last, sinceMs }: NonNullable<ObserveOptions['replay']>): Promise<void> {
    const since = sinceMs === undefined ? 0 : Date.now() - sinceMs;
    const ids = new Set<string>();
    for (const watched of this.inboxes.values())
      for (const id of watched.known.keys()) if (ulidTime(id) >= since) ids.add(id);
    const sorted = [...ids].sort();
    const chosen = new Set(last === undefined ? sorted : sorted.slice(Math.max(0, sorted.length - last)));
    const copies = [...this.inboxes].flatMap(([name, watched]) =>
      [...watched.known].filter(([id]) => chosen.has(id)).map(([id, state]) => ({ name, id, state })),
    );
    copies.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.name.localeCompare(b.name)));
    for (const { name, id, state } of copies) {
      if (this.stopped) return;
      const paths = this.inboxes.get(name)!.paths;
      const key = `${name}/${id}`;
      const envelope = await this.envelopeOf(paths, key, id, state).catch(() => undefined);
      const reason = state === 'dead' ? await readDeadReason(paths, id).catch(() => undefined) : undefined;
      if (state === 'done' || state === 'dead') this.envelopes.delete(key);
      this.emit({ agent: name, state, id, ...(envelope && { envelope }), ...(reason !== undefined && { reason }) });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.rescan) clearInterval(this.rescan);
    this.rootWatcher?.close();
    for (const watched of this.inboxes.values()) for (const watcher of watched.watchers.values()) watcher.close();
    await this.scanning;
    await Promise.allSettled([...this.checks.values()].map((check) => check.done));
  }

  private track(name: AgentName): Watched {
    let watched = this.inboxes.get(name);
    if (!watched) {
      watched = { paths: this.options.layout.inbox(name), watchers: new Map(), known: new Map() };
      this.inboxes.set(name, watched);
    }
    return watched;
  }

  private watchRoot(): void {
    if (!this.options.watch || this.rootWatcher || this.stopped) return;
    try {
      // The root itself may be a symlink the user configured; only its contents are never followed.
      const watcher = watch(this.options.layout.root, { persistent: true }, (_event, fileName) => {
        const name = fileName === null ? undefined : String(fileName);
        if (name === undefined) void this.scanAll();
        else if (name.startsWith('to-') && isAgentName(name.slice(3))) this.discover(name.slice(3));
      });
      watcher.once('error', () => {
        watcher.close();
        this.rootWatcher = undefined;
      });
      this.rootWatcher = watcher;
    } catch {
      // No root yet: the rescan tries again.
    }
  }

  /** A new `to-<name>/` appeared: everything in it is new traffic. */
  private discover(name: AgentName): void {
    if (this.stopped) return;
    this.track(name);
    this.attach(name);
    void this.scanInbox(name);
  }

  /** Arm the watches an inbox is missing (folders may appear after the inbox itself). */
  private attach(name: AgentName): boolean {
    const watched = this.inboxes.get(name);
    if (!watched || !this.options.watch || this.stopped) return false;
    let added = false;
    for (const folder of WATCHED) {
      if (watched.watchers.has(folder)) continue;
      const path = watched.paths[folder];
      try {
        const watcher = watchFolder(
          path,
          (fileName) => this.onFolderEvent(name, folder, fileName),
          () => watched.watchers.delete(folder),
        );
        watched.watchers.set(folder, watcher);
        added = true;
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT')
          this.warnOnce(path, `observer cannot watch ${path}: ${describeError(error)}`);
      }
    }
    return added;
  }

  private onFolderEvent(name: AgentName, folder: (typeof WATCHED)[number], fileName: string | null): void {
    if (folder === 'dir') {
      if (this.attach(name)) void this.scanInbox(name);
      return;
    }
    const id =
      fileName === null ? undefined : (messageId(fileName) ?? /^([0-9A-HJKMNP-TV-Z]{26})\.reason$/.exec(fileName)?.[1]);
    if (fileName === null) void this.scanInbox(name);
    else if (id !== undefined) void this.check(name, id);
  }

  /** Safety net for lost watch events: compare every folder with what we know. */
  private scanAll(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.scanning ??= (async () => {
      try {
        this.watchRoot();
        const names = await this.options.layout.inboxNames((path, why) =>
          this.warnOnce(path, `observer skips ${path}: ${why}`),
        );
        for (const name of names) {
          if (this.stopped) return;
          this.track(name);
          this.attach(name);
          await this.scanInbox(name);
        }
      } catch (error) {
        this.warnOnce('scan', `observer scan failed: ${describeError(error)}`);
      } finally {
        this.scanning = undefined;
      }
    })();
    return this.scanning;
  }

  private async scanInbox(name: AgentName): Promise<void> {
    const watched = this.inboxes.get(name);
    if (!watched || this.stopped) return;
    const found = await this.listStates(watched);
    const differing = [...found].filter(([id, state]) => watched.known.get(id) !== state).map(([id]) => id);
    const vanished = [...watched.known.keys()].filter((id) => !found.has(id));
    // One at a time, in id order: a tail shows a burst in the order it was sent.
    for (const id of [...differing, ...vanished].sort()) await this.check(name, id);
  }

  /** One listing per state folder; a file seen in two (it moved while we listed) counts where it went first. */
  private async listStates(watched: Watched): Promise<Map<string, TrafficState>> {
    const found = new Map<string, TrafficState>();
    for (const [state, folder] of STATES) {
      const path = watched.paths[folder];
      try {
        if (!(await checkDir(path))) continue;
      } catch (error) {
        if (isCc2ccError(error, 'UNSAFE_PATH')) this.warnOnce(path, error.message);
        continue;
      }
      for (const fileName of await listFolder(path).catch(() => [])) {
        const id = messageId(fileName);
        if (id !== undefined && !found.has(id)) found.set(id, state);
      }
    }
    return found;
  }

  /** Look up one id, one look at a time per id, so its events come out in order. */
  private check(name: AgentName, id: string): Promise<void> {
    const key = `${name}/${id}`;
    const running = this.checks.get(key);
    if (running) {
      running.again = true;
      return running.done;
    }
    const entry = { again: false, done: Promise.resolve() };
    entry.done = (async () => {
      do {
        entry.again = false;
        await this.look(name, id).catch((error) =>
          this.warnOnce(key, `observer could not look at ${key}: ${describeError(error)}`),
        );
      } while (entry.again && !this.stopped);
      this.checks.delete(key);
    })();
    this.checks.set(key, entry);
    return entry.done;
  }

  private async look(name: AgentName, id: string): Promise<void> {
    const watched = this.inboxes.get(name);
    if (!watched || this.stopped) return;
    const state = await this.whereIs(watched.paths, id);
    const key = `${name}/${id}`;
    if (state === undefined) {
      watched.known.delete(id);
      this.envelopes.delete(key);
      return;
    }
    if (watched.known.get(id) === state) return;
    watched.known.set(id, state);
    const envelope = await this.envelopeOf(watched.paths, key, id, state);
    const reason = state === 'dead' ? await readDeadReason(watched.paths, id) : undefined;
    if (state === 'done' || state === 'dead') this.envelopes.delete(key);
    if (this.stopped) return;
    this.emit({ agent: name, state, id, ...(envelope && { envelope }), ...(reason !== undefined && { reason }) });
  }

  private emit(event: TrafficEvent): void {
    try {
      this.options.listener(event);
    } catch (error) {
      this.options.logger.warn(`traffic listener threw: ${describeError(error)}`);
    }
  }

  private async whereIs(paths: InboxPaths, id: string): Promise<TrafficState | undefined> {
    for (const [state, folder] of STATES) {
      try {
        const info = await lstat(join(paths[folder], messageFileName(id)));
        // Only a dead letter may be something odd (that is often why it is dead).
        if (info.isFile() || state === 'dead') return state;
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
      }
    }
    return undefined;
  }

  /** The envelope, read once per message from wherever the file is by now. */
  private async envelopeOf(
    paths: InboxPaths,
    key: string,
    id: string,
    state: TrafficState,
  ): Promise<Envelope | undefined> {
    const cached = this.envelopes.get(key);
    if (cached) return cached;
    const start = STATES.findIndex(([candidate]) => candidate === state);
    for (const [, folder] of [...STATES.slice(start), ...STATES.slice(0, start)]) {
      const read = await readMessageFile(join(paths[folder], messageFileName(id)), this.options.maxBytes, id);
      if (read.ok) {
        this.envelopes.set(key, read.envelope);
        if (this.envelopes.size > ENVELOPE_CACHE) this.envelopes.delete(this.envelopes.keys().next().value!);
        return read.envelope;
      }
      if (!read.missing) return undefined;
    }
    return undefined;
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.options.logger.warn(message);
  }
}
