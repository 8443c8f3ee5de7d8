import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errnoCode } from './fs-errors.js';
import { fsyncIn } from './fsync.js';
import { GroupCommit } from './group-commit.js';
import { FILE_MODE } from './layout.js';
import { renameSoon } from './rename-retry.js';

// O_NOFOLLOW does not exist on Windows; O_EXCL alone already refuses an existing link there.
export const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const CREATE_NEW = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | NO_FOLLOW;

// pid + a random part chosen once + a counter: unique per writer (the random part tells apart
// equal pids of two hosts or containers sharing the folder) without a crypto call per file.
const WRITER = `${process.pid}.${randomBytes(4).toString('hex')}`;
let written = 0;

/** `<stem>.<pid>.<random>.<counter><suffix>`: unique per writer, so two writers never share a temp file. */
export function tempName(stem: string, suffix: string): string {
  written = (written + 1) % Number.MAX_SAFE_INTEGER;
  return `${stem}.${WRITER}.${written.toString(36)}${suffix}`;
}

export interface AtomicWriteOptions {
  /** fsync the file before the rename and its folder after, so both survive a power loss. */
  fsync?: boolean;
}

/**
 * Write `data` to `tempPath` (new file, 0600, never through a link), fsync, close, then
 * rename it to `finalPath`: a reader sees the whole file or nothing. The temp file is
 * removed when anything fails.
 *
 * The short steps (open, write, rename) are synchronous calls: for a small file each takes
 * microseconds, less than one round trip through libuv's thread pool. The fsyncs, which wait
 * for the disk, go to the pool (fsync.ts); the folder's is shared with concurrent writes (`syncFolder`).
 */
export async function writeFileAtomic(
  tempPath: string,
  finalPath: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await writeTempFile(tempPath, data, options);
  try {
    await renameSoon(tempPath, finalPath);
  } catch (error) {
    await unlink(tempPath).catch(() => {});
    throw error;
  }
  if (options.fsync !== false) await syncFolder(dirname(finalPath));
}

/** A new file (0600, never through a link) holding `data`, still open; removed if anything fails. */
function createTempFileSync(tempPath: string, data: string | Uint8Array): number {
  const fd = openSync(tempPath, CREATE_NEW, FILE_MODE);
  try {
    // The umask may have narrowed the mode; say exactly what we mean.
    fchmodSync(fd, FILE_MODE);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    return fd;
  } catch (error) {
    discard(fd, tempPath);
    throw error;
  }
}

function discard(fd: number, tempPath: string): void {
  try {
    closeSync(fd);
  } catch {
    // closing is all that is left to try
  }
  try {
    unlinkSync(tempPath);
  } catch {
    // gone already; a stale temp file is removed at the next open of the inbox anyway
  }
}

/**
 * The first half of an atomic write: a new file (0600, never through a link), written, fsynced,
 * closed. Removed if anything fails.
 */
export async function writeTempFile(
  tempPath: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  closeSync(await createTempFile(tempPath, data, options));
}

/** `writeTempFile` that leaves the file open (its descriptor), for a caller that fsyncs it again later. */
export async function createTempFile(
  tempPath: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<number> {
  const fd = createTempFileSync(tempPath, data);
  try {
    if (options.fsync !== false) await fsyncIn(dirname(tempPath), fd);
  } catch (error) {
    discard(fd, tempPath);
    throw error;
  }
  return fd;
}

/** Folder fsyncs in progress, by path: concurrent writes into one folder share them. */
const folderCommits = new Map<string, GroupCommit>();

/**
 * fsync a folder after a rename into it, so the new name survives a power loss. Resolves
 * once an fsync that started after this call has finished: writes that rename into the same
 * folder at the same time share one (group commit, group-commit.ts). Best effort: some
 * systems (Windows) cannot open a folder for fsync.
 */
export function syncFolder(path: string): Promise<void> {
  let commit = folderCommits.get(path);
  if (!commit) {
    const created = new GroupCommit(() => syncFolderNow(path));
    folderCommits.set(path, created);
    commit = created;
  }
  const done = commit.request();
  const forgetIfIdle = () => {
    if (folderCommits.get(path)?.idle) folderCommits.delete(path);
  };
  done.then(forgetIfIdle, forgetIfIdle);
  return done;
}

/** How an open folder is fsynced; tests replace it to watch which folder fsyncs cover which names. */
export const folderSyncIo: { fsync(fd: number, path: string): Promise<void> } = {
  fsync: (fd, path) => fsyncIn(path, fd),
};

async function syncFolderNow(path: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY);
    await folderSyncIo.fsync(fd, path);
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF' && code !== 'EACCES')
      throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
