import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Cc2ccError } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import {
  assertStateKey,
  assertStatePrefix,
  checkTtl,
  encodeStateValue,
  isStateKey,
  MAX_STATE_VALUE_BYTES,
  type State,
  type StateEntry,
  type StateSetOptions,
  type StateSetResult,
  type StateValue,
} from '../../kernel/state.js';
import { syncFolder, tempName, writeTempFile } from './atomic-write.js';
import { ioFailed, isMissing } from './fs-errors.js';
import { ensureDir } from './layout.js';
import { readRegularFile } from './message-file.js';
import { renameWithRetry } from './rename-retry.js';
import { lockKey, type KeyLock } from './state-lock.js';

export interface FsStateOptions {
  /** The `.cc2cc/state` folder. */
  dir: string;
  /** Makes the folder that holds `dir` (the transport's root). */
  ensureParent: () => Promise<void>;
  logger: Logger;
  /** fsync each value and its folder before a write resolves (default true). */
  fsync?: boolean;
  now?: () => number;
  /** A lock of another host older than this is taken over (default 30 s). */
  staleLockMs?: number;
  /** How long a write waits for a live holder of its key's lock (default 30 s). */
  lockWaitMs?: number;
}

/** `/` is not allowed in a file name and `~` is not allowed in a key: the mapping is one to one. */
const encodeKey = (key: string) => key.replaceAll('/', '~');
const decodeKey = (file: string) => file.replaceAll('~', '/');
const RECORD = '.json';
/** Temp files older than this belong to dead writers. */
const TMP_GRACE_MS = 60_000;
const MAX_RECORD_BYTES = MAX_STATE_VALUE_BYTES + 1024;
const READ_BATCH = 32;
/** `list` reads the folder again while it keeps changing under it, this many times at most. */
const MAX_LIST_ROUNDS = 50;

interface StoredRead {
  /** The file was not there (never was, or deleted since the folder was listed). */
  missing: boolean;
  /** Undefined when missing, unreadable or not a state record. */
  entry?: StateEntry;
}

/**
 * `State` in files (DESIGN §5), one file per key:
 *
 * ```
 * .cc2cc/state/<key with / as ~>.json   {"version":..., "expiresAt"?:..., "value":...}
 * .cc2cc/state/locks/<key with / as ~>  who is writing the key right now (see state-lock.ts)
 * .cc2cc/state/tmp/                     a value is written here, fsynced, then renamed over the key's file
 * ```
 *
 * Readers never lock: a key's file is only ever replaced whole by rename, so a reader (and
 * a writer that crashed) sees the old value or the new one. Writers take the key's lock,
 * compare the version, rename, release: two processes cannot both win a compare-and-set.
 */
export class FsState implements State {
  private readonly locksDir: string;
  private readonly tmpDir: string;
  private readonly fsync: boolean;
  private readonly now: () => number;
  private ready: Promise<void> | undefined;

  constructor(private readonly options: FsStateOptions) {
    this.locksDir = join(options.dir, 'locks');
    this.tmpDir = join(options.dir, 'tmp');
    this.fsync = options.fsync ?? true;
    this.now = options.now ?? Date.now;
  }

  async get(key: string): Promise<StateEntry | undefined> {
    assertStateKey(key);
    const entry = await this.read(key);
    return entry && !this.expired(entry) ? entry : undefined;
  }

  async list(prefix: string): Promise<StateEntry[]> {
    const start = encodeKey(assertStatePrefix(prefix));
    // The folder listing and the reads of its files are separate steps: between them a key can
    // be added, rewritten or deleted, and one round may return a mix that never existed (a
    // room whose one member left after another joined, read as empty). A round in which every
    // listed file was read, with the same versions as the round before (versions are unique
    // per write), is the folder as it was when that round listed it.
    let previous = await this.collect(start, true);
    for (let round = 2; round <= MAX_LIST_ROUNDS; round++) {
      const current = await this.collect(start, false);
      if (current.complete && sameVersions(previous.entries, current.entries)) return this.live(current.entries);
      previous = current;
    }
    const why = `the state keys under "${prefix}" kept changing while they were read (${MAX_LIST_ROUNDS} rounds)`;
    throw new Cc2ccError('TIMEOUT', `${why}; try again`, { prefix });
  }

  async set(key: string, value: StateValue, options: StateSetOptions = {}): Promise<StateSetResult> {
    assertStateKey(key);
    const text = encodeStateValue(key, value);
    const ttlMs = checkTtl(options.ttlMs);
    return this.locked(key, async (lock) => {
      const stored = await this.read(key);
      const current = stored && !this.expired(stored) ? stored : undefined;
      if (options.ifVersion !== undefined && (current?.version ?? null) !== options.ifVersion)
        return { ok: false, current };
      const entry: StateEntry = {
        key,
        value: JSON.parse(text) as StateValue,
        version: newId(),
        ...(ttlMs !== undefined && { expiresAt: this.now() + ttlMs }),
      };
      const expiry = entry.expiresAt !== undefined ? `,"expiresAt":${entry.expiresAt}` : '';
      const record = `{"version":${JSON.stringify(entry.version)}${expiry},"value":${text}}\n`;
      await this.replace(key, record, lock);
      return { ok: true, entry };
    });
  }

  async delete(key: string, options: { ifVersion?: string } = {}): Promise<boolean> {
    assertStateKey(key);
    return this.locked(key, async (lock) => {
      const current = await this.read(key);
      if (!current || (options.ifVersion !== undefined && current.version !== options.ifVersion)) return false;
      if (!(await lock.stillHeld())) throw lostLock(key);
      const path = this.file(key);
      try {
        await unlink(path);
      } catch (error) {
        if (isMissing(error)) return false;
        throw ioFailed('delete the state file', path, error);
      }
      return !this.expired(current);
    });
  }

  /** One round of `list`: the listed keys' entries; `complete` unless a listed file was gone when read. */
  private async collect(start: string, warn: boolean): Promise<{ entries: StateEntry[]; complete: boolean }> {
    let files: string[];
    try {
      files = await readdir(this.options.dir);
    } catch (error) {
      if (isMissing(error)) return { entries: [], complete: true };
      throw ioFailed('list', this.options.dir, error);
    }
    const keys = files
      .filter((file) => file.endsWith(RECORD) && file.startsWith(start))
      .map((file) => decodeKey(file.slice(0, -RECORD.length)))
      .filter(isStateKey)
      .sort();
    const reads: StoredRead[] = [];
    // A few at a time: thousands of keys must not open thousands of files at once (EMFILE).
    for (let i = 0; i < keys.length; i += READ_BATCH) {
      reads.push(...(await Promise.all(keys.slice(i, i + READ_BATCH).map((key) => this.readStored(key, warn)))));
    }
    const entries = reads.flatMap((read) => read.entry ?? []);
    return { entries, complete: reads.every((read) => !read.missing) };
  }

  /** The unexpired entries; expired ones are removed on the way. */
  private async live(entries: StateEntry[]): Promise<StateEntry[]> {
    const live: StateEntry[] = [];
    for (const entry of entries) {
      if (!this.expired(entry)) live.push(entry);
      // Tidy up; a reader never depends on it.
      else await this.delete(entry.key, { ifVersion: entry.version }).catch(() => {});
    }
    return live;
  }

  private file(key: string): string {
    return join(this.options.dir, `${encodeKey(key)}${RECORD}`);
  }

  private async locked<T>(key: string, work: (lock: KeyLock) => Promise<T>): Promise<T> {
    await this.prepare();
    const lock = await lockKey(join(this.locksDir, encodeKey(key)), {
      tmpDir: this.tmpDir,
      logger: this.options.logger,
      staleMs: this.options.staleLockMs ?? 30_000,
      waitMs: this.options.lockWaitMs ?? 30_000,
    });
    try {
      return await work(lock);
    } finally {
      await lock.release();
    }
  }

  /** Temp file, fsync, make sure the lock is still ours, rename over the key's file. */
  private async replace(key: string, record: string, lock: KeyLock): Promise<void> {
    const temp = join(this.tmpDir, tempName(encodeKey(key), '.json'));
    try {
      await writeTempFile(temp, record, { fsync: this.fsync });
      // A holder judged dead (another host, past staleMs) must not overwrite its taker's work.
      if (!(await lock.stillHeld())) throw lostLock(key);
      await renameWithRetry(temp, this.file(key));
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw ioFailed('write the state file', this.file(key), error);
    }
    if (this.fsync) await syncFolder(this.options.dir);
  }

  /** The stored entry, expired or not; undefined when there is none or it is not a state record. */
  private async read(key: string): Promise<StateEntry | undefined> {
    return (await this.readStored(key, true)).entry;
  }

  /** As `read`, telling a missing file from an unreadable one; `warn: false` leaves the warning to another read. */
  private async readStored(key: string, warn: boolean): Promise<StoredRead> {
    const path = this.file(key);
    const read = await readRegularFile(path, MAX_RECORD_BYTES);
    if (read.missing) return { missing: true };
    if (read.reason !== undefined) {
      if (warn) this.options.logger.warn(`state: ignoring ${path}: ${read.reason}`);
      return { missing: false };
    }
    const entry = parseRecord(key, read.content);
    if (!entry && warn) {
      this.options.logger.warn(`state: ignoring ${path}: not a state record (written by something other than cc2cc?)`);
    }
    return { missing: false, ...(entry && { entry }) };
  }

  private expired(entry: StateEntry): boolean {
    return entry.expiresAt !== undefined && entry.expiresAt <= this.now();
  }

  /** Create the folders once; remove temp files that crashed writers left behind. */
  private prepare(): Promise<void> {
    this.ready ??= (async () => {
      await this.options.ensureParent();
      await ensureDir(this.options.dir);
      await ensureDir(this.locksDir);
      await ensureDir(this.tmpDir);
      await this.removeOldTemps();
    })();
    this.ready.catch(() => (this.ready = undefined));
    return this.ready;
  }

  private async removeOldTemps(): Promise<void> {
    const cutoff = Date.now() - TMP_GRACE_MS;
    for (const name of await readdir(this.tmpDir).catch(() => [] as string[])) {
      const path = join(this.tmpDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) await unlink(path).catch(() => {});
    }
  }
}

function parseRecord(key: string, text: string): StateEntry | undefined {
  try {
    const record = JSON.parse(text) as Record<string, unknown>;
    if (typeof record !== 'object' || record === null || typeof record.version !== 'string' || !('value' in record))
      return undefined;
    if (record.expiresAt !== undefined && typeof record.expiresAt !== 'number') return undefined;
    return {
      key,
      value: record.value as StateValue,
      version: record.version,
      ...(record.expiresAt !== undefined && { expiresAt: record.expiresAt }),
    };
  } catch {
    return undefined;
  }
}

/** Same keys, same versions, same order (both are sorted by key). */
function sameVersions(before: StateEntry[], after: StateEntry[]): boolean {
  if (before.length !== after.length) return false;
  return before.every((entry, index) => entry.key === after[index]!.key && entry.version === after[index]!.version);
}

function lostLock(key: string): Cc2ccError {
  return new Cc2ccError(
    'TIMEOUT',
    `the lock of state key "${key}" was taken over while this write waited (was this process paused?); try again`,
    { key },
  );
}
