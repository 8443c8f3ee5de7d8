import { Cc2ccError } from './errors.js';

/** A JSON value as `JSON.parse` returns it. */
export type StateValue = string | number | boolean | null | StateValue[] | { [key: string]: StateValue };

/** One key as read: its value, the version it has now, and when it expires (if it does). */
export interface StateEntry {
  readonly key: string;
  readonly value: StateValue;
  /**
   * Opaque and unique per write: a key that is deleted and written again never gets an old
   * version back, so a compare-and-set cannot be fooled by a value that came back (ABA).
   */
  readonly version: string;
  /** Milliseconds since the epoch, for a key written with `ttlMs`. */
  readonly expiresAt?: number;
}

export interface StateSetOptions {
  /**
   * Compare-and-set: write only if the key's version is this one (the version the writer last
   * read); `null`: only if the key does not exist (create-if-absent). Left out: write anyway.
   */
  ifVersion?: string | null;
  /** The key disappears this many milliseconds after this write; left out, it stays until deleted. */
  ttlMs?: number;
}

/** `ok`: the write happened. Otherwise `current` is what the key holds now (undefined: absent). */
export type StateSetResult = { ok: true; entry: StateEntry } | { ok: false; current: StateEntry | undefined };

/**
 * A small shared key-value store for bus state that is not a message: room memberships,
 * topic subscriptions, the map from a client's session id to an agent name. Every agent of
 * a bus sees the same State (the folder transport keeps it in `.cc2cc/state/`, Redis under
 * `cc2cc:<ns>:state:`), and several processes may write it at once.
 *
 * Contract (checked for every implementation by `runStateContract`):
 * - Keys follow `STATE_KEY_RULE`; anything else throws BAD_INPUT before any I/O.
 * - Values are JSON (at most `MAX_STATE_VALUE_BYTES` serialized); `get` returns an equal value.
 * - `set` with `ifVersion` is atomic: of two writers that read the same version, one wins and
 *   the other gets `{ ok: false, current }`, even across processes and machines. No write is lost.
 * - A write is all or nothing: a reader, or a writer that crashed midway, leaves the old value
 *   or the new one, never a mix.
 * - A key written with `ttlMs` is gone for `get`, `list` and `ifVersion: null` once it expired.
 * - `list(prefix)` returns every live key that starts with `prefix`, sorted by key, as they all
 *   were at one moment: never a mix of before and after a write that ran during the call.
 * - A failed operation rejects with a `Cc2ccError` (IO_FAILED, TRANSPORT_UNAVAILABLE, TIMEOUT).
 */
export interface State {
  /** The key's value and version; undefined when it does not exist or expired. */
  get(key: string): Promise<StateEntry | undefined>;
  /** Every live key starting with `prefix` (`''`: all), sorted by key. */
  list(prefix: string): Promise<StateEntry[]>;
  /** Write `value`, conditionally when `ifVersion` is given (see `StateSetOptions`). */
  set(key: string, value: StateValue, options?: StateSetOptions): Promise<StateSetResult>;
  /** Remove the key (only if its version is `ifVersion`, when given). True when it was removed. */
  delete(key: string, options?: { ifVersion?: string }): Promise<boolean>;
}

export const STATE_KEY_RULE =
  'a state key is 1 to 8 segments joined by "/", each 1–64 characters of a-z, 0-9, ".", "_" and ' +
  '"-" that does not start with "." (at most 200 characters in all), e.g. "agent/brave-fox/rooms"';

const SEGMENT = /^[a-z0-9_-][a-z0-9._-]{0,63}$/;
const MAX_KEY_LENGTH = 200;
const MAX_SEGMENTS = 8;
/** A State holds bookkeeping, not payloads. */
export const MAX_STATE_VALUE_BYTES = 64 * 1024;

export function isStateKey(key: unknown): key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) return false;
  const segments = key.split('/');
  return segments.length <= MAX_SEGMENTS && segments.every((segment) => SEGMENT.test(segment));
}

export function assertStateKey(key: unknown): string {
  if (isStateKey(key)) return key;
  throw new Cc2ccError('BAD_INPUT', `invalid state key ${JSON.stringify(key)}: ${STATE_KEY_RULE}`, {
    key: String(key),
  });
}

/** A prefix is any start of a valid key: `''`, `agent/`, `agent/brave-fox/ro`. */
export function assertStatePrefix(prefix: unknown): string {
  if (prefix === '') return prefix;
  if (typeof prefix === 'string' && (isStateKey(prefix) || isStateKey(`${prefix}x`))) return prefix;
  throw new Cc2ccError(
    'BAD_INPUT',
    `invalid state prefix ${JSON.stringify(prefix)}: a prefix is the start of a key, and ${STATE_KEY_RULE}`,
    {
      prefix: String(prefix),
    },
  );
}

/** The value's JSON text (as `JSON.stringify` writes it), within the size cap. */
export function encodeStateValue(key: string, value: StateValue): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new Cc2ccError('BAD_INPUT', `the value of state key "${key}" is not JSON: ${(error as Error).message}`, {
      key,
    });
  }
  if (text === undefined)
    throw new Cc2ccError('BAD_INPUT', `the value of state key "${key}" is not JSON (undefined or a function)`, { key });
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_STATE_VALUE_BYTES) {
    throw new Cc2ccError(
      'BAD_INPUT',
      `the value of state key "${key}" is ${bytes} bytes; a state value may be at most ${MAX_STATE_VALUE_BYTES}`,
      { key, bytes },
    );
  }
  return text;
}

/** A positive whole number of milliseconds, or undefined. */
export function checkTtl(ttlMs: number | undefined): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new Cc2ccError('BAD_INPUT', `ttlMs must be a positive whole number of milliseconds, got ${ttlMs}`, { ttlMs });
  }
  return ttlMs;
}
