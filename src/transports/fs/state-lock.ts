import { randomBytes } from 'node:crypto';
import { link, lstat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cc2ccError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { processAlive } from '../../kernel/process-alive.js';
import { tempName, writeTempFile } from './atomic-write.js';
import { errnoCode, ioFailed } from './fs-errors.js';
import { readRegularFile } from './message-file.js';

/** Who holds a key lock. `token` is unique per lock taken, so two locks are never confused. */
interface Holder {
  pid: number;
  host: string;
  token: string;
  /** Milliseconds since the epoch: when it was taken (or the file's mtime, for a broken one). */
  at: number;
}

export interface KeyLock {
  /** False once another process took the lock over (it judged this process dead). */
  stillHeld(): Promise<boolean>;
  /** Remove the lock if it is still ours. */
  release(): Promise<void>;
}

export interface KeyLockOptions {
  /** Where the temp files of lock files are written (same file system as the locks). */
  tmpDir: string;
  logger: Logger;
  /** A lock of another host older than this is stale (its process cannot be checked). */
  staleMs: number;
  /** Give up waiting for a live holder after this long: TIMEOUT. */
  waitMs: number;
}

const MAX_LOCK_BYTES = 1024;
/** A chain of takers that each died while taking over the previous one: give up after this many. */
const MAX_TAKEOVER_DEPTH = 4;

/**
 * Take the lock file `path` for a short critical section. A lock file appears whole or not
 * at all: it is written to a temp file and hard-linked into place (link() refuses to replace
 * an existing one). A holder whose process is gone from this host, or a holder on another
 * host older than `staleMs`, is stale and is taken over (see `removeStale`).
 */
export async function lockKey(path: string, options: KeyLockOptions): Promise<KeyLock> {
  const me: Holder = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), at: Date.now() };
  const deadline = Date.now() + options.waitMs;
  for (let round = 0; ; round++) {
    if (await createExclusive(path, me, options.tmpDir)) return heldLock(path, me, options.logger);
    const holder = await readHolder(path);
    if (holder && isStale(holder, options.staleMs)) {
      options.logger.debug(`state: taking over ${path} from pid ${holder.pid} on ${holder.host} (gone)`);
      // Removed, or someone else removed it: try again at once. Another live taker at work: wait.
      if (await removeStale(path, holder, options, 0)) continue;
    }
    if (Date.now() >= deadline) {
      const who = holder ? `pid ${holder.pid} on ${holder.host}` : 'another process';
      throw new Cc2ccError('TIMEOUT', `could not lock ${path} within ${options.waitMs} ms: ${who} holds it`, { path });
    }
    // Critical sections last milliseconds: poll soon, with jitter so racers spread out.
    await sleep(1 + Math.floor(Math.random() * Math.min(2 ** Math.min(round, 5), 25)));
  }
}

function heldLock(path: string, me: Holder, logger: Logger): KeyLock {
  return {
    async stillHeld() {
      return (await readHolder(path))?.token === me.token;
    },
    async release() {
      if ((await readHolder(path))?.token !== me.token) {
        logger.warn(`state lock ${path} was taken over while this process held it`);
        return;
      }
      await unlink(path).catch((error) =>
        logger.warn(`could not remove ${path}: ${ioFailed('remove', path, error).message}`),
      );
    },
  };
}

/**
 * Remove the stale lock instance `stale` at `path`, and only that instance. The taker first
 * takes `path@<token>` the same way: one taker per stale instance. While it holds that guard,
 * nobody else can remove the instance (its owner is dead), so if `path` still carries the
 * stale token it is still that instance and unlinking it removes nothing else. A guard whose
 * own taker died is stale in turn and is taken over by the same rule, one level deeper.
 */
async function removeStale(path: string, stale: Holder, options: KeyLockOptions, depth: number): Promise<boolean> {
  if (depth > MAX_TAKEOVER_DEPTH)
    throw new Cc2ccError(
      'IO_FAILED',
      `could not take over the stale lock ${path}: its takers keep dying; remove ${path}* by hand`,
      { path },
    );
  const guard = `${path}@${stale.token}`;
  const me: Holder = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), at: Date.now() };
  if (!(await createExclusive(guard, me, options.tmpDir))) {
    const taker = await readHolder(guard);
    if (!taker) return true; // that taker just finished
    return isStale(taker, options.staleMs) && (await removeStale(guard, taker, options, depth + 1));
  }
  try {
    if ((await readHolder(path))?.token === stale.token)
      await unlink(path).catch((error) => ignoreMissing(error, path));
  } finally {
    // A late taker of the same instance finds another token (or none) and removes nothing.
    await unlink(guard).catch((error) => ignoreMissing(error, guard));
  }
  return true;
}

/** Write `holder` to a temp file and link it to `path`: true when `path` is now ours. */
async function createExclusive(path: string, holder: Holder, tmpDir: string): Promise<boolean> {
  const temp = join(tmpDir, tempName('lock', '.tmp'));
  try {
    await writeTempFile(temp, JSON.stringify(holder), { fsync: false });
  } catch (error) {
    throw ioFailed('write a lock file in', tmpDir, error);
  }
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw ioFailed('create the lock', path, error);
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/**
 * The holder of `path`, or undefined when there is no lock. A file that is not a holder
 * record (it cannot be half written: it was linked whole) gets an identity from its inode,
 * an unknown host and its mtime, so it turns stale by age.
 */
async function readHolder(path: string): Promise<Holder | undefined> {
  const read = await readRegularFile(path, MAX_LOCK_BYTES);
  if (read.missing) return undefined;
  if (read.reason === undefined) {
    const holder = parseHolder(read.content);
    if (holder) return holder;
  }
  try {
    const info = await lstat(path);
    return { pid: 0, host: '?', token: `ino${info.ino}-${Math.floor(info.mtimeMs)}`, at: info.mtimeMs };
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw ioFailed('inspect the lock', path, error);
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    const { pid, host, token, at } = JSON.parse(text) as Record<string, unknown>;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return undefined;
    if (
      typeof host !== 'string' ||
      typeof token !== 'string' ||
      !/^[0-9a-f]{16}$/.test(token) ||
      typeof at !== 'number'
    )
      return undefined;
    return { pid, host, token, at };
  } catch {
    return undefined;
  }
}

/** On this host a holder is stale when its process is gone; elsewhere, when it is old. */
function isStale(holder: Holder, staleMs: number): boolean {
  if (holder.host === hostname()) return !processAlive(holder.pid);
  return Date.now() - holder.at > staleMs;
}

function ignoreMissing(error: unknown, path: string): void {
  if (errnoCode(error) !== 'ENOENT') throw ioFailed('remove', path, error);
}
