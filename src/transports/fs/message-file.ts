import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { decodeEnvelope, type Envelope } from '../../kernel/envelope.js';
import { describeError, isCc2ccError } from '../../kernel/errors.js';
import { NO_FOLLOW } from './atomic-write.js';
import { errnoCode } from './fs-errors.js';

/** The only file names that become message paths: `<ULID>.json`. */
export const MESSAGE_FILE = /^[0-9A-HJKMNP-TV-Z]{26}\.json$/;

/** The id of a message file name, or undefined for any other name. */
export function messageId(fileName: string): string | undefined {
  return MESSAGE_FILE.test(fileName) ? fileName.slice(0, 26) : undefined;
}

export function messageFileName(id: string): string {
  return `${id}.json`;
}

/** What a non-regular file is, for reasons and warnings. */
export function describeFileType(info: Stats): string {
  if (info.isSymbolicLink()) return 'a symlink';
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

// O_NONBLOCK: a FIFO swapped in after the lstat must not hang the loop; fstat refuses it.
const READ_SAFELY = constants.O_RDONLY | NO_FOLLOW | (constants.O_NONBLOCK ?? 0);

export type ReadOutcome =
  | { ok: true; envelope: Envelope }
  | { ok: false; missing: true }
  | { ok: false; missing: false; reason: string };

/**
 * Read one message file without following a link, opening a FIFO for reading or reading
 * past `maxBytes`, and check it against wire format v1 and the id its name promises.
 */
export async function readMessageFile(
  path: string,
  maxBytes: number,
  expectedId?: string,
  options: ReadOptions = {},
): Promise<ReadOutcome> {
  const text = await readRegularFile(path, maxBytes, options);
  if (text.missing) return { ok: false, missing: true };
  if (text.reason !== undefined) return { ok: false, missing: false, reason: text.reason };
  let envelope: Envelope;
  try {
    envelope = decodeEnvelope(text.content);
  } catch (error) {
    // Not a Cc2ccError: the parser itself gave up (data nested too deeply overflows the stack).
    const reason = isCc2ccError(error)
      ? describeError(error)
      : `envelope could not be checked (${error instanceof Error ? error.name : 'error'}: ${describeError(error)})`;
    return { ok: false, missing: false, reason };
  }
  if (expectedId !== undefined && envelope.id !== expectedId) {
    return {
      ok: false,
      missing: false,
      reason: `file name says id ${expectedId} but the envelope inside has id ${envelope.id}`,
    };
  }
  return { ok: true, envelope };
}

// cc2cc writes UTF-8 only: a file that is not valid UTF-8 was not written by it, and
// decoding it loosely would hand the agent text with U+FFFD where the bytes were.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

type TextOutcome =
  | { missing: true }
  | { missing: false; reason: string }
  | { missing: false; reason?: undefined; content: string };

export interface ReadOptions {
  /** A folder listing just said this name is a regular file (d_type): skip the lstat. */
  knownRegular?: boolean;
  /**
   * Runs once the file is open, before the read: the receiver claims (renames) the file
   * then, since an open file is read through its handle wherever its name goes. The read
   * waits for it, and fails if it fails.
   */
  whileOpen?: () => Promise<void>;
}

/**
 * A small regular file's text, refusing links, FIFOs, folders and files over `maxBytes`.
 * Its steps are synchronous calls: on a file of at most `maxBytes` each takes microseconds,
 * less than a round trip through libuv's thread pool (a message read took five of those).
 */
export async function readRegularFile(path: string, maxBytes: number, options: ReadOptions = {}): Promise<TextOutcome> {
  // Look before opening: a device or FIFO is never even opened. The fstat below closes the race.
  if (!options.knownRegular) {
    try {
      const info = lstatSync(path);
      if (!info.isFile())
        return { missing: false, reason: `${describeFileType(info)}, not a regular file (never opened or followed)` };
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return { missing: true };
    }
  }
  let fd: number;
  try {
    fd = openSync(path, READ_SAFELY);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return { missing: true };
    // ELOOP on Linux and macOS, EMLINK on FreeBSD: the name is a symlink.
    if (code === 'ELOOP' || code === 'EMLINK') return { missing: false, reason: 'a symlink, never followed' };
    if (code === 'EISDIR') return { missing: false, reason: 'a folder, not a message file' };
    return { missing: false, reason: `unreadable (${describeError(error)})` };
  }
  const alongside = options.whileOpen?.();
  alongside?.catch(() => {}); // awaited below, after the read
  let outcome: TextOutcome;
  try {
    outcome = readOpenFile(fd, maxBytes);
  } finally {
    closeSync(fd);
  }
  if (alongside) await alongside;
  return outcome;
}

function readOpenFile(fd: number, maxBytes: number): TextOutcome {
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return { missing: false, reason: `${describeFileType(info)}, not a regular file` };
    if (info.size > maxBytes) return { missing: false, reason: tooLarge(info.size, maxBytes) };
    // Read at most one byte past the limit: the file may have grown since fstat. A short
    // read of a regular file is its end, so a file that did not change takes one read.
    // Unfilled: only the bytes read are ever decoded.
    const buffer = Buffer.allocUnsafe(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const wanted = buffer.length - length;
      const bytesRead = readSync(fd, buffer, length, wanted, length);
      length += bytesRead;
      if (bytesRead < wanted) break;
    }
    if (length > maxBytes) return { missing: false, reason: tooLarge(length, maxBytes) };
    return { missing: false, content: decodeUtf8(buffer.subarray(0, length)) };
  } catch (error) {
    if (error instanceof InvalidText) return { missing: false, reason: error.message };
    return { missing: false, reason: `unreadable (${describeError(error)})` };
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw new InvalidText('not valid UTF-8 (cc2cc writes UTF-8 only)');
  }
}

class InvalidText extends Error {}

function tooLarge(size: number, maxBytes: number): string {
  return `oversized: ${size} bytes, over the limit of ${maxBytes} bytes (maxBytes)`;
}
