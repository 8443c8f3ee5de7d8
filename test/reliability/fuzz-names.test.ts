import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { AGENT_NAME_RULE, assertAgentName, formatAddress, parseAddress, type Address } from '../../src/kernel/names.js';
import { FsLayout, type InboxPaths } from '../../src/transports/fs/layout.js';
import { messageFileName, messageId } from '../../src/transports/fs/message-file.js';
import {
  check,
  expectTypedError,
  expectUnpolluted,
  fuzzOptions,
  nameArb,
  POLLUTING_KEYS,
  prototypes,
  recordFuzz,
  RUNS,
  ulidArb,
} from './support/fuzz.js';

/**
 * The name rule, the address parser and the folder layout, fed names that are almost right,
 * path tricks (`..`, `/`, `\`, NUL, dots, upper case), huge and random strings and any JSON
 * value. Each input is accepted exactly when a plain restatement of the rule says so, or
 * refused with a typed error that names the rule; no accepted name or file name makes a
 * path outside the root.
 */
const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SCHEME = /^([a-z][a-z0-9-]{0,31}):([A-Za-z0-9._*>-]{1,200})$/;
const ROOT = join(sep, 'srv', 'project', '.cc2cc');
const passed: Array<{ target: string; cases: number }> = [];
let pristine = '';

const isName = (value: unknown): value is string => typeof value === 'string' && value.length <= 32 && NAME.test(value);

/** Names with one thing wrong, path tricks, and plain random strings. */
const nameLikeArb = fc.oneof(
  nameArb,
  fc
    .tuple(
      nameArb,
      fc.nat(),
      fc.constantFrom('/', '\\', '..', '.', '\0', ' ', '-', '--', 'A', 'é', '\u202e', '%2e', ':', '*', '\n', '~'),
    )
    .map(
      ([name, at, trick]) => `${name.slice(0, at % (name.length + 1))}${trick}${name.slice(at % (name.length + 1))}`,
    ),
  fc.constantFrom(
    '..',
    '.',
    '',
    '../x',
    'a/../../etc',
    'x\0y',
    'CON',
    'nul',
    '-a',
    'a-',
    'a--b',
    'a'.repeat(32),
    'a'.repeat(33),
    ...POLLUTING_KEYS,
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...'abz09-./\\'), maxLength: 40 }),
  fc.integer({ min: 33, max: 200_000 }).map((length) => 'a'.repeat(length)),
);

describe('fuzz: names, addresses and the paths they become', () => {
  beforeAll(() => {
    pristine = prototypes();
  });
  afterAll(async () => {
    if (passed.length === 4) {
      await recordFuzz(
        'fuzz-names',
        61,
        'Fuzz: names, addresses, paths',
        [
          'assertAgentName and parseAddress get names with one thing wrong, path tricks (`..`, ' +
            '`/`, `\\`, NUL, dots, upper case, right-to-left marks), `__proto__`/`constructor`, ' +
            'strings up to 200,000 characters and any JSON value.',
          'Each input is accepted exactly when a plain restatement of the rule accepts it (and an ' +
            'address prints back as it was written), or refused with INVALID_NAME / INVALID_ADDRESS naming the rule.',
          'Every accepted agent name and every accepted message file name becomes a path inside ' +
            'the root (and inside its folder), never outside; a refused one never becomes a path.',
        ],
        passed,
        'test/reliability/fuzz-names.test.ts',
      );
    }
  });

  it('assertAgentName accepts exactly the rule, and refuses with INVALID_NAME naming it', () => {
    fc.assert(
      fc.property(
        fc.oneof({ arbitrary: nameLikeArb, weight: 5 }, { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 }),
        (value) => {
          let accepted: string | undefined;
          try {
            accepted = assertAgentName(value);
          } catch (error) {
            expectTypedError(error, ['INVALID_NAME']);
            check((error as Error).message.includes(AGENT_NAME_RULE), 'the error does not state the rule');
          }
          check(
            (accepted !== undefined) === isName(value),
            () => `${JSON.stringify(value)}: accepted=${accepted !== undefined}`,
          );
          if (accepted !== undefined) check(accepted === value, 'the name came back changed');
          expectUnpolluted(pristine);
        },
      ),
      fuzzOptions(11),
    );
    passed.push({ target: 'assertAgentName', cases: RUNS });
  });

  it('the folder layout: an accepted name is a path inside the root, a refused one is no path at all', () => {
    const layout = new FsLayout(ROOT);
    const inside = (path: string, folder: string) => {
      const rel = relative(folder, path);
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && normalize(path) === path;
    };
    fc.assert(
      fc.property(nameLikeArb, (name) => {
        let paths: InboxPaths;
        try {
          paths = layout.inbox(name);
        } catch (error) {
          expectTypedError(error, ['INVALID_NAME']);
          check(!isName(name), `a valid name was refused: ${name}`);
          return;
        }
        check(isName(name), () => `an invalid name became a path: ${JSON.stringify(name)}`);
        check(
          paths.dir === join(ROOT, `to-${name}`) && relative(ROOT, paths.dir) === `to-${name}`,
          `inbox of ${name} is ${paths.dir}`,
        );
        for (const path of [
          paths.dir,
          paths.lock,
          paths.tmp,
          paths.inbox,
          paths.cur,
          paths.done,
          paths.dead,
          layout.presenceFile(name),
        ]) {
          check(inside(path, ROOT), `${path} is not inside ${ROOT}`);
        }
        check(inside(layout.presenceFile(name), layout.agentsDir), 'the presence file is not in agents/');
      }),
      fuzzOptions(12),
    );
    passed.push({ target: 'fs layout paths', cases: RUNS });
  });

  it('message file names: only <ULID>.json becomes an id, and an id a file in its folder', () => {
    const folder = join(ROOT, 'to-calm-owl', 'inbox');
    fc.assert(
      fc.property(
        fc.oneof(
          ulidArb.map((id) => `${id}.json`),
          fc.tuple(ulidArb, fc.string({ maxLength: 6 })).map(([id, junk]) => `${id}${junk}.json`),
          fc
            .tuple(ulidArb, fc.constantFrom('/', '..', '\0', '.json.json', '.JSON', ' '))
            .map(([id, trick]) => `${id}${trick}`),
          ulidArb.map((id) => `${id.toLowerCase()}.json`),
          fc.string({ unit: 'binary', maxLength: 40 }),
        ),
        (fileName) => {
          const id = messageId(fileName);
          const valid = /^[0-9A-HJKMNP-TV-Z]{26}\.json$/.test(fileName);
          check((id !== undefined) === valid, `${JSON.stringify(fileName)} gave id ${id}`);
          if (id === undefined) return;
          const path = join(folder, messageFileName(id));
          check(relative(folder, path) === fileName, `${path} is not ${fileName} in ${folder}`);
        },
      ),
      fuzzOptions(13),
    );
    passed.push({ target: 'message file names', cases: RUNS });
  });

  it('parseAddress accepts exactly name, "*" or scheme:target, and prints back as written', () => {
    const addressArb = fc.oneof(
      nameLikeArb,
      fc
        .tuple(fc.stringMatching(/^[a-zA-Z][a-z0-9-]{0,33}$/), fc.constantFrom(':', '::', ': '), nameLikeArb)
        .map(([scheme, colon, rest]) => `${scheme}${colon}${rest}`),
      fc.constantFrom(
        '*',
        '**',
        '*:x',
        'room:',
        ':x',
        'room:backend',
        'topic:ci.build',
        'topic:ci.>',
        'http://x',
        'C:\\x',
        'a'.repeat(256),
        'a'.repeat(257),
      ),
      fc.jsonValue({ maxDepth: 1 }),
    );
    fc.assert(
      fc.property(addressArb, (value) => {
        let address: Address | undefined;
        try {
          address = parseAddress(value);
        } catch (error) {
          expectTypedError(error, ['INVALID_ADDRESS']);
        }
        const ok =
          typeof value === 'string' &&
          value.length > 0 &&
          value.length <= 256 &&
          (value === '*' || SCHEME.test(value) || isName(value));
        check(
          (address !== undefined) === ok,
          () => `${JSON.stringify(value)}: accepted=${address !== undefined}, rule says ${ok}`,
        );
        if (address)
          check(
            formatAddress(address) === value,
            () => `${JSON.stringify(value)} prints back as ${formatAddress(address!)}`,
          );
        if (address?.kind === 'agent') check(isName(address.name), 'an agent address with a bad name');
        expectUnpolluted(pristine);
      }),
      fuzzOptions(14),
    );
    passed.push({ target: 'parseAddress', cases: RUNS });
  });
});

describe('kernel edge cases that once escaped as untyped errors', () => {
  // A BigInt or an object without a prototype passed from code breaks JSON.stringify and
  // String(); names.ts quotes such values safely, so they get the typed error too.
  const typedErrorFor = (run: () => unknown, code: 'INVALID_NAME' | 'INVALID_ADDRESS') => {
    let caught: unknown;
    try {
      run();
    } catch (error) {
      caught = error;
    }
    expectTypedError(caught, [code]);
  };
  it('assertAgentName(10n) gives INVALID_NAME', () => typedErrorFor(() => assertAgentName(10n), 'INVALID_NAME'));
  it('assertAgentName(Object.create(null)) gives INVALID_NAME', () =>
    typedErrorFor(() => assertAgentName(Object.create(null)), 'INVALID_NAME'));
  it('parseAddress(10n) gives INVALID_ADDRESS', () => typedErrorFor(() => parseAddress(10n), 'INVALID_ADDRESS'));
});
