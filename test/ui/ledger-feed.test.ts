import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryLedger, type LedgerFact } from '../../src/hooks/ledger.js';
import { ledgerPath, sessionsDir } from '../../src/hooks/session-files.js';
import { createEnvelope } from '../../src/kernel/envelope.js';
import { silentLogger } from '../../src/kernel/logger.js';
import type { TrafficUpdate } from '../../src/ui/protocol.js';
import { LedgerFeed } from '../../src/ui/server/ledger-feed.js';
import { TrafficLog } from '../../src/ui/server/traffic-log.js';
import { waitFor } from '../../src/testing/wait-for.js';

const line = (fact: LedgerFact) => `${JSON.stringify(fact)}\n`;

describe('LedgerFeed: the delivery ledgers, read as they grow', () => {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function root(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'cc2cc-ledger-feed-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  async function follow(rootDir: string): Promise<{ facts: Array<[string, LedgerFact]>; feed: LedgerFeed }> {
    const facts: Array<[string, LedgerFact]> = [];
    const feed = await LedgerFeed.start({
      rootDir,
      onFact: (agent, fact) => facts.push([agent, fact]),
      logger: silentLogger,
      pollMs: 100,
    });
    closers.push(() => feed.stop());
    return { facts, feed };
  }

  it(
    'finds a sessions folder made after it started, reads appended lines once, waits for a line ' +
      'being written, and reads a compacted ledger again',
    async () => {
      const rootDir = await root();
      const { facts, feed } = await follow(rootDir); // no sessions folder yet
      const ledger = await DeliveryLedger.load(ledgerPath(rootDir, 'calm-owl'));
      await ledger.record('01J0000000000000000000000A', 'pushed');
      await ledger.record('01J0000000000000000000000A', 'seen', 'hook');
      await waitFor(() => facts.length === 2, { what: 'the two facts' });
      expect(facts.map(([agent, fact]) => [agent, fact.id, fact.s, fact.via])).toEqual([
        ['calm-owl', '01J0000000000000000000000A', 'pushed', undefined],
        ['calm-owl', '01J0000000000000000000000A', 'seen', 'hook'],
      ]);

      // Half a line: nothing until its end is written.
      const half = line({ id: '01J0000000000000000000000B', s: 'pushed', at: new Date().toISOString() });
      await appendFile(ledgerPath(rootDir, 'calm-owl'), half.slice(0, 20));
      await feed.scan();
      expect(facts).toHaveLength(2);
      await appendFile(ledgerPath(rootDir, 'calm-owl'), `${half.slice(20)}not json\n`);
      await waitFor(() => facts.length === 3, { what: 'the finished line' });
      expect(facts[2]![1].id).toBe('01J0000000000000000000000B');

      // Compacted by its writer (shorter than what was read): read again from the start.
      await writeFile(
        ledgerPath(rootDir, 'calm-owl'),
        line({ id: '01J0000000000000000000000C', s: 'seen', at: new Date().toISOString() }),
      );
      await waitFor(() => facts.some(([, fact]) => fact.id === '01J0000000000000000000000C'), {
        what: 'the compacted ledger',
      });
      // Files that are not an agent's ledger are left alone.
      await writeFile(join(sessionsDir(rootDir), 'calm-owl.json'), '{}');
      await writeFile(join(sessionsDir(rootDir), 'Not A Name.ledger'), line({ id: 'x', s: 'seen', at: '' }));
      await feed.scan();
      expect(facts.every(([agent]) => agent === 'calm-owl')).toBe(true);
    },
  );

  it(
    "the traffic log adds pushed and seen to the recipient's steps, once, also when the ledger " +
      'is read before the inbox',
    async () => {
      const log = new TrafficLog({ maxPendingFacts: 2 });
      const updates: TrafficUpdate[] = [];
      log.subscribe((update) => updates.push(update));
      const early = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: 'ledger first' });
      const at = new Date().toISOString();
      log.recordGiven('calm-owl', { id: early.id, s: 'pushed', at });
      expect(log.get(early.id)).toBeUndefined(); // held, not shown without its message
      log.record({ agent: 'calm-owl', state: 'claimed', id: early.id, envelope: early });
      log.recordGiven('calm-owl', { id: early.id, s: 'pushed', at }); // read again after a compaction
      log.recordGiven('calm-owl', { id: early.id, s: 'seen', at, via: 'hook' });
      expect(log.get(early.id)!.deliveries['calm-owl']!.map((step) => step.state)).toEqual([
        'claimed',
        'pushed',
        'seen',
      ]);
      expect(updates.map((update) => update.step.state)).toEqual(['claimed', 'pushed', 'seen']);
      expect(updates[2]!.step).toEqual({ state: 'seen', at, via: 'hook' });

      // Facts about messages never seen are bounded: the oldest go.
      for (const id of ['01J0000000000000000000000A', '01J0000000000000000000000B', '01J0000000000000000000000C'])
        log.recordGiven('calm-owl', { id, s: 'seen', at });
      const first = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: 'x' });
      log.record({ agent: 'calm-owl', state: 'queued', id: '01J0000000000000000000000A', envelope: first });
      log.record({ agent: 'calm-owl', state: 'queued', id: '01J0000000000000000000000C', envelope: first });
      expect(log.get('01J0000000000000000000000A')!.deliveries['calm-owl']!.map((step) => step.state)).toEqual([
        'queued',
      ]);
      expect(log.get('01J0000000000000000000000C')!.deliveries['calm-owl']!.map((step) => step.state)).toEqual([
        'queued',
        'seen',
      ]);
    },
  );

  it('reads a large ledger in chunks, every fact once', async () => {
    const rootDir = await root();
    await mkdir(sessionsDir(rootDir), { recursive: true });
    const at = new Date().toISOString();
    const text = Array.from({ length: 5000 }, (_, i) =>
      line({ id: `01J${String(i).padStart(23, '0')}`, s: 'seen', at, via: 'check_inbox' }),
    ).join('');
    expect(text.length).toBeGreaterThan(256 * 1024);
    await writeFile(ledgerPath(rootDir, 'brave-fox'), text);
    const { facts } = await follow(rootDir);
    expect(facts).toHaveLength(5000);
    expect(new Set(facts.map(([, fact]) => fact.id)).size).toBe(5000);
  });
});
