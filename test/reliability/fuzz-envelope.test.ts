import { rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  decodeEnvelope,
  encodeEnvelope,
  EnvelopeSchema,
  validateEnvelope,
  type Envelope,
} from '../../src/kernel/envelope.js';
import { readMessageFile } from '../../src/transports/fs/message-file.js';
import {
  check,
  envelopeObjectArb,
  expectTypedError,
  expectUnpolluted,
  fuzzOptions,
  fuzzScratch,
  POLLUTING_KEYS,
  prototypes,
  recordFuzz,
  RUNS,
  withKey,
} from './support/fuzz.js';

/**
 * The envelope parser (decodeEnvelope, validateEnvelope) and the folder transport's file
 * reader, fed random text, mutated envelopes, huge strings, deep JSON, prototype-pollution
 * keys, random bytes and invalid UTF-8. Each input gets a valid envelope or a typed error;
 * nothing else escapes, and no built-in prototype changes.
 */
const ENVELOPE_CODES = ['INVALID_ENVELOPE', 'UNSUPPORTED_VERSION'] as const;
/** Cases for the file reader: each one is a real file written, read and removed. */
const FILE_RUNS = 3_000;
/** zod checks `data` recursively: past ~1,000 levels it overflows the stack (see the known issue below). */
const SAFE_DEPTH = 500;
const passed: Array<{ target: string; cases: number }> = [];
let pristine = '';

/** decodeEnvelope's contract: a valid envelope (that survives a round trip) or a typed error. */
function checkDecode(text: string): void {
  let envelope: Envelope;
  try {
    envelope = decodeEnvelope(text);
  } catch (error) {
    expectTypedError(error, ENVELOPE_CODES);
    return;
  }
  check(EnvelopeSchema.safeParse(envelope).success, 'a decoded envelope fails the schema');
  check(
    encodeEnvelope(decodeEnvelope(encodeEnvelope(envelope))) === encodeEnvelope(envelope),
    'a decoded envelope does not survive a round trip',
  );
}

/** Mutations of a valid envelope object: a field gone, a field of the wrong kind, a stray key. */
const mutatedArb = fc
  .tuple(envelopeObjectArb, fc.nat(), fc.jsonValue({ maxDepth: 3 }), fc.string())
  .chain(([envelope, pick, value, stray]) => {
    const keys = Object.keys(envelope);
    const key = keys[pick % keys.length]!;
    return fc.constantFrom(
      () => envelope,
      () => Object.fromEntries(Object.entries(envelope).filter(([name]) => name !== key)),
      () => ({ ...envelope, [key]: value }),
      () => withKey(envelope, POLLUTING_KEYS[pick % POLLUTING_KEYS.length]!, value),
      () => ({ ...envelope, meta: withKey(envelope.meta ?? {}, POLLUTING_KEYS[pick % POLLUTING_KEYS.length]!, 'x') }),
      () => ({
        ...envelope,
        data: withKey({}, POLLUTING_KEYS[pick % POLLUTING_KEYS.length]!, { polluted: true, isAdmin: true }),
      }),
      () => withKey(envelope, stray, value),
      () => ({ ...envelope, v: value }),
    );
  });

/** Text-level damage: cut short, a byte changed, something spliced in. */
const damagedTextArb = fc
  .tuple(envelopeObjectArb, fc.nat(), fc.string({ unit: 'binary', maxLength: 8 }))
  .chain(([envelope, at, splice]) => {
    const text = JSON.stringify(envelope);
    const cut = at % (text.length + 1);
    return fc.constantFrom(
      text.slice(0, cut),
      `${text.slice(0, cut)}${splice}${text.slice(cut)}`,
      `${text.slice(0, cut)}${splice}${text.slice(cut + 1)}`,
      `\uFEFF${text}`,
    );
  });

const deepArb = fc
  .tuple(envelopeObjectArb, fc.integer({ min: 1, max: SAFE_DEPTH }), fc.boolean())
  .map(([envelope, depth, arrays]) => {
    const data = arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    return `${JSON.stringify({ ...envelope, data: 0 }).replace('"data":0', `"data":${data}`)}`;
  });

const hugeArb = fc
  .tuple(
    envelopeObjectArb,
    fc.integer({ min: 10_000, max: 300_000 }),
    fc.constantFrom('text', 'from', 'id', 'to', 'sig'),
  )
  .map(([envelope, size, field]) => JSON.stringify({ ...envelope, [field]: 'x'.repeat(size) }));

const randomTextArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: fc.constantFrom(...'{}[]":,0123456789.eE+-truefalsnl \\u'), maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.constantFrom(
    '',
    'null',
    '[]',
    '{}',
    '"\uD800"',
    '{"v":1}',
    '{"v":"1"}',
    '{"v":2}',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
  ),
);

describe('fuzz: the envelope parser', () => {
  let dir = '';
  beforeAll(async () => {
    pristine = prototypes();
    dir = await fuzzScratch('cc2cc-fuzz-');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    if (passed.length === 5) {
      await recordFuzz(
        'fuzz-envelope',
        60,
        'Fuzz: envelopes and message files',
        [
          'decodeEnvelope and validateEnvelope get valid envelopes, mutated ones (a field gone or ' +
            'of the wrong type, `__proto__`/`constructor`/`prototype` keys at the top, in `meta` ' +
            'and in `data`, another `v`), cut and spliced JSON, random text and bytes, huge ' +
            'strings (to 300 KB, past maxBytes) and deep JSON (to 500 levels).',
          'Every input gets a valid envelope (which survives an encode/decode round trip) or a ' +
            'Cc2ccError INVALID_ENVELOPE / UNSUPPORTED_VERSION; the built-in prototypes never change.',
          'The folder transport reads random byte files (invalid UTF-8 among them) as a valid ' +
            'envelope or a reason, never a throw; invalid UTF-8 is refused, not decoded with U+FFFD.',
        ],
        passed,
        'test/reliability/fuzz-envelope.test.ts',
      );
    }
  });

  it('decodeEnvelope: valid, mutated and damaged envelopes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          envelopeObjectArb.map((envelope) => JSON.stringify(envelope)),
          mutatedArb.map((make) => JSON.stringify(make())),
          damagedTextArb,
        ),
        (text) => {
          checkDecode(text);
          expectUnpolluted(pristine);
        },
      ),
      fuzzOptions(1),
    );
    passed.push({ target: 'decodeEnvelope: valid, mutated, cut, spliced', cases: RUNS });
  });

  it('decodeEnvelope: random text and bytes, huge strings, deep JSON', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          { arbitrary: randomTextArb, weight: 16 },
          { arbitrary: deepArb, weight: 2 },
          { arbitrary: hugeArb, weight: 1 },
        ),
        (text) => {
          checkDecode(text);
          expectUnpolluted(pristine);
        },
      ),
      fuzzOptions(2),
    );
    passed.push({ target: 'decodeEnvelope: random text, bytes, huge, deep', cases: RUNS });
  });

  it('validateEnvelope: any value a program could pass', () => {
    const anything = fc.anything({
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withSparseArray: true,
      withTypedArray: true,
      withDate: true,
      withNullPrototype: true,
      withObjectString: true,
    });
    fc.assert(
      fc.property(
        fc.oneof(
          anything,
          mutatedArb.map((make) => make()),
          fc.tuple(envelopeObjectArb, anything).map(([envelope, v]) => ({ ...envelope, v })),
        ),
        (value) => {
          let envelope: Envelope | undefined;
          try {
            envelope = validateEnvelope(value);
          } catch (error) {
            expectTypedError(error, ENVELOPE_CODES);
          }
          if (envelope) check(EnvelopeSchema.safeParse(envelope).success, 'a validated envelope fails the schema');
          expectUnpolluted(pristine);
        },
      ),
      fuzzOptions(3),
    );
    passed.push({ target: 'validateEnvelope: any value', cases: RUNS });
  });

  it('the fs reader: random bytes and invalid UTF-8 in a message file give an envelope or a reason', async () => {
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      // A valid envelope with some bytes changed: often invalid UTF-8, sometimes still JSON.
      fc
        .tuple(
          envelopeObjectArb,
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0x80, max: 0xff })), { minLength: 1, maxLength: 4 }),
        )
        .map(([envelope, flips]) => {
          const bytes = Buffer.from(JSON.stringify(envelope));
          for (const [at, value] of flips) bytes[at % bytes.length] = value;
          return new Uint8Array(bytes);
        }),
      envelopeObjectArb.map((envelope) => new Uint8Array(Buffer.from(JSON.stringify(envelope)))),
    );
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let serial = 0;
    await fc.assert(
      fc.asyncProperty(bytesArb, async (bytes) => {
        // A new file each time: rewriting one file in place makes ext4 flush it on close.
        const path = join(dir, `${serial++}.json`);
        await writeFile(path, bytes);
        const read = await readMessageFile(path, 4096);
        await unlink(path);
        let validUtf8 = true;
        try {
          strict.decode(bytes);
        } catch {
          validUtf8 = false;
        }
        if (read.ok) {
          check(validUtf8, 'invalid UTF-8 was read as an envelope');
          check(EnvelopeSchema.safeParse(read.envelope).success, 'a read envelope fails the schema');
        } else {
          check(!read.missing, 'an existing file was reported missing');
          if (!read.missing)
            check(
              validUtf8 ? read.reason.length > 0 : /not valid UTF-8/.test(read.reason),
              () => `reason: ${read.reason}`,
            );
        }
        expectUnpolluted(pristine);
      }),
      fuzzOptions(4, FILE_RUNS),
    );
    passed.push({ target: 'fs reader: random bytes, invalid UTF-8', cases: FILE_RUNS });
  });

  it('decodeEnvelope: ids and timestamps only in their exact formats', () => {
    const base = {
      v: 1,
      id: '01J00000000000000000000000',
      ts: '2026-11-25T08:00:00.000Z',
      from: 'brave-fox',
      to: 'calm-owl',
      text: 'hi',
      kind: 'message',
    };
    const valueArb = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHJKMNPQRSTVWXYZILOU'), minLength: 24, maxLength: 28 }),
      fc
        .date({ noInvalidDate: false })
        .map((date) => (Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString())),
      fc
        .tuple(fc.date({ noInvalidDate: true }), fc.string({ maxLength: 3 }))
        .map(([date, junk]) => `${date.toISOString().slice(0, 19)}${junk}`),
    );
    fc.assert(
      fc.property(valueArb, fc.constantFrom('id', 'ts', 'correlationId', 'expiresAt'), (value, field) => {
        const text = JSON.stringify({ ...base, [field]: value });
        let decoded: Envelope | undefined;
        try {
          decoded = decodeEnvelope(text);
        } catch (error) {
          expectTypedError(error, ENVELOPE_CODES);
        }
        if (decoded && (field === 'id' || field === 'correlationId'))
          check(/^[0-9A-HJKMNP-TV-Z]{26}$/.test(value), `accepted id ${value}`);
        if (decoded && (field === 'ts' || field === 'expiresAt'))
          check(!Number.isNaN(Date.parse(value)), `accepted time ${value}`);
      }),
      fuzzOptions(5),
    );
    passed.push({ target: 'decodeEnvelope: id and time formats', cases: RUNS });
  });
});

describe('kernel edge cases that once escaped as untyped errors', () => {
  // zod's z.json() checks `data` recursively and overflows the stack past ~1,000 levels; a
  // 256 KiB file can nest 100,000 deep. decodeEnvelope maps that RangeError to INVALID_ENVELOPE.
  it('decodeEnvelope gives a typed error for data nested 100,000 deep', () => {
    const depth = 100_000;
    const text = JSON.stringify({
      v: 1,
      id: '01J00000000000000000000000',
      ts: new Date().toISOString(),
      from: 'brave-fox',
      to: 'calm-owl',
      text: '',
      kind: 'message',
      data: 0,
    }).replace('"data":0', `"data":${'['.repeat(depth)}${']'.repeat(depth)}`);
    let caught: unknown;
    try {
      decodeEnvelope(text);
    } catch (error) {
      caught = error;
    }
    expectTypedError(caught, ENVELOPE_CODES);
  });
});
