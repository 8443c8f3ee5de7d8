import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Cc2ccError, type Logger } from '../../src/index.js';

const KEY_BYTES = 32;
const CREATE_NEW = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

/**
 * The project's signing key: made on first use (mode 0600, never overwritten), read after.
 * It is written whole to a temporary file and then linked into place, so the key file never
 * exists empty or half-written: two processes making it at once both try the link, one
 * wins, the other reads the winner's key.
 */
export async function loadOrCreateKey(path: string, logger: Logger): Promise<Buffer> {
  const existing = await readKey(path, logger);
  if (existing) return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, CREATE_NEW, 0o600);
    try {
      await handle.writeFile(`${key.toString('hex')}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // link() refuses to replace: the first whole key in place wins.
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readKey(path, logger))!;
    throw new Cc2ccError('IO_FAILED', `could not create the signing key ${path}: ${(error as Error).message}`, { path });
  } finally {
    await unlink(temp).catch(() => {});
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
  if (text === '') {
    // cc2cc before this version created the file, then wrote it: a crash in between left it empty.
    throw new Cc2ccError(
      'INVALID_CONFIG',
      `${path} is empty: the process that made it stopped before writing the key. No agent can have signed with it: delete it and start the agents again (the first one makes a new key)`,
      { path },
    );
  }
  if (!/^[0-9a-f]{64}$/.test(text)) {
    throw new Cc2ccError('INVALID_CONFIG', `${path} is not a cc2cc signing key (64 hex characters); delete it to make a new one, and restart every agent`, { path });
  }
  return Buffer.from(text, 'hex');
}
