import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { assertTopic, assertTopicPattern, topicMatches } from '../../src/kernel/patterns.js';
import {
  check,
  expectTypedError,
  expectUnpolluted,
  fuzzOptions,
  POLLUTING_KEYS,
  prototypes,
  recordFuzz,
  RUNS,
} from './support/fuzz.js';

/**
 * Topics and topic patterns (`ci.*`, `ci.>`): the checks accept exactly what a plain
 * restatement of the rule accepts, and the matcher agrees with a regular-expression
 * model of NATS-style matching on every pair, including unchecked input.
 */
const SEGMENT = /^[a-z0-9_-]+$/;
const passed: Array<{ target: string; cases: number }> = [];
let pristine = '';

const topicRule = (value: unknown) =>
  typeof value === 'string' && value.length <= 128 && value.split('.').every((segment) => SEGMENT.test(segment));
const patternRule = (value: unknown) =>
  typeof value === 'string' &&
  value.length <= 128 &&
  value
    .split('.')
    .every(
      (segment, index, all) =>
        SEGMENT.test(segment) || segment === '*' || (segment === '>' && index === all.length - 1),
    );

/** The model, for checked input: `*` is one segment, a final `>` one or more, anything else itself. */
function modelMatches(pattern: string, topic: string): boolean {
  const segments = pattern.split('.');
  const tail = segments.at(-1) === '>';
  const parts = (tail ? segments.slice(0, -1) : segments).map((segment) =>
    segment === '*' ? '[^.]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  const source = tail ? `^${parts.map((part) => `${part}\\.`).join('')}.+$` : `^${parts.join('\\.')}$`;
  return new RegExp(source).test(topic);
}

const segmentArb = fc.constantFrom('ci', 'build', 'linux', 'a', 'b', 'x-1', 'y_2', '0');
const topicArb = fc.array(segmentArb, { minLength: 1, maxLength: 5 }).map((segments) => segments.join('.'));
const patternArb = fc
  .tuple(
    fc.array(fc.oneof({ arbitrary: segmentArb, weight: 3 }, { arbitrary: fc.constant('*'), weight: 1 }), {
      minLength: 1,
      maxLength: 5,
    }),
    fc.boolean(),
  )
  .map(([segments, tail]) => (tail ? [...segments.slice(0, -1), '>'] : segments).join('.'));
const junkArb = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'ab.*>-_ A/\0'), maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer({ min: 100, max: 50_000 }).map((length) => 'a.'.repeat(length).slice(0, length)),
  fc.constantFrom('', '.', '..', 'a..b', '>.a', 'a.>.b', '*.*', '>', '*', 'a.>', ...POLLUTING_KEYS),
  fc.jsonValue({ maxDepth: 1 }),
);

describe('fuzz: topics and topic patterns', () => {
  beforeAll(() => {
    pristine = prototypes();
  });
  afterAll(async () => {
    if (passed.length === 3) {
      await recordFuzz(
        'fuzz-patterns',
        62,
        'Fuzz: topic patterns',
        [
          'assertTopic and assertTopicPattern get well-formed and broken topics and patterns ' +
            '(empty segments, `>` in the middle, upper case, NUL, 50,000-character strings, any ' +
            'JSON value) and accept exactly what the rule accepts, or refuse with INVALID_ADDRESS.',
          'topicMatches agrees with a regular-expression model of NATS-style matching (`*` one ' +
            'segment, a final `>` one or more) on every pair of checked patterns and topics, and ' +
            'returns a boolean, never a throw, on unchecked input.',
        ],
        passed,
        'test/reliability/fuzz-patterns.test.ts',
      );
    }
  });

  it('assertTopic and assertTopicPattern accept exactly the rule', () => {
    fc.assert(
      fc.property(fc.oneof(topicArb, patternArb, junkArb), (value) => {
        for (const [assert, rule] of [
          [assertTopic, topicRule],
          [assertTopicPattern, patternRule],
        ] as const) {
          let accepted = false;
          try {
            check(assert(value) === value, 'the value came back changed');
            accepted = true;
          } catch (error) {
            if (error instanceof Error && error.message === 'the value came back changed') throw error;
            expectTypedError(error, ['INVALID_ADDRESS']);
          }
          check(accepted === rule(value), () => `${assert.name}(${JSON.stringify(value)}) accepted=${accepted}`);
        }
        expectUnpolluted(pristine);
      }),
      fuzzOptions(21),
    );
    passed.push({ target: 'assertTopic, assertTopicPattern', cases: RUNS });
  });

  it('topicMatches agrees with the model on checked patterns and topics', () => {
    fc.assert(
      fc.property(patternArb, fc.oneof(topicArb, patternArb.filter(topicRule)), (pattern, topic) => {
        check(
          topicMatches(pattern, topic) === modelMatches(pattern, topic),
          () => `${pattern} vs ${topic}: ${topicMatches(pattern, topic)}`,
        );
        if (pattern === topic) check(topicMatches(pattern, topic), 'a topic does not match itself');
      }),
      fuzzOptions(22),
    );
    passed.push({ target: 'topicMatches vs model', cases: RUNS });
  });

  it('topicMatches answers a boolean on unchecked input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          patternArb,
          junkArb.filter((value) => typeof value === 'string'),
        ),
        fc.oneof(
          topicArb,
          junkArb.filter((value) => typeof value === 'string'),
        ),
        (pattern, topic) => {
          check(typeof topicMatches(pattern as string, topic as string) === 'boolean', 'not a boolean');
        },
      ),
      fuzzOptions(23),
    );
    passed.push({ target: 'topicMatches, unchecked input', cases: RUNS });
  });
});
