import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cc2ccError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { NO_FOLLOW, tempName } from './atomic-write.js';
import { errnoCode, ioFailed } from './fs-errors.js';
import { FILE_MODE } from './layout.js';
import { readRegularFile } from './message-file.js';
import { judgeHolder, thisProcess, type ProcessIdentity } from './process-identity.js';
import { parseLockRecord, type LockRecord } from '../lock-record.js';

/** What `to-<name>/lock` says about its holder (the record both transports' locks keep). */
export type LockHolder = LockRecord;

/** What `keep()` found: still ours, taken again after it vanished, or held by another live process. */
export type LockKept = 'held' | 'retaken' | { lost: Cc2ccError };

export interface InboxLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** False once another process has replaced or removed the lock file. */
  stillHeld(): Promise<boolean>;
  /**
   * Make sure the lock is still ours: a lock file that vanished (the folder was removed or
   * moved away, someone deleted the file) or was replaced by a holder that is gone is taken
   * again; only another live holder's lock makes it `lost`. The inbox folder must exist.
   */
  keep(): Promise<LockKept>;
  /** Remove the lock file if it is still ours; say so if someone else has it now. */
  release(): Promise<void>;
}

const CREATE_NEW = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | NO_FOLLOW;
const MAX_LOCK_BYTES = 4096;
/** An empty or broken lock younger than this is probably being written right now. */
const HALF_WRITTEN_GRACE_MS = 2000;
const HALF_WRITTEN_POLL_MS = 25;
const MAX_ROUNDS = 200;
/** Longer than a racer needs to move a lock aside, see it is not the stale one and put it back. */
const TAKEOVER_SETTLE_MS = 100;

/** Tokens of the locks this process holds now: a lock with our pid and another token is stale. */
const ownTokens = new Set<string>();

/** A lock's holder judged as `acquireInboxLock` judges it: for `diagnose()`, in a process that may hold inboxes. */
export const judgeLockHolder = (holder: ProcessIdentity & { token: string }) => judgeHolder(holder, ownTokens);

/**
 * Take `to-<name>/lock` for this process. A live holder, or a holder we cannot check (on
 * another host, or in another pid namespace), means INBOX_LOCKED naming pid and host. A
 * holder that is gone (no such process, the pid reused by a later process, our own pid
 * from before our start, a boot ago) is taken over; see process-identity.ts.
 */
export async function acquireInboxLock(path: string, agent: string, logger: Logger): Promise<InboxLock> {
  const holder: LockHolder = {
    ...thisProcess(),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const text = `${JSON.stringify(holder)}\n`;
  // Ours from the moment it may be written: a racer in this process must see it as live.
  ownTokens.add(holder.token);
  try {
    await takeLock(path, agent, text, logger);
  } catch (error) {
    ownTokens.delete(holder.token);
    throw error;
  }
  return heldLock(path, agent, holder, text, logger);
}

async function takeLock(path: string, agent: string, text: string, logger: Logger): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (await createLockFile(path, text)) {
      // Contention: a racer that judged the old lock stale may move ours aside by mistake
      // (and put it back). Let that settle, then make sure the lock is still ours.
      if (round === 0 || (await stillOurs(path, text))) return;
      continue;
    }
    const current = await readLock(path);
    if (current.kind === 'missing') continue;
    // Ours, put back by a racer after we had looked (see above).
    if (current.text === text) return;
    if (current.kind === 'unreadable') {
      if (Date.now() - current.modifiedMs < HALF_WRITTEN_GRACE_MS) {
        await sleep(HALF_WRITTEN_POLL_MS);
        continue;
      }
      logger.warn(
        `taking over ${path}: the lock file is unreadable (${current.why}) and has not changed ` +
          `for ${HALF_WRITTEN_GRACE_MS} ms`,
      );
    } else {
      const { holder: other } = current;
      const verdict = judgeHolder(other, ownTokens);
      if (verdict.state !== 'gone') throw lockedError(path, agent, other, verdict.state === 'elsewhere');
      logger.warn(
        `taking over the inbox of "${agent}": its holder, pid ${other.pid} on ${other.host}, is gone (${verdict.why})`,
      );
    }
    await moveStaleLockAside(path, current.text, logger);
  }
  throw new Cc2ccError('INBOX_LOCKED', `could not take ${path}: other processes kept changing it; try again`, { path });
}

function heldLock(path: string, agent: string, holder: LockHolder, text: string, logger: Logger): InboxLock {
  let released = false;
  const stillHeld = async () => {
    const current = await readLock(path);
    return current.kind !== 'missing' && current.text === text;
  };
  return {
    path,
    holder,
    stillHeld,
    async keep() {
      if (released) throw new Cc2ccError('BAD_INPUT', `${path} was released; open the inbox again`);
      if (await stillHeld()) return 'held';
      try {
        await takeLock(path, agent, text, logger);
        return 'retaken';
      } catch (error) {
        if (error instanceof Cc2ccError && error.code === 'INBOX_LOCKED') return { lost: error };
        throw error;
      }
    },
    async release() {
      if (released) return;
      released = true;
      ownTokens.delete(holder.token);
      const current = await readLock(path);
      if (current.kind === 'missing') {
        logger.warn(`${path} vanished while this process held it`);
      } else if (current.text !== text) {
        logger.warn(`${path} was taken over by another process; leaving it in place`);
      } else {
        await unlink(path).catch((error) =>
          logger.warn(`could not remove ${path}: ${ioFailed('remove', path, error).message}`),
        );
      }
    },
  };
}

/** O_EXCL create: true when the lock is ours, false when a lock file already exists. */
async function createLockFile(path: string, text: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, CREATE_NEW, FILE_MODE);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw ioFailed('create the inbox lock', path, error);
  }
  try {
    await handle.chmod(FILE_MODE);
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw ioFailed('write the inbox lock', path, error);
  }
  await handle.close();
  return true;
}

type LockState =
  | { kind: 'missing' }
  | { kind: 'held'; holder: LockHolder; text: string }
  | { kind: 'unreadable'; why: string; text: string | undefined; modifiedMs: number };

async function readLock(path: string): Promise<LockState> {
  let modifiedMs: number;
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink() || !info.isFile()) {
      throw new Cc2ccError('UNSAFE_PATH', `${path} should be a lock file but is not a regular file; remove it`, {
        path,
      });
    }
    modifiedMs = info.mtimeMs;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { kind: 'missing' };
    throw ioFailed('inspect the inbox lock', path, error);
  }
  const read = await readRegularFile(path, MAX_LOCK_BYTES);
  if (read.missing) return { kind: 'missing' };
  if (read.reason !== undefined) return { kind: 'unreadable', why: read.reason, text: undefined, modifiedMs };
  const holder = parseLockRecord(read.content);
  if (!holder) return { kind: 'unreadable', why: 'not a lock record', text: read.content, modifiedMs };
  return { kind: 'held', holder, text: read.content };
}

/**
 * Rename the stale lock aside and check that what moved is the lock we judged stale. If a
 * racing process had already replaced it with its own fresh lock, put that one back.
 */
async function moveStaleLockAside(path: string, staleText: string | undefined, logger: Logger): Promise<void> {
  // Look once more right before moving: another process may have taken over already.
  const again = await readLock(path);
  if (again.kind === 'missing' || again.text !== staleText) return;
  const aside = tempName(`${path}.stale`, '');
  try {
    await rename(path, aside);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw ioFailed('move aside the stale inbox lock', path, error);
  }
  const moved = await readRegularFile(aside, MAX_LOCK_BYTES);
  const movedText = moved.missing || moved.reason !== undefined ? undefined : moved.content;
  if (movedText !== staleText) {
    try {
      // link() refuses to replace: if yet another lock appeared meanwhile, that one stands.
      await link(aside, path);
    } catch (error) {
      logger.warn(`could not restore ${path} after a lock race: ${ioFailed('restore', path, error).message}`);
    }
  }
  await unlink(aside).catch(() => {});
}

async function stillOurs(path: string, text: string): Promise<boolean> {
  await sleep(TAKEOVER_SETTLE_MS);
  const current = await readLock(path);
  return current.kind !== 'missing' && current.text === text;
}

function lockedError(path: string, agent: string, holder: LockHolder, uncheckable: boolean): Cc2ccError {
  const where = holder.host === hostname() ? `on this host (${holder.host})` : `on host ${holder.host}`;
  const advice = uncheckable
    ? `cc2cc cannot check a process on another host (or in another container): if it is gone, delete ${path}`
    : 'stop that process first, or pick another agent name';
  return new Cc2ccError(
    'INBOX_LOCKED',
    `the inbox of "${agent}" is held by pid ${holder.pid} ${where} since ${holder.startedAt} (lock ${path}); ${advice}`,
    { path, pid: holder.pid, host: holder.host, startedAt: holder.startedAt },
  );
}
