import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, open, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cc2ccError } from '../../kernel/errors.js';
import { processAlive } from '../../kernel/process-alive.js';
import type { Logger } from '../../kernel/logger.js';
import { NO_FOLLOW, tempName } from './atomic-write.js';
import { errnoCode, ioFailed } from './fs-errors.js';
import { FILE_MODE } from './layout.js';
import { readRegularFile } from './message-file.js';

/** What `to-<name>/lock` says about its holder. `token` tells two locks of one process apart. */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  token: string;
}

export interface InboxLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** False once another process has replaced or removed the lock file. */
  stillHeld(): Promise<boolean>;
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

/**
 * Take `to-<name>/lock` for this process. A live holder on this host, or any holder on
 * another host (we cannot check its process), means INBOX_LOCKED naming pid and host.
 * A holder whose pid is gone from this host is taken over.
 */
export async function acquireInboxLock(path: string, agent: string, logger: Logger): Promise<InboxLock> {
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const text = `${JSON.stringify(holder)}\n`;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (await createLockFile(path, text)) {
      // Contention: a racer that judged the old lock stale may move ours aside by mistake
      // (and put it back). Let that settle, then make sure the lock is still ours.
      if (round === 0 || (await stillOurs(path, text))) return heldLock(path, holder, text, logger);
      continue;
    }
    const current = await readLock(path);
    if (current.kind === 'missing') continue;
    // Ours, put back by a racer after we had looked (see above).
    if (current.text === text) return heldLock(path, holder, text, logger);
    if (current.kind === 'unreadable') {
      if (Date.now() - current.modifiedMs < HALF_WRITTEN_GRACE_MS) {
        await sleep(HALF_WRITTEN_POLL_MS);
        continue;
      }
      logger.warn(`taking over ${path}: the lock file is unreadable (${current.why}) and has not changed for ${HALF_WRITTEN_GRACE_MS} ms`);
    } else {
      const { holder: other } = current;
      if (other.host !== holder.host || processAlive(other.pid)) throw lockedError(path, agent, other);
      logger.warn(`taking over the inbox of "${agent}": its holder, pid ${other.pid} on ${other.host}, is gone`);
    }
    await moveStaleLockAside(path, current.text, logger);
  }
  throw new Cc2ccError('INBOX_LOCKED', `could not take ${path}: other processes kept changing it; try again`, { path });
}

function heldLock(path: string, holder: LockHolder, text: string, logger: Logger): InboxLock {
  let released = false;
  return {
    path,
    holder,
    async stillHeld() {
      const current = await readLock(path);
      return current.kind !== 'missing' && current.text === text;
    },
    async release() {
      if (released) return;
      released = true;
      const current = await readLock(path);
      if (current.kind === 'missing') {
        logger.warn(`${path} vanished while this process held it`);
      } else if (current.text !== text) {
        logger.warn(`${path} was taken over by another process; leaving it in place`);
      } else {
        await unlink(path).catch((error) => logger.warn(`could not remove ${path}: ${ioFailed('remove', path, error).message}`));
      }
    },
  };
}

/** O_EXCL create: true when the lock is ours, false when a lock file already exists. */
async function createLockFile(path: string, text: string): Promise<boolean> {
  let handle;
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
      throw new Cc2ccError('UNSAFE_PATH', `${path} should be a lock file but is not a regular file; remove it`, { path });
    }
    modifiedMs = info.mtimeMs;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { kind: 'missing' };
    throw ioFailed('inspect the inbox lock', path, error);
  }
  const read = await readRegularFile(path, MAX_LOCK_BYTES);
  if (read.missing) return { kind: 'missing' };
  if (read.reason !== undefined) return { kind: 'unreadable', why: read.reason, text: undefined, modifiedMs };
  const holder = parseHolder(read.content);
  if (!holder) return { kind: 'unreadable', why: 'not a lock record', text: read.content, modifiedMs };
  return { kind: 'held', holder, text: read.content };
}

function parseHolder(text: string): LockHolder | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, host, startedAt, token } = value as Record<string, unknown>;
  // pid 0 or below would name a process group to `kill`, never one process.
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || typeof host !== 'string') return undefined;
  return { pid, host, startedAt: typeof startedAt === 'string' ? startedAt : '?', token: typeof token === 'string' ? token : '' };
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

/** Signal 0 checks existence; EPERM means it exists but belongs to someone else. */

function lockedError(path: string, agent: string, holder: LockHolder): Cc2ccError {
  const where = holder.host === hostname() ? `on this host (${holder.host})` : `on host ${holder.host}`;
  const advice =
    holder.host === hostname()
      ? 'stop that process first, or pick another agent name'
      : `cc2cc cannot check a process on another host: if it is gone, delete ${path}`;
  return new Cc2ccError(
    'INBOX_LOCKED',
    `the inbox of "${agent}" is held by pid ${holder.pid} ${where} since ${holder.startedAt} (lock ${path}); ${advice}`,
    { path, pid: holder.pid, host: holder.host, startedAt: holder.startedAt },
  );
}
