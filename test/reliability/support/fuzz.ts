import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { isCc2ccError, type ErrorCode } from '../../../src/kernel/errors.js';
import { MESSAGE_KINDS } from '../../../src/kernel/envelope.js';
import { recordFigures } from './report.js';
import { seedFrom } from './seed.js';

/**
 * Fuzzing with fast-check: a fixed seed (printed; CC2CC_FUZZ_SEED replays another) and at
 * least 10,000 cases per target (CC2CC_FUZZ_RUNS asks for more). On a failure fast-check
 * prints the seed and the path of the smallest failing case; set CC2CC_FUZZ_SEED to it.
 */
export const FUZZ_SEED = seedFrom('CC2CC_FUZZ_SEED', 5_150_2026);
export const RUNS = Math.max(10_000, Number(process.env.CC2CC_FUZZ_RUNS ?? 0) || 0);

export function fuzzOptions(offset = 0, numRuns = RUNS): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED.seed + offset, numRuns };
}

// The checks below run once per case, tens of thousands of times: plain comparisons that
// throw (fast-check then shrinks and reports), not vitest's expect, which costs more per call.

/**
 * A scratch folder for fuzz cases that are files: on a RAM-backed tmpfs when the machine has
 * one (/dev/shm), since what is tested is how the bytes are parsed, not the disk (creating a
 * file on a busy CI disk can take a millisecond); in the system temp folder otherwise.
 */
export async function fuzzScratch(prefix: string): Promise<string> {
  for (const base of ['/dev/shm', tmpdir()]) {
    try {
      if (base === '/dev/shm' && process.platform !== 'linux') continue;
      return await mkdtemp(join(base, prefix));
    } catch {
      // not there, or not writable: try the next
    }
  }
  return mkdtemp(join(tmpdir(), prefix));
}

/** Each input gets a valid result or a Cc2ccError with one of these codes, and a message. */
export function expectTypedError(error: unknown, codes: readonly ErrorCode[]): void {
  if (!isCc2ccError(error)) throw new Error(`not a Cc2ccError: ${String(error)}`, { cause: error });
  if (!codes.includes(error.code))
    throw new Error(`code ${error.code}, expected one of ${codes.join(', ')}: ${error.message}`);
  if (error.message.length === 0) throw new Error(`${error.code} without a message`);
}

/** `condition` must hold; `what` says what failed. */
export function check(condition: boolean, what: string | (() => string)): void {
  if (!condition) throw new Error(typeof what === 'string' ? what : what());
}

/** The built-in prototypes as they are now; compare after the run to see nothing was polluted. */
export function prototypes(): string {
  const names = (value: object) => Object.getOwnPropertyNames(value).sort().join(',');
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map(names).join('|');
}

export function expectUnpolluted(before: string): void {
  const probe = {} as Record<string, unknown>;
  const clean =
    probe.polluted === undefined && probe.isAdmin === undefined && Object.getPrototypeOf(probe) === Object.prototype;
  if (!clean || prototypes() !== before) {
    expect(prototypes()).toBe(before);
    throw new Error('a built-in prototype was changed');
  }
}

/** Keys that pollute prototypes when code copies them with plain assignment. */
export const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** A JSON object text with `key` as an own key, even "__proto__" (an object literal would set the prototype). */
export function withKey(object: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...object };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const ULID_CHAR = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ulidArb = fc.string({ unit: fc.constantFrom(...ULID_CHAR), minLength: 26, maxLength: 26 });
export const nameArb = fc
  .array(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 1, maxLength: 6 }), {
    minLength: 1,
    maxLength: 4,
  })
  .map((words) => words.join('-').slice(0, 32).replace(/-+$/, ''))
  .filter((name) => name.length > 0);
const isoArb = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());
const metaKeyArb = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,10}$/);

/** A valid v1 envelope as a plain object (what JSON.parse of a good file gives). */
export const envelopeObjectArb = fc.record(
  {
    v: fc.constant(1),
    id: ulidArb,
    ts: isoArb,
    from: nameArb,
    to: fc.oneof(
      nameArb,
      fc.constant('*'),
      nameArb.map((name) => `room:${name}`),
      nameArb.map((name) => `topic:${name.replaceAll('-', '.')}`),
    ),
    text: fc.string({ maxLength: 200 }),
    kind: fc.constantFrom(...MESSAGE_KINDS),
    data: fc.jsonValue({ maxDepth: 4 }),
    correlationId: ulidArb,
    replyTo: nameArb,
    expiresAt: isoArb,
    meta: fc.dictionary(metaKeyArb, fc.string({ maxLength: 20 }), { maxKeys: 4 }),
    sig: fc.string({ maxLength: 64 }),
  },
  { requiredKeys: ['v', 'id', 'ts', 'from', 'to', 'text', 'kind'] },
);

/** Record the fuzz figures of one file once all its targets passed. */
export async function recordFuzz(
  scenario: string,
  order: number,
  title: string,
  proves: string[],
  targets: Array<{ target: string; cases: number }>,
  file: string,
): Promise<void> {
  const cases = targets.reduce((sum, target) => sum + target.cases, 0);
  await recordFigures(
    {
      scenario,
      order,
      title,
      proves,
      table: {
        columns: ['target', 'cases', 'crashes', 'untyped errors', 'prototype pollution'],
        rows: targets.map(({ target, cases: count }) => [target, count, 0, 0, 0]),
      },
      summary: { runs: `${cases.toLocaleString('en-US')} cases` },
      command: `npm run build && npx vitest run ${file}`,
      seed: `${FUZZ_SEED.variable}=${FUZZ_SEED.seed}`,
    },
    { replay: FUZZ_SEED.replay || RUNS !== 10_000 },
  );
}
