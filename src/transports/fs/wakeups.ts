import type { FSWatcher } from 'node:fs';
import { describeError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { watchFolder } from './folder-watch.js';

export type WakeCause = 'watch' | 'rescan' | 'timer';

export interface WakeupOptions {
  folder: string;
  watch: boolean;
  /** 0 turns the rescan off. */
  rescanMs: number;
  logger: Logger;
  onWake(cause: WakeCause): void;
}

/**
 * Everything that makes an inbox look again: `fs.watch` events, a slow unref'd rescan
 * (watch events can be lost or coalesced) and one timer for the earliest retry.
 * Idle, only the rescan timer exists. A broken watch is logged and re-armed on a rescan.
 */
export class Wakeups {
  private watcher: FSWatcher | undefined;
  private rescan: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private stopped = false;

  constructor(private readonly options: WakeupOptions) {}

  start(): void {
    if (this.options.watch) this.startWatch();
    if (this.options.rescanMs > 0) {
      this.rescan = setInterval(() => {
        if (this.options.watch && !this.watcher) this.startWatch();
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
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.options.onWake('timer');
    }, Math.max(0, time - Date.now()));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.rescan) clearInterval(this.rescan);
    if (this.timer) clearTimeout(this.timer);
    this.rescan = this.timer = undefined;
  }

  private startWatch(): void {
    if (this.stopped) return;
    try {
      this.watcher = watchFolder(
        this.options.folder,
        () => this.options.onWake('watch'),
        (error) => {
          this.watcher = undefined;
          this.options.logger.warn(`watching ${this.options.folder} failed (${describeError(error)}); relying on the rescan`);
        },
      );
    } catch (error) {
      this.options.logger.warn(`cannot watch ${this.options.folder} (${describeError(error)}); relying on the rescan`);
    }
  }
}
