import { mkdir, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig, type LoadedConfig } from '../../src/config/load.js';
import {
  check,
  expectTypedError,
  expectUnpolluted,
  fuzzOptions,
  fuzzScratch,
  nameArb,
  POLLUTING_KEYS,
  prototypes,
  recordFuzz,
  RUNS,
  withKey,
} from './support/fuzz.js';

/**
 * Config loading: resolveConfig on any value, and loadConfig on random files in every data
 * format cosmiconfig reads (JSON, YAML, package.json), with prototype-pollution keys, YAML
 * anchors and aliases, invalid UTF-8, and a file rewritten while it is being loaded.
 * Each gets a checked config or a typed error; nothing else escapes, no prototype changes.
 * (JavaScript and TypeScript configs run code by design: they are not fuzzed.)
 */
const CONFIG_CODES = ['INVALID_CONFIG', 'CONFIG_LOAD_FAILED'] as const;
/**
 * Files written and loaded: resolveConfig above is the 10,000-case target for what a config
 * holds; these add the parsers of each file format on top, each case a real file.
 */
const FILE_RUNS = 3_000;
/** Loads (each a search, as `cc2cc` does) while another task rewrites the file. */
const CHANGING_LOADS = 1000;
const passed: Array<{ target: string; cases: number }> = [];
let pristine = '';

/** A checked config is whole: every field filled in, the root an absolute path. */
function checkConfig(config: LoadedConfig): void {
  check(isAbsolute(config.rootDir), `rootDir ${config.rootDir} is not absolute`);
  check(
    Array.isArray(config.plugins) && Array.isArray(config.agents) && Array.isArray(config.routes),
    'a list field is missing',
  );
  check(['push', 'pull', 'auto'].includes(config.delivery), `delivery ${config.delivery}`);
  check(Number.isInteger(config.maxBytes) && config.maxBytes >= 1024, `maxBytes ${config.maxBytes}`);
}

const fieldValueArb = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  nameArb,
  fc.array(nameArb, { maxLength: 3 }),
  fc.integer(),
  fc.constantFrom('push', 'pull', 'auto', 'fs', 'memory', 'rooms'),
);
const FIELDS = [
  'root',
  'name',
  'agents',
  'allowUnknownRecipients',
  'delivery',
  'maxBytes',
  'maxAttempts',
  'retryDelayMs',
  'heartbeatMs',
  'staleAfterMs',
  'rescanMs',
  'retention',
  'transport',
  'plugins',
  'routes',
  'logLevel',
];

/** Config-shaped objects: known fields with good or bad values, stray and polluting keys. */
const configArb = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...FIELDS), fieldValueArb, { maxKeys: 6 }),
    fc.option(fc.tuple(fc.constantFrom(...POLLUTING_KEYS, 'default', 'extra'), fieldValueArb)),
  )
  .map(([fields, stray]) => (stray ? withKey(fields, stray[0], stray[1]) : fields));
const validConfigArb = fc.record(
  {
    agents: fc.array(nameArb, { maxLength: 4 }),
    delivery: fc.constantFrom('push', 'pull', 'auto'),
    maxAttempts: fc.integer({ min: 1, max: 10 }),
    plugins: fc.constantFrom([], ['rooms'], [['rooms', { members: { all: ['calm-owl'] } }]], ['topics', 'filters']),
    routes: fc.constantFrom([], [{ match: { topic: 'ci.*' }, also: ['room:reviewers'] }]),
  },
  { requiredKeys: [] },
);

describe('fuzz: config loading', () => {
  let dir = '';
  beforeAll(async () => {
    pristine = prototypes();
    dir = await fuzzScratch('cc2cc-fuzz-config-');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    if (passed.length === 3) {
      await recordFuzz(
        'fuzz-config',
        63,
        'Fuzz: config loading',
        [
          'resolveConfig gets any value: config-shaped objects with good and bad field values, ' +
            'stray keys, `__proto__`/`constructor`/`prototype`, and overrides; loadConfig gets ' +
            'random files as .cc2ccrc.json, .cc2ccrc (YAML), .cc2ccrc.yaml and package.json, with ' +
            'anchors and aliases, random bytes and invalid UTF-8.',
          'Each gets a complete, checked config or INVALID_CONFIG / CONFIG_LOAD_FAILED; no built-in prototype changes.',
          'A config file rewritten in place, over and over, while it is being loaded gives a ' +
            'checked config or a typed error each time.',
        ],
        passed,
        'test/reliability/fuzz-config.test.ts',
      );
    }
  });

  it('resolveConfig: any value gives a checked config or INVALID_CONFIG', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          configArb,
          validConfigArb,
          fc.jsonValue({ maxDepth: 2 }),
          configArb.map((config) => ({ default: config })),
        ),
        configArb,
        (raw, overrides) => {
          for (const options of [{ projectDir: dir }, { projectDir: dir, overrides }]) {
            try {
              checkConfig(resolveConfig(raw, options));
            } catch (error) {
              expectTypedError(error, ['INVALID_CONFIG']);
            }
          }
          expectUnpolluted(pristine);
        },
      ),
      fuzzOptions(31),
    );
    passed.push({ target: 'resolveConfig', cases: RUNS });
  });

  it('loadConfig: random files in each data format give a checked config or a typed error', async () => {
    const textArb = fc.oneof(
      fc.oneof(configArb, validConfigArb).map((config) => JSON.stringify(config)),
      fc
        .tuple(fc.oneof(configArb, validConfigArb), fc.nat())
        .map(([config, cut]) => JSON.stringify(config).slice(0, cut % 40)),
      fc.oneof(configArb, validConfigArb).map((config) =>
        Object.entries(config)
          .map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`)
          .join('\n'),
      ),
      fc.constantFrom(
        'a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nplugins: [*c, *c, *c]\n',
        'agents: &a [calm-owl]\nplugins: [[rooms, {members: {all: *a}}]]\n',
        '__proto__: {polluted: true}\n',
        '<<: {polluted: true}\nagents: []\n',
        '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
        '!!js/function "function(){}"',
        '%YAML 1.2\n---\nagents: [calm-owl]\n',
        '',
        '\uFEFF{}',
      ),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    // The loader follows the extension: .json is JSON, none or .yaml is YAML; package.json
    // is read for its "cc2cc" key. Each case is a new file (rewriting one file in place makes
    // ext4 flush it on every close, which is slow); package.json needs a folder of its own.
    const fileArb = fc.oneof(
      {
        arbitrary: fc
          .tuple(fc.constantFrom('.json', '', '.yaml'), textArb)
          .map(([extension, text]) => ({ extension, bytes: Buffer.from(text) })),
        weight: 4,
      },
      {
        arbitrary: fc
          .tuple(fc.constantFrom('.json', ''), fc.uint8Array({ maxLength: 200 }))
          .map(([extension, bytes]) => ({ extension, bytes: Buffer.from(bytes) })),
        weight: 1,
      },
      {
        arbitrary: fc.oneof(configArb, validConfigArb, fc.jsonValue({ maxDepth: 1 })).map((config) => ({
          extension: 'package.json',
          bytes: Buffer.from(JSON.stringify({ name: 'project', cc2cc: config })),
        })),
        weight: 1,
      },
    );
    let serial = 0;
    await fc.assert(
      fc.asyncProperty(fileArb, async ({ extension, bytes }) => {
        const index = serial++;
        const folder = extension === 'package.json' ? join(dir, `p${index}`) : dir;
        if (folder !== dir) await mkdir(folder);
        const name = extension === 'package.json' ? 'package.json' : `.cc2ccrc-${index}${extension}`;
        await writeFile(join(folder, name), bytes);
        try {
          checkConfig(await loadConfig({ cwd: folder, configPath: name }));
        } catch (error) {
          expectTypedError(error, CONFIG_CODES);
        }
        expectUnpolluted(pristine);
      }),
      fuzzOptions(32, FILE_RUNS),
    );
    passed.push({ target: 'loadConfig: random files', cases: FILE_RUNS });
  }, 120_000);

  it('loadConfig: a file rewritten in place while it is loaded', async () => {
    const folder = join(dir, 'changing');
    await mkdir(folder);
    const path = join(folder, '.cc2ccrc.json');
    const versions = fc.sample(
      fc.oneof(validConfigArb, configArb).map((config) => JSON.stringify(config)),
      { seed: 33, numRuns: 50 },
    );
    await writeFile(path, versions[0]!);
    let writing = true;
    let rewrites = 0;
    const writer = (async () => {
      while (writing) {
        // Not atomic on purpose: truncate, then write, as an editor without safe-write does.
        await writeFile(path, versions[rewrites % versions.length]!);
        rewrites++;
      }
    })();
    const outcomes = { loaded: 0, refused: 0 };
    for (let load = 0; load < CHANGING_LOADS; load++) {
      try {
        checkConfig(await loadConfig({ cwd: folder }));
        outcomes.loaded++;
      } catch (error) {
        expectTypedError(error, CONFIG_CODES);
        outcomes.refused++;
      }
    }
    writing = false;
    await writer;
    expectUnpolluted(pristine);
    expect(outcomes.loaded + outcomes.refused).toBe(CHANGING_LOADS);
    console.log(
      `[reliability] config rewritten ${rewrites} times during ${CHANGING_LOADS} loads: ` +
        `${outcomes.loaded} loaded, ${outcomes.refused} refused with a typed error`,
    );
    passed.push({ target: 'loadConfig: file changing while read', cases: CHANGING_LOADS });
  }, 120_000);
});
