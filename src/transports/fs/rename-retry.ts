import { renameSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cc2ccError } from '../../kernel/errors.js';
import { errnoCode } from './fs-errors.js';
import { diskSyncing } from './fsync.js';

/**
 * On Windows, `rename` fails with EPERM/EACCES/EBUSY while another process (an antivirus,
 * an indexer, a reader) holds a handle on the file. Those clear up on their own, so they
 * are retried there; every other error (ENOENT above all) goes straight back to the caller.
 * Elsewhere EPERM/EACCES mean what they say (a folder not writable): no retry, no
 * Windows explanation.
 */
export const WINDOWS_TRANSIENT: ReadonlySet<string> = new Set(['EPERM', 'EACCES', 'EBUSY']);
const NO_RETRY: ReadonlySet<string> = new Set();

export const RENAME_BUDGET_MS = 2000;
const FIRST_DELAY_MS = 5;
const MAX_DELAY_MS = 250;

/** Internal seam: tests pass a failing `rename` to see the retry give up. */
export interface RenameIo {
  rename(from: string, to: string): Promise<void>;
  budgetMs: number;
  /** Error codes retried: the Windows ones on win32, none elsewhere. */
  transient: ReadonlySet<string>;
}

export const TRANSIENT_RENAME_ERRORS = process.platform === 'win32' ? WINDOWS_TRANSIENT : NO_RETRY;

const realRename: RenameIo = { rename, budgetMs: RENAME_BUDGET_MS, transient: TRANSIENT_RENAME_ERRORS };

/** `rename`, retried with jittered exponential backoff for about 2 s on transient errors. */
export async function renameWithRetry(from: string, to: string, io: RenameIo = realRename): Promise<void> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await io.rename(from, to);
      return;
    } catch (error) {
      const code = errnoCode(error);
      if (code === undefined || !io.transient.has(code)) throw error;
      const elapsed = Date.now() - started;
      const left = io.budgetMs - elapsed;
      if (left <= 0) {
        throw new Cc2ccError(
          'IO_FAILED',
          `could not rename ${from} to ${to}: ${code} on each of ${attempt} attempts over ${elapsed} ms ` +
            '(another process may hold the file open)',
          { from, to, code, attempts: attempt },
          { cause: error },
        );
      }
      // Full jitter: writers that collided do not retry in lockstep.
      const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt);
      await sleep(Math.min(left, Math.max(1, Math.random() * ceiling)));
    }
  }
}

/**
 * `rename` as a synchronous call (a rename within one file system takes microseconds, less
 * than a round trip through libuv's thread pool), falling back on `renameWithRetry` when it
 * fails with an error worth retrying (Windows). While this process's fsyncs wait for a disk,
 * the rename may wait for the same journal commit: it then goes through the pool.
 */
export async function renameSoon(from: string, to: string): Promise<void> {
  if (diskSyncing()) return renameWithRetry(from, to);
  try {
    renameSync(from, to);
    return;
  } catch (error) {
    const code = errnoCode(error);
    if (code === undefined || !TRANSIENT_RENAME_ERRORS.has(code)) throw error;
  }
  await renameWithRetry(from, to);
}
