import { readdirSync, type Stats } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../kernel/logger.js';
import { ioFailed, isMissing } from './fs-errors.js';
import type { InboxPaths } from './layout.js';
import { InboxFiles } from './inbox-files.js';
import { describeFileType } from './message-file.js';

export interface InboxEntry {
  name: string;
  /** The listing's file type said "regular file" (d_type); false when it said otherwise or did not know. */
  regular: boolean;
}

/**
 * The entries of a folder, dotfiles left out, with what the listing knows of each one's
 * type (no extra system call). A dotfile is another tool's temp file (an editor, rsync)
 * that we cannot attribute: moving it could break its writer, so it is left alone.
 * Every other unexpected name in inbox/ is reported and moved to dead/ by the receiver.
 *
 * `small`: the folder held few entries last time, so it is listed by a synchronous call
 * (microseconds, no round trip through the thread pool); a long backlog is listed on the pool.
 */
export async function listEntries(path: string, small = false): Promise<InboxEntry[]> {
  try {
    const entries = small ? readdirSync(path, { withFileTypes: true }) : await readdir(path, { withFileTypes: true });
    return entries
      .filter((entry) => !entry.name.startsWith('.'))
      .map((entry) => ({ name: entry.name, regular: entry.isFile() }));
  } catch (error) {
    if (isMissing(error)) return [];
    throw ioFailed('list', path, error);
  }
}

/** The names `listEntries` gives. */
export async function listFolder(path: string): Promise<string[]> {
  return (await listEntries(path)).map((entry) => entry.name);
}

/**
 * A receiver that died between claim and ack left its messages in `cur/`: put them back in
 * `inbox/` to be delivered again. Stray names go too: the inbox pass reports them. What is
 * not a regular file (a symlink, a folder, a FIFO) goes straight to `dead/`, unopened.
 */
export async function returnClaimed(paths: InboxPaths, logger: Logger): Promise<number> {
  const files = new InboxFiles(paths, logger);
  let moved = 0;
  for (const name of await listFolder(paths.cur)) {
    const path = join(paths.cur, name);
    let info: Stats;
    try {
      info = await lstat(path);
    } catch (error) {
      if (isMissing(error)) continue;
      throw ioFailed('inspect', path, error);
    }
    if (!info.isFile())
      await files.refuse(
        path,
        undefined,
        `${describeFileType(info)} named ${name} in cur/, where only message files belong; never opened or followed`,
      );
    else if (await files.unclaim(name)) moved++;
  }
  if (moved > 0)
    logger.info(`returned ${moved} message(s) claimed by an earlier receiver of "${paths.agent}" to its inbox`);
  return moved;
}

/** Temp files older than `graceMs` belong to writers that died; younger ones may still be written. */
export async function removeStaleTemp(paths: InboxPaths, graceMs: number, logger: Logger): Promise<number> {
  const cutoff = Date.now() - graceMs;
  let removed = 0;
  for (const name of await listFolder(paths.tmp)) {
    const path = join(paths.tmp, name);
    try {
      const info = await lstat(path);
      if (info.mtimeMs > cutoff) continue;
      if (info.isDirectory()) {
        logger.warn(`leaving ${path} alone: a folder has no business in tmp/`);
        continue;
      }
      // rm on a symlink removes the link, not its target.
      await rm(path, { force: true });
      removed++;
    } catch (error) {
      if (!isMissing(error))
        logger.warn(`could not remove stale temp file ${path}: ${ioFailed('remove', path, error).message}`);
    }
  }
  if (removed > 0) logger.debug(`removed ${removed} stale temp file(s) of "${paths.agent}"`);
  return removed;
}
