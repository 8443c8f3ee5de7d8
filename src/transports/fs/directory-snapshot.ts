import { watch, type FSWatcher } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { basename } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ioFailed, isMissing } from './fs-errors.js';

/**
 * A change within this long before a snapshot was taken might share its timestamp tick
 * (file times come from a coarse clock, a few ms per tick): such a snapshot is not kept.
 */
const RACY_MARGIN_NS = 50_000_000n;

interface Stamp {
  text: string;
  /** dev:ino:birth time, to notice a folder replaced by another (inode numbers are reused). */
  identity: string;
  mtimeNs: bigint;
}

/**
 * What was read from some folders, kept until one of them changes. Every send needs the
 * directory (who exists, who is in which room); reading every presence record per send
 * cost a file read per agent. Presence records and inboxes only change by entries
 * created, renamed or removed in these folders, so:
 *
 * - Watched (the default): each `fs.watch` event bumps a generation counter. Before
 *   answering, `read` waits until the event loop has polled once more, so every event already
 *   queued by the kernel (any change that happened before the caller asked) has landed; then it takes
 *   the value loaded in the current generation, or joins the load started in it, or
 *   starts one. No file operation at all on the send path while nothing changes.
 * - Where watching is off or fails, one `lstat` per folder: a folder's mtime moves with
 *   each entry change. As in git's "racy" index check, a snapshot taken in the same clock
 *   tick as a change is not trusted.
 */
export class DirectorySnapshot<T> {
  private kept: { stamp: string; value: T } | undefined;
  private watchers: FSWatcher[] | undefined;
  private starting: Promise<boolean> | undefined;
  /** The folders (dev:ino:birth time) the watchers are on. */
  private watchedIdentities = '';
  /**
   * Bumped by every watch event (and by starting or stopping the watch). A load is tagged
   * with the generation it started in: it has seen every change up to that generation.
   */
  private generation = 0;
  private watchedValue: { generation: number; value: T } | undefined;
  private loading: { generation: number; value: Promise<T> } | undefined;
  private closed = false;

  constructor(
    private readonly folders: readonly string[],
    private readonly load: () => Promise<T>,
    private readonly options: { watch: boolean } = { watch: true },
  ) {}

  /**
   * Never older than the last change that finished before this call began, however many
   * reads are in flight: a value (or a load under way) is shared only by reads that
   * arrived in the generation it started in; a read after a later change starts a new load.
   */
  async read(): Promise<T> {
    if (!this.options.watch || this.closed || !(this.watchers || (await this.watchOnce()))) return this.readStamped();
    await afterNextPoll();
    const wanted = this.generation;
    if (this.watchedValue?.generation === wanted) return this.watchedValue.value;
    if (this.loading?.generation === wanted) return this.loading.value;
    const loading = { generation: wanted, value: this.reloadWatched(wanted) };
    this.loading = loading;
    try {
      return await loading.value;
    } finally {
      if (this.loading === loading) this.loading = undefined;
    }
  }

  private async reloadWatched(generation: number): Promise<T> {
    if ((await identitiesOf(this.folders)) !== this.watchedIdentities) {
      // A folder was removed (and perhaps made again): the watch is on the old one. This
      // read goes by mtimes; the next one watches the folders that are there now.
      this.stopWatching();
      return this.readStamped();
    }
    const value = await this.load();
    // A slower load that started earlier must not replace a newer one.
    if (this.watchers && generation >= (this.watchedValue?.generation ?? -1)) this.watchedValue = { generation, value };
    return value;
  }

  /** Stop watching (the transport closes). Reads after this use the folders' mtimes. */
  close(): void {
    this.closed = true;
    this.stopWatching();
  }

  /** Sends run side by side: one start of the watchers, whoever asks. */
  private watchOnce(): Promise<boolean> {
    this.starting ??= this.startWatching().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startWatching(): Promise<boolean> {
    const identities = await identitiesOf(this.folders);
    if (identities.includes('missing')) return false;
    const watchers: FSWatcher[] = [];
    try {
      for (const folder of this.folders) {
        const self = basename(folder);
        const watcher = watch(folder, { persistent: false }, (_event, name) => {
          this.generation++;
          // The folder itself went (removed or renamed): this watch sees nothing more.
          if (name === self) this.stopWatching();
        });
        watcher.on('error', () => this.stopWatching());
        watchers.push(watcher);
      }
    } catch {
      for (const watcher of watchers) watcher.close();
      return false;
    }
    if (this.closed) {
      for (const watcher of watchers) watcher.close();
      return false;
    }
    this.watchers = watchers;
    this.watchedIdentities = identities;
    this.generation++;
    return true;
  }

  private stopWatching(): void {
    for (const watcher of this.watchers ?? []) watcher.close();
    this.watchers = undefined;
    this.watchedValue = undefined;
    this.generation++;
  }

  private async readStamped(): Promise<T> {
    const startedNs = BigInt(Date.now()) * 1_000_000n;
    const stamps = await Promise.all(this.folders.map(stampOf));
    const stamp = stamps.map((entry) => entry.text).join('|');
    if (this.kept?.stamp === stamp) return this.kept.value;
    const value = await this.load();
    const settled = stamps.every((entry) => entry.mtimeNs < startedNs - RACY_MARGIN_NS);
    this.kept = settled ? { stamp, value } : undefined;
    return value;
  }
}

/**
 * Resolves once the event loop has polled for I/O after this call. One `setImmediate` is not
 * enough: called from an I/O callback it runs in the same loop turn, before the next poll,
 * so a change made by a synchronous call just before (a rename) would not have landed yet.
 * The second runs in the next turn, after its poll.
 */
async function afterNextPoll(): Promise<void> {
  await nextTurn();
  await nextTurn();
}

async function identitiesOf(folders: readonly string[]): Promise<string> {
  return (await Promise.all(folders.map(stampOf))).map((stamp) => stamp.identity).join('|');
}

async function stampOf(path: string): Promise<Stamp> {
  try {
    const info = await lstat(path, { bigint: true });
    const identity = `${info.dev}:${info.ino}:${info.birthtimeNs}`;
    return { text: `${identity}:${info.mtimeNs}:${info.mode}`, identity, mtimeNs: info.mtimeNs };
  } catch (error) {
    if (isMissing(error)) return { text: 'missing', identity: 'missing', mtimeNs: 0n };
    throw ioFailed('inspect', path, error);
  }
}
