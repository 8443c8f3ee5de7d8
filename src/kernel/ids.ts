import { randomFillSync } from 'node:crypto';
import { decodeTime, monotonicFactory, type PRNG } from 'ulid';

/**
 * The ulid package's default source asks the crypto library for one byte at a time, 16
 * times per id (each a call into OpenSSL, which checks getpid for a fork): about 50 µs a
 * message. The same bytes drawn from a pooled buffer cost next to nothing.
 */
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let used = POOL_SIZE;

const pooledRandom: PRNG = () => {
  if (used === POOL_SIZE) {
    randomFillSync(pool);
    used = 0;
  }
  return pool[used++]! / 256;
};

/** ULIDs: unique, sortable by creation time; monotonic within one process. */
const nextUlid = monotonicFactory(pooledRandom);

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function newId(now: number = Date.now()): string {
  return nextUlid(now);
}

export function isUlid(value: unknown): value is string {
  return typeof value === 'string' && ULID_PATTERN.test(value);
}

/** When a ULID was made (milliseconds since the epoch). */
export function ulidTime(id: string): number {
  return decodeTime(id);
}
