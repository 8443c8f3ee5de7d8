import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errnoCode } from './fs-errors.js';
import { FILE_MODE } from './layout.js';
import { renameWithRetry } from './rename-retry.js';

// O_NOFOLLOW does not exist on Windows; O_EXCL alone already refuses an existing link there.
export const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const CREATE_NEW = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | NO_FOLLOW;

/** `<stem>.<pid>.<rand><suffix>`: unique per writer, so two writers never share a temp file. */
export function tempName(stem: string, suffix: string): string {
  return `${stem}.${process.pid}.${randomBytes(6).toString('hex')}${suffix}`;
}

export interface AtomicWriteOptions {
  /** fsync the file before the rename and its folder after, so both survive a power loss. */
  fsync?: boolean;
}

/**
 * Write `data` to `tempPath` (new file, 0600, never through a link), fsync, close, then
 * rename it to `finalPath`: a reader sees the whole file or nothing. The temp file is
 * removed when anything fails.
 */
export async function writeFileAtomic(
  tempPath: string,
  finalPath: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await writeTempFile(tempPath, data, options);
  try {
    await renameWithRetry(tempPath, finalPath);
  } catch (error) {
    await unlink(tempPath).catch(() => {});
    throw error;
  }
  if (options.fsync !== false) await syncFolder(dirname(finalPath));
}

/** The first half of an atomic write: a new file (0600, never through a link), written, fsynced, closed. Removed if anything fails. */
export async function writeTempFile(tempPath: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const handle = await createTempFile(tempPath, data, options);
  await handle.close();
}

/** `writeTempFile` that leaves the file open, for a caller that fsyncs it again later. */
export async function createTempFile(tempPath: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<FileHandle> {
  const handle = await open(tempPath, CREATE_NEW, FILE_MODE);
  try {
    // The umask may have narrowed the mode; say exactly what we mean (alongside the write:
    // both go through the open handle, and nobody sees the file before the rename).
    await Promise.all([handle.chmod(FILE_MODE), handle.writeFile(data)]);
    if (options.fsync !== false) await handle.sync();
    return handle;
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(tempPath).catch(() => {});
    throw error;
  }
}

/** Best effort: some systems (Windows) cannot open a folder for fsync. */
export async function syncFolder(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF' && code !== 'EACCES') throw error;
  } finally {
    await handle?.close().catch(() => {});
  }
}
