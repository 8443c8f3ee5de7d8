import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Cc2ccError, type Logger } from '../../src/index.js';

const KEY_BYTES = 32;
const CREATE_NEW = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

/**
 * The project's signing key: made on first use (mode 0600, never overwritten), read after.
 * Two processes making it at once: one wins the exclusive create, the other reads its key.
 */
export async function loadOrCreateKey(path: string, logger: Logger): Promise<Buffer> {
  const existing = await readKey(path, logger);
  if (existing) return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  let handle;
  try {
    handle = await open(path, CREATE_NEW, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readKey(path, logger))!;
    throw new Cc2ccError('IO_FAILED', `could not create the signing key ${path}: ${(error as Error).message}`, { path });
  }
  try {
    await handle.writeFile(`${key.toString('hex')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  logger.info(`signing: made a new project key in ${path} (mode 0600)`);
  return key;
}

async function readKey(path: string, logger: Logger): Promise<Buffer | undefined> {
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Cc2ccError('IO_FAILED', `could not read the signing key ${path}: ${(error as Error).message}`, { path });
  }
  if (!info.isFile()) throw new Cc2ccError('UNSAFE_PATH', `${path} should be the signing key file but is not a regular file; remove it`, { path });
  if ((info.mode & 0o077) !== 0) logger.warn(`signing: ${path} is readable by other users (mode ${(info.mode & 0o777).toString(8)}); anyone who can read it can sign. Fix: chmod 600 ${path}`);
  const text = (await readFile(path, 'utf8')).trim();
  if (!/^[0-9a-f]{64}$/.test(text)) {
    throw new Cc2ccError('INVALID_CONFIG', `${path} is not a cc2cc signing key (64 hex characters); delete it to make a new one, and restart every agent`, { path });
  }
  return Buffer.from(text, 'hex');
}
