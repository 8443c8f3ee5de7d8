import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnvelope, encodeEnvelope, EnvelopeSchema, type Envelope } from '../../src/kernel/envelope.js';
import { newId } from '../../src/kernel/ids.js';
import type { Logger } from '../../src/kernel/logger.js';
import { FsTransport } from '../../src/transports/fs/index.js';
import { envelopeObjectArb, FUZZ_SEED } from './support/fuzz.js';
import { killLeftovers, spawnFixture } from './support/processes.js';
import { names, waitFor } from './support/project.js';
import { recordFigures } from './support/report.js';

/**
 * Files that change while they are read: a writer process (test/fixtures/rewriter.mjs)
 * rewrites message files in place, over and over (truncate, half, rest: no temp file, no
 * rename), while a receiver reads the same inbox. The versions it writes come from the fuzz
 * seed: whole envelopes, cut ones, another id inside, random bytes, invalid UTF-8, data
 * nested 5,000 deep, oversized, empty. The receiver must not crash or stall: it hands over
 * only valid envelopes, each id at most once, and moves everything else to dead/ with a
 * reason; afterwards it still delivers.
 */
const CASES = 3;
const FILES = 8;
const ROUNDS = 250;
const MAX_BYTES = 16 * 1024;
const AGENT = 'calm-owl';

interface Versions {
  texts: Array<(id: string) => Buffer>;
}

const versionArb: fc.Arbitrary<(id: string) => Buffer> = fc.oneof(
  fc.string({ maxLength: 60 }).map((text) => (id: string) => Buffer.from(JSON.stringify({ ...whole(id), text }))),
  fc.nat({ max: 200 }).map((cut) => (id: string) => Buffer.from(JSON.stringify(whole(id)).slice(0, cut))),
  envelopeObjectArb.map((other) => () => Buffer.from(JSON.stringify(other))),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => () => Buffer.from(bytes)),
  fc.constant((id: string) =>
    Buffer.concat([Buffer.from(JSON.stringify(whole(id)).slice(0, -2)), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
  ),
  fc.constant((id: string) =>
    Buffer.from(
      JSON.stringify({ ...whole(id), data: 0 }).replace('"data":0', `"data":${'['.repeat(5000)}${']'.repeat(5000)}`),
    ),
  ),
  fc.constant((id: string) => Buffer.from(JSON.stringify({ ...whole(id), text: 'x'.repeat(MAX_BYTES) }))),
  fc.constant(() => Buffer.alloc(0)),
);
const planArb: fc.Arbitrary<Versions[]> = fc.array(
  fc.array(versionArb, { minLength: 2, maxLength: 6 }).map((texts) => ({ texts })),
  {
    minLength: FILES,
    maxLength: FILES,
  },
);

/** A whole, valid envelope with the given id. */
function whole(id: string): Record<string, unknown> {
  const envelope = JSON.parse(
    encodeEnvelope(createEnvelope({ from: 'brave-fox', to: AGENT, text: 'whole' })),
  ) as Record<string, unknown>;
  return { ...envelope, id };
}

describe('fuzz: message files that change while the receiver reads them', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await killLeftovers();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it(`${CASES} seeded runs of ${FILES} files × ${ROUNDS} in-place rewrites: only valid envelopes, ` +
    `once each, the rest dead with reasons`, async () => {
    const plans = fc.sample(planArb, { seed: FUZZ_SEED.seed + 41, numRuns: CASES });
    const totals = { writes: 0, delivered: 0, dead: 0 };
    for (const plan of plans) {
      const dir = await mkdtemp(join(tmpdir(), 'cc2cc-changing-'));
      dirs.push(dir);
      const root = join(dir, '.cc2cc');
      const errors: string[] = [];
      const logger: Logger = { debug() {}, info() {}, warn() {}, error: (message) => void errors.push(message) };
      const transport = new FsTransport({ root, logger, maxBytes: MAX_BYTES, rescanMs: 50 });
      const delivered: Envelope[] = [];
      const inbox = await transport.open(AGENT, async (delivery) => {
        delivered.push(delivery.envelope);
        await delivery.ack();
      });
      const files = plan.map(({ texts }) => {
        const id = newId();
        return { name: `${id}.json`, versions: texts.map((make) => make(id).toString('base64')) };
      });
      const planPath = join(dir, 'plan.json');
      await writeFile(planPath, JSON.stringify({ rounds: ROUNDS, files }));
      const writer = spawnFixture('rewriter.mjs', [join(root, `to-${AGENT}`, 'inbox'), planPath], { cwd: dir });
      const end = await writer.exited;
      expect(end.code, writer.stderr.join('\n')).toBe(0);
      totals.writes += writer.of('done')[0]!.writes as number;

      const box = (folder: string) => join(root, `to-${AGENT}`, folder);
      await waitFor(async () => (await names(box('inbox'))).length === 0 && (await names(box('cur'))).length === 0, {
        timeoutMs: 60_000,
        what: 'the inbox to settle',
      });
      // Only valid envelopes, each the id its file promised, each id at most once.
      const ids = new Set(files.map((file) => file.name.slice(0, 26)));
      for (const envelope of delivered) {
        expect(EnvelopeSchema.safeParse(envelope).success).toBe(true);
        expect(ids.has(envelope.id)).toBe(true);
      }
      expect(new Set(delivered.map((envelope) => envelope.id)).size).toBe(delivered.length);
      const dead = await transport.deadLetters(AGENT);
      for (const letter of dead) expect(letter.reason).not.toMatch(/^\(no reason recorded\)$|^$/);
      expect(errors).toEqual([]);
      // Still alive and delivering.
      const after = createEnvelope({ from: 'brave-fox', to: AGENT, text: 'after the storm' });
      await transport.put(AGENT, after);
      await waitFor(() => delivered.some((envelope) => envelope.id === after.id), {
        what: 'a message after the rewrites',
      });
      await inbox.close();
      await transport.close();
      totals.delivered += delivered.length - 1;
      totals.dead += dead.length;
    }
    console.log(`[reliability] changing files: ${JSON.stringify(totals)}`);
    await recordFigures(
      {
        scenario: 'fuzz-changing-files',
        order: 64,
        title: 'Fuzz: files that change while read',
        proves: [
          `A writer process rewrites ${FILES} message files in place ${ROUNDS} times each ` +
            `(truncate, half, rest: no temp file, no rename) while a receiver reads the inbox; ` +
            `${CASES} runs, the versions drawn from the fuzz seed: whole envelopes, cut ones, ` +
            `another id inside, random bytes, invalid UTF-8, data nested 5,000 deep, oversized, empty.`,
          'The receiver never crashes or stalls and logs no error: it hands over only valid ' +
            'envelopes carrying the id their file promised, each id at most once; everything else ' +
            'is a dead letter with its reason; afterwards it still delivers.',
          'How many rewrites end up delivered or dead depends on timing, so only the rewrites and ' +
            'the failures are recorded.',
        ],
        table: {
          columns: [
            'runs',
            'rewrites in place',
            'invalid envelopes delivered',
            'ids delivered twice',
            'dead letters without a reason',
            'receiver errors',
          ],
          rows: [[CASES, CASES * FILES * ROUNDS, 0, 0, 0, 0]],
        },
        summary: {
          runs: CASES,
          messages: `${(CASES * FILES * ROUNDS).toLocaleString('en-US')} rewrites`,
          duplicated: 0,
        },
        command: 'npm run build && npx vitest run test/reliability/fuzz-changing-files.test.ts',
        seed: `${FUZZ_SEED.variable}=${FUZZ_SEED.seed}`,
      },
      FUZZ_SEED,
    );
  }, 240_000);
});
