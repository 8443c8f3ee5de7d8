import { lstat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../kernel/logger.js';
import { ioFailed, isMissing } from './fs-errors.js';
import { listFolder } from './inbox-recovery.js';
import type { InboxPaths } from './layout.js';
import { messageId } from './message-file.js';

export interface RetentionPolicy {
  /** Keep acked messages this long after they were acked. */
  retentionMs: number;
  /** Keep at most this many, the newest. */
  maxDone: number;
}

const STAT_BATCH = 256;

/**
 * Remove `done/` files older than the retention, then the oldest beyond `maxDone`.
 * Age counts from the ack: the rename into `done/` sets ctime (mtime is the send time).
 * Returns the ids removed, so the receiver can forget them too.
 */
export async function pruneDone(paths: InboxPaths, policy: RetentionPolicy, logger: Logger): Promise<string[]> {
  const files: Array<{ id: string; ackedMs: number }> = [];
  const names = (await listFolder(paths.done)).filter((name) => messageId(name) !== undefined);
  for (let start = 0; start < names.length; start += STAT_BATCH) {
    const batch = names.slice(start, start + STAT_BATCH);
    const stats = await Promise.all(batch.map((name) => lstat(join(paths.done, name)).catch(() => undefined)));
    stats.forEach((info, index) => {
      if (info) files.push({ id: messageId(batch[index]!)!, ackedMs: Math.max(info.mtimeMs, info.ctimeMs) });
    });
  }
  files.sort((a, b) => b.ackedMs - a.ackedMs || (a.id < b.id ? 1 : -1));
  const cutoff = Date.now() - policy.retentionMs;
  const doomed = files.filter((file, index) => index >= policy.maxDone || file.ackedMs < cutoff);
  const removed: string[] = [];
  for (const { id } of doomed) {
    const path = join(paths.done, `${id}.json`);
    try {
      await unlink(path);
      removed.push(id);
    } catch (error) {
      if (!isMissing(error)) logger.warn(`could not prune ${path}: ${ioFailed('remove', path, error).message}`);
    }
  }
  if (removed.length > 0) logger.debug(`pruned ${removed.length} acknowledged message(s) of "${paths.agent}"`);
  return removed;
}
