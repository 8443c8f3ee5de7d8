import type { Dirent } from 'node:fs';
import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../kernel/logger.js';
import { ioFailed, isMissing } from './fs-errors.js';
import type { InboxPaths } from './layout.js';
import { messageFileName, messageId } from './message-file.js';

export interface RetentionPolicy {
  /** Keep acked messages this long after they were acked. */
  retentionMs: number;
  /** Keep at most this many, the newest. */
  maxDone: number;
}

const STAT_BATCH = 256;
const UNKNOWN = Number.NaN;

/**
 * The ids in `done/` with the time each was acked, oldest first. Only the holder of the
 * inbox lock writes `done/`, so after one look at the folder (at open) the receiver keeps
 * this index itself: pruning then costs one unlink per removed file, not a stat of every
 * file in `done/` each time (which made a long backlog drain slow down as done/ filled).
 */
export class DoneIndex {
  /** id → ack time (epoch ms); NaN for files found at open until the first prune looks at them. */
  private acked = new Map<string, number>();

  private constructor(private readonly paths: InboxPaths) {}

  /**
   * The ids already in `done/`: a copy that shows up again is acked, not redelivered. Only
   * regular files count: a folder, link or FIFO planted under a message's name must not
   * make the receiver treat that message as delivered (it is reported, and left alone).
   */
  static async load(paths: InboxPaths, logger: Logger): Promise<DoneIndex> {
    const index = new DoneIndex(paths);
    let entries: Dirent[];
    try {
      entries = await readdir(paths.done, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return index;
      throw ioFailed('list', paths.done, error);
    }
    for (const entry of entries) {
      const id = messageId(entry.name);
      if (id === undefined) continue;
      if (entry.isFile()) index.acked.set(id, UNKNOWN);
      else
        logger.warn(
          `ignoring ${join(paths.done, entry.name)}: not a regular file (only message files belong in done/)`,
        );
    }
    return index;
  }

  has(id: string): boolean {
    return this.acked.has(id);
  }

  /** Record an ack now: the newest entry. */
  add(id: string, ackedMs = Date.now()): void {
    this.acked.delete(id);
    this.acked.set(id, ackedMs);
  }

  /**
   * Remove `done/` files older than the retention, then the oldest beyond `maxDone`.
   * Age counts from the ack: for files found at open, the rename into `done/` set ctime
   * (mtime is the send time). Returns how many were removed.
   */
  async prune(policy: RetentionPolicy, logger: Logger): Promise<number> {
    await this.learnAges();
    const cutoff = Date.now() - policy.retentionMs;
    const doomed: string[] = [];
    let left = this.acked.size;
    for (const [id, ackedMs] of this.acked) {
      if (left <= policy.maxDone && !(ackedMs < cutoff)) break;
      doomed.push(id);
      left--;
    }
    let removed = 0;
    // In batches: a prune must keep up with acks that go on meanwhile.
    for (let start = 0; start < doomed.length; start += STAT_BATCH) {
      const batch = doomed.slice(start, start + STAT_BATCH);
      const gone = await Promise.all(batch.map((id) => this.remove(id, logger)));
      removed += gone.filter(Boolean).length;
    }
    if (removed > 0) logger.debug(`pruned ${removed} acknowledged message(s) of "${this.paths.agent}"`);
    return removed;
  }

  /** Unlink one file of done/ and forget it; false (and kept in the index) if that failed. */
  private async remove(id: string, logger: Logger): Promise<boolean> {
    const path = join(this.paths.done, messageFileName(id));
    try {
      await unlink(path);
    } catch (error) {
      if (!isMissing(error)) {
        logger.warn(`could not prune ${path}: ${ioFailed('remove', path, error).message}`);
        return false;
      }
    }
    this.acked.delete(id);
    return true;
  }

  /** Stat the files found at open once, and put them first, oldest first. */
  private async learnAges(): Promise<void> {
    const unknown = [...this.acked].filter(([, ackedMs]) => Number.isNaN(ackedMs)).map(([id]) => id);
    if (unknown.length === 0) return;
    const found: Array<{ id: string; ackedMs: number }> = [];
    for (let start = 0; start < unknown.length; start += STAT_BATCH) {
      const batch = unknown.slice(start, start + STAT_BATCH);
      const stats = await Promise.all(
        batch.map((id) => lstat(join(this.paths.done, messageFileName(id))).catch(() => undefined)),
      );
      stats.forEach((info, index) => {
        // A file gone meanwhile is forgotten; a later ack of the same id adds it again.
        if (info) found.push({ id: batch[index]!, ackedMs: Math.max(info.mtimeMs, info.ctimeMs) });
      });
    }
    found.sort((a, b) => a.ackedMs - b.ackedMs || (a.id < b.id ? -1 : 1));
    // Acks made while we looked are newer than anything that was in done/ at open.
    const rebuilt = new Map(found.map(({ id, ackedMs }) => [id, ackedMs]));
    for (const [id, ackedMs] of this.acked) {
      if (Number.isNaN(ackedMs)) continue;
      rebuilt.delete(id);
      rebuilt.set(id, ackedMs);
    }
    this.acked = rebuilt;
  }
}
