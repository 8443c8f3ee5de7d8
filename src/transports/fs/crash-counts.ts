import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { NO_FOLLOW, tempName, writeFileAtomic } from './atomic-write.js';
import { FILE_MODE, type InboxPaths } from './layout.js';
import { messageFileName, messageId } from './message-file.js';

/** `to-<name>/handing`: the id of the message in the handler right now (26 bytes, rewritten in place). */
const HANDING = 'handing';
/**
 * `to-<name>/crashes.json`: `{ "<id>": n }`, hand-overs of a still-waiting message that its
 * receiver did not survive.
 */
const COUNTS = 'crashes.json';
const ID_LENGTH = 26;

/**
 * Attempts that a crash would forget. A receiver counts offers in memory; a message that
 * kills its receiver every time would be offered forever, one restart after another. So
 * before each hand-over the receiver writes the message's id into `handing` (one positional
 * write to a file it keeps open: no new file, no fsync), and the next open of the inbox, if
 * that id is still claimed in `cur/`, counts one crash for it in `crashes.json`. The kernel
 * sees crashes + offers as the attempt number, so such a message reaches `maxAttempts` and is
 * dead-lettered. Only the message in the handler counts: those claimed ahead do not.
 */
export class CrashCounts {
  private fd: number | undefined;

  private constructor(
    private readonly paths: InboxPaths,
    private readonly counts: Map<string, number>,
    private readonly logger: Logger,
  ) {}

  /** At open, while the lock is ours and before cur/ is returned to inbox/. */
  static async load(paths: InboxPaths, logger: Logger): Promise<CrashCounts> {
    const countsPath = join(paths.dir, COUNTS);
    const counts = await readCounts(countsPath, logger);
    let changed = false;
    const handing = (await readFile(join(paths.dir, HANDING), 'utf8').catch(() => '')).trim();
    if (messageId(messageFileName(handing)) === handing && (await exists(join(paths.cur, messageFileName(handing))))) {
      const crashes = (counts.get(handing) ?? 0) + 1;
      counts.set(handing, crashes);
      changed = true;
      logger.warn(
        `${handing} was being handed over when the last receiver of "${paths.agent}" stopped ` +
          `(${crashes} time(s) so far); it counts as an attempt`,
      );
    }
    for (const id of [...counts.keys()]) {
      const waiting =
        (await exists(join(paths.inbox, messageFileName(id)))) || (await exists(join(paths.cur, messageFileName(id))));
      if (!waiting) {
        counts.delete(id);
        changed = true;
      }
    }
    if (changed) {
      await writeFileAtomic(
        join(paths.dir, tempName(`.${COUNTS}`, '.tmp')),
        countsPath,
        `${JSON.stringify(Object.fromEntries(counts))}\n`,
        { fsync: false },
      );
    }
    const loaded = new CrashCounts(paths, counts, logger);
    loaded.openHanding();
    return loaded;
  }

  of(id: string): number {
    return this.counts.get(id) ?? 0;
  }

  /** Settled (acked, dead): its count no longer matters; the file is tidied at the next open. */
  forget(id: string): void {
    this.counts.delete(id);
  }

  /** Right before the handler gets `id`. */
  handing(id: string): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, id.padEnd(ID_LENGTH), 0, 'utf8');
    } catch (error) {
      this.logger.warn(
        `could not note the message being handed over in the inbox of "${this.paths.agent}": ${describeError(error)}`,
      );
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private openHanding(): void {
    const path = join(this.paths.dir, HANDING);
    try {
      this.fd = openSync(path, constants.O_CREAT | constants.O_WRONLY | NO_FOLLOW, FILE_MODE);
    } catch (error) {
      this.logger.warn(
        `cannot keep ${path} (${describeError(error)}): a message that crashes its receiver is ` +
          `not counted across restarts`,
      );
    }
  }
}

async function readCounts(path: string, logger: Logger): Promise<Map<string, number>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return new Map();
  }
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    return new Map(
      Object.entries(value).filter(
        (entry): entry is [string, number] =>
          typeof entry[1] === 'number' && Number.isInteger(entry[1]) && entry[1] > 0,
      ),
    );
  } catch {
    logger.warn(`${path} is not valid JSON; starting the crash counts afresh`);
    return new Map();
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
