import { closeSync, linkSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { errnoCode } from './fs-errors.js';
import { createTempFile, type AtomicWriteOptions } from './atomic-write.js';
import { fsyncIn } from './fsync.js';

/** Errors that say "no hard link here" (another file system, one without links, a link limit): copy instead. */
const CANNOT_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EACCES']);

export type LinkOutcome = 'linked' | 'copy instead' | { failed: unknown };

/**
 * One message for several inboxes, Maildir's way of delivering one message to many
 * mailboxes: the file is written and fsynced once in a temp folder, then hard-linked
 * into each inbox. A link, like a rename, makes the whole file appear at once, so a
 * reader never sees a partial message.
 *
 * Durability: the file is fsynced once more after the links instead of fsyncing every
 * inbox folder. A link changes the file's own inode (its link count) in the same journal
 * transaction as the new name, so on Linux's journaling file systems an fsync of the
 * file makes its new names durable too (ext4 and XFS commit that transaction; btrfs
 * logs the new names, which xfstests generic/041 checks). Fifty folder fsyncs, each a
 * disk cache flush, become one. docs/performance.md has the figures.
 *
 * Where a link cannot be made, the outcome says 'copy instead' and the caller writes
 * that inbox's copy the ordinary way. The temp file is removed in every case.
 */
export async function linkIntoInboxes(
  tempPath: string,
  data: string,
  targets: readonly string[],
  options: AtomicWriteOptions = {},
): Promise<LinkOutcome[]> {
  const fd = await createTempFile(tempPath, data, options);
  try {
    let outcomes: LinkOutcome[];
    try {
      // Synchronous calls: a link takes microseconds, less than a round trip through the thread pool.
      outcomes = targets.map((target) => linkOne(tempPath, target));
    } finally {
      try {
        unlinkSync(tempPath);
      } catch {
        // gone already; a stale temp file is removed at the next open of the inbox anyway
      }
    }
    if (options.fsync === false || !outcomes.includes('linked')) return outcomes;
    const failure = await fsyncIn(dirname(tempPath), fd).then(
      () => undefined,
      (error: unknown) => ({ failed: error }),
    );
    return failure ? outcomes.map((outcome) => (outcome === 'linked' ? failure : outcome)) : outcomes;
  } finally {
    closeSync(fd);
  }
}

function linkOne(tempPath: string, target: string): LinkOutcome {
  try {
    linkSync(tempPath, target);
    return 'linked';
  } catch (error) {
    const code = errnoCode(error) ?? '';
    // EEXIST: something has that name already (a retried put, or something planted): the
    // ordinary write replaces a file and refuses anything else. ENOENT: the inbox vanished.
    return CANNOT_LINK.has(code) || code === 'EEXIST' || code === 'ENOENT' ? 'copy instead' : { failed: error };
  }
}
