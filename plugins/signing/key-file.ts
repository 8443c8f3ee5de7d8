import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { link, lstat, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Cc2ccError, type Logger } from '../../src/plugin.js';

const KEY_BYTES = 32;
const CREATE_NEW = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

/** What a key file holds and how it is made: the project key, an agent's private key, a pinned public key. */
export interface KeyFileSpec<T> {
  /** For messages: "signing key", "private key of calm-owl". */
  what: string;
  /** Whether the file is a secret (warn when others can read it). */
  secret: boolean;
  make(): string;
  /** The value in the file, or undefined when it is not one (the error names the file). */
  parse(text: string): T | undefined;
}

const PROJECT_KEY: KeyFileSpec<Buffer> = {
  what: 'signing key',
  secret: true,
  make: () => `${randomBytes(KEY_BYTES).toString('hex')}\n`,
  parse: (text) => (/^[0-9a-f]{64}$/.test(text.trim()) ? Buffer.from(text.trim(), 'hex') : undefined),
};

/**
 * The project's signing key: made on first use (mode 0600, never overwritten), read after.
 * It is written whole to a temporary file and then linked into place, so the key file never
 * exists empty or half-written: two processes making it at once both try the link, one
 * wins, the other reads the winner's key.
 */
export function loadOrCreateKey(path: string, logger: Logger): Promise<Buffer> {
  return loadOrCreate(path, logger, PROJECT_KEY);
}

/** A key file made once (exclusive create, mode 0600, folder 0700) and read after. */
export async function loadOrCreate<T>(path: string, logger: Logger, spec: KeyFileSpec<T>): Promise<T> {
  const existing = await readKeyFile(path, logger, spec);
  if (existing !== undefined) return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const text = spec.make();
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, CREATE_NEW, 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // link() refuses to replace: the first whole key in place wins.
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readKeyFile(path, logger, spec))!;
    throw new Cc2ccError('IO_FAILED', `could not create the ${spec.what} ${path}: ${(error as Error).message}`, {
      path,
    });
  } finally {
    await unlink(temp).catch(() => {});
  }
  logger.info(`signing: made a new ${spec.what} in ${path} (mode 0600)`);
  return spec.parse(text)!;
}

/** The value of an existing key file; undefined when there is none. */
export async function readKeyFile<T>(path: string, logger: Logger, spec: KeyFileSpec<T>): Promise<T | undefined> {
  let info: Stats;
  try {
    info = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Cc2ccError('IO_FAILED', `could not read the ${spec.what} ${path}: ${(error as Error).message}`, { path });
  }
  if (!info.isFile())
    throw new Cc2ccError(
      'UNSAFE_PATH',
      `${path} should be the ${spec.what} file but is not a regular file; remove it`,
      { path },
    );
  if (spec.secret && (info.mode & 0o077) !== 0)
    logger.warn(
      `signing: ${path} is readable by other users (mode ${(info.mode & 0o777).toString(8)}); ` +
        `anyone who can read it can sign. Fix: chmod 600 ${path}`,
    );
  const text = await readFile(path, 'utf8');
  if (text.trim() === '') {
    // cc2cc before this version created the file, then wrote it: a crash in between left it empty.
    throw new Cc2ccError(
      'INVALID_CONFIG',
      `${path} is empty: the process that made it stopped before writing the ${spec.what}. No ` +
        `agent can have signed with it: delete it and start the agents again (the first one makes a new key)`,
      { path },
    );
  }
  const value = spec.parse(text);
  if (value === undefined) {
    throw new Cc2ccError(
      'INVALID_CONFIG',
      `${path} is not a cc2cc ${spec.what}; delete it to make a new one, and restart every agent`,
      { path },
    );
  }
  return value;
}
