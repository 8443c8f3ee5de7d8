import { lstatSync, type FSWatcher } from 'node:fs';
import { basename } from 'node:path';
import { describeError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { watchFolder } from './folder-watch.js';

/** `gone`: the watched folder itself was removed or replaced; look at the folders again. */
export type WakeCause = 'watch' | 'rescan' | 'timer' | 'gone';

/**
 * After the watched folder vanished, wait this long before saying so: `rm -rf` of the
 * whole tree is usually still under way, and folders made again in the middle of it
 * would make it fail.
 */
export const GONE_SETTLE_MS = 500;

export interface WakeupOptions {
  folder: string;
  watch: boolean;
  /** 0 turns the rescan off. */
  rescanMs: number;
  logger: Logger;
  /** `fileName`: for a watch event, the name it is about (when the system says). */
  onWake(cause: WakeCause, fileName?: string): void;
}

/**
 * Everything that makes an inbox look again: `fs.watch` events, a slow unref'd rescan
 * (watch events can be lost or coalesced) and one timer for the earliest retry.
 * Idle, only the rescan timer exists. A watch follows its folder's inode, so a folder that
 * was removed (an event named after the folder itself, on Linux) or replaced (another inode
 * at its path, seen on a rescan) drops the watch and wakes the owner with `gone`; the owner
 * makes the folders again and calls `rewatch()`. A broken watch is logged and re-armed the same way.
 */
export class Wakeups {
  private watcher: FSWatcher | undefined;
  private watchedIno: number | undefined;
  private goneTimer: NodeJS.Timeout | undefined;
  private rescan: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private stopped = false;

  constructor(private readonly options: WakeupOptions) {}

  start(): void {
    if (this.options.watch) this.startWatch();
    if (this.options.rescanMs > 0) {
      this.rescan = setInterval(() => {
        if (this.watcher && !this.stillWatching()) this.dropWatch();
        this.options.onWake('rescan');
      }, this.options.rescanMs);
      this.rescan.unref();
    }
  }

  /** Wake at `time` (epoch ms) unless a wake-up at or before it is already set. */
  wakeAt(time: number): void {
    if (this.stopped || (this.timer && this.timerAt <= time)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = time;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.options.onWake('timer');
      },
      Math.max(0, time - Date.now()),
    );
    this.timer.unref();
  }

  /** Watch the folder again if the watch was dropped (the owner made the folder again). */
  rewatch(): void {
    if (this.options.watch && !this.watcher) this.startWatch();
  }

  stop(): void {
    this.stopped = true;
    this.dropWatch();
    if (this.rescan) clearInterval(this.rescan);
    if (this.timer) clearTimeout(this.timer);
    if (this.goneTimer) clearTimeout(this.goneTimer);
    this.rescan = this.timer = this.goneTimer = undefined;
  }

  private startWatch(): void {
    if (this.stopped) return;
    const { folder } = this.options;
    const name = basename(folder);
    try {
      this.watchedIno = lstatSync(folder).ino;
      this.watcher = watchFolder(
        folder,
        (fileName) => {
          // No message file is named like the folder: this event is about the folder itself.
          if (fileName === name) this.folderGone();
          else this.options.onWake('watch', fileName ?? undefined);
        },
        (error) => {
          this.watcher = undefined;
          this.options.logger.warn(`watching ${folder} failed (${describeError(error)}); relying on the rescan`);
        },
      );
    } catch (error) {
      this.options.logger.warn(`cannot watch ${folder} (${describeError(error)}); relying on the rescan`);
    }
  }

  private stillWatching(): boolean {
    try {
      return lstatSync(this.options.folder).ino === this.watchedIno;
    } catch {
      return false;
    }
  }

  private dropWatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private folderGone(): void {
    this.dropWatch();
    if (this.stopped || this.goneTimer) return;
    this.goneTimer = setTimeout(() => {
      this.goneTimer = undefined;
      this.options.onWake('gone');
    }, GONE_SETTLE_MS); // not unref'd: the watch it replaces kept the process alive too
  }
}
