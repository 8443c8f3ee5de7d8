import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/kernel/ids.js';
import { killLeftovers, startReceiver, startSteadySender, type Agent } from './support/processes.js';
import { names, Project, tally, waitFor } from './support/project.js';
import { recordFigures } from './support/report.js';
import { between, random, seedFrom } from './support/seed.js';

/**
 * Sender processes are SIGKILLed in the middle of writing a message while a receiver runs.
 * The folder transport writes each message to tmp/, fsyncs it and renames it into inbox/:
 * a reader can see a whole message or none. The tests check that no partial file ever
 * reaches the reader (it would be a dead letter, "not valid JSON"; every delivered text is
 * checked whole), that every message a sender was told was stored is delivered, and that
 * the temp files the dead writers left are removed by the next receiver start once they
 * are older than the grace period, and kept while younger (they may belong to a live writer).
 */
const SEED = seedFrom('CC2CC_CRASH_SEED', 20261125);
const RECEIVER = 'calm-owl';
const BYTES = 64 * 1024;
const HOOKED_KILLS = 6;
const OUTSIDE_KILLS = 4;
const GRACE_MS = 60_000;
const LONG = { timeoutMs: 90_000 };
const WHOLE = /^(writer-\d+)-(\d+)\|(x*)$/;

describe('crash: senders killed with SIGKILL mid-write', () => {
  const project = new Project();
  afterEach(async () => {
    await killLeftovers();
    await project.remove();
  });

  /** A receiver that prints what it gets; its texts are checked whole. */
  async function receiver(env: Record<string, string> = {}): Promise<Agent> {
    const agent = startReceiver(project.dir, RECEIVER, { CC2CC_TEST_TRACE: '1', ...env });
    await waitFor(() => agent.of('ready').length > 0, { ...LONG, what: 'the receiver' });
    return agent;
  }

  function checkWhole(agent: Agent): void {
    for (const message of agent.of('message')) {
      const match = WHOLE.exec(message.text ?? '');
      expect(match, `a cut or foreign message: ${message.text?.slice(0, 40)}`).not.toBeNull();
      expect(message.text).toHaveLength(BYTES);
    }
  }

  it('killed at seeded points mid-write: no partial file reaches the reader; temp files removed ' +
    'after the grace period', async () => {
    await project.create({ agents: [RECEIVER], transport: { use: 'fs', rescanMs: 200 } });
    const next = random(SEED.seed + 2);
    let reader = await receiver({ CC2CC_TEST_TMP_GRACE_MS: String(GRACE_MS) });
    const sent: string[] = [];
    const partials: string[] = [];
    for (let index = 0; index < HOOKED_KILLS; index++) {
      const nth = between(next, 1, 20);
      const fraction = between(next, 1, 9) / 10;
      const before = new Set(await names(project.box(RECEIVER, 'tmp')));
      const sender = startSteadySender(project.dir, `writer-${index}`, RECEIVER, {
        bytes: BYTES,
        env: { CC2CC_TEST_KILL_MID_WRITE: `${nth}:${fraction}` },
      });
      await waitFor(() => sender.of('ready').length > 0, { ...LONG, what: 'the sender' });
      sender.send(nth + 5);
      const end = await sender.exited;
      expect(end.signal).toBe('SIGKILL');
      expect(sender.of('dying')).toEqual([{ event: 'dying', i: nth - 1 }]);
      expect(sender.sent()).toBe(nth - 1);
      sent.push(...sender.of('sent').map((event) => event.id!));
      // The cut message is on disk, in tmp/ only: fewer bytes than a whole one, not valid JSON.
      const left = (await names(project.box(RECEIVER, 'tmp'))).filter((name) => !before.has(name));
      expect(left).toHaveLength(1);
      const partial = await readFile(join(project.box(RECEIVER, 'tmp'), left[0]!), 'utf8');
      expect(partial.length).toBeLessThan(BYTES);
      expect(() => JSON.parse(partial)).toThrow();
      partials.push(left[0]!);
    }
    const deliveredIds = () => new Set(reader.of('message').map((event) => event.id!));
    await waitFor(() => sent.every((id) => deliveredIds().has(id)), { ...LONG, what: 'every stored message' });
    checkWhole(reader);
    const delivered = reader.of('message').map((event) => event.id!);
    expect([...tally(delivered).values()].every((count) => count === 1)).toBe(true);
    expect(new Set(delivered)).toEqual(new Set(sent));
    expect(await names(project.box(RECEIVER, 'dead'))).toEqual([]);

    // A restart within the grace period keeps the temp files: a live writer may own them.
    reader.child.kill('SIGTERM');
    await reader.exited;
    reader = await receiver({ CC2CC_TEST_TMP_GRACE_MS: String(GRACE_MS) });
    expect(await names(project.box(RECEIVER, 'tmp'))).toEqual([...partials].sort());
    // Past the grace period (their clocks moved back, rather than waiting), the next start
    // removes them, and keeps a temp file that is being written right now.
    const past = new Date(Date.now() - GRACE_MS - 5_000);
    for (const name of partials) await utimes(join(project.box(RECEIVER, 'tmp'), name), past, past);
    const fresh = `${newId()}.${process.pid}.0123456789ab.json`;
    await writeFile(join(project.box(RECEIVER, 'tmp'), fresh), '{"v":1,');
    reader.child.kill('SIGTERM');
    await reader.exited;
    reader = await receiver({ CC2CC_TEST_TMP_GRACE_MS: String(GRACE_MS) });
    expect(await names(project.box(RECEIVER, 'tmp'))).toEqual([fresh]);
    expect((await stat(join(project.box(RECEIVER, 'tmp'), fresh))).size).toBe(7);
    expect(await names(project.box(RECEIVER, 'inbox'))).toEqual([]);
    expect(await names(project.box(RECEIVER, 'dead'))).toEqual([]);

    await recordFigures(
      {
        scenario: 'crash-sender',
        order: 20,
        title: 'Senders killed mid-write',
        proves: [
          `${HOOKED_KILLS} sender processes each send ${BYTES / 1024} KiB messages to a running ` +
            `receiver and are SIGKILLed while writing one of them, after a seeded share of its ` +
            `bytes (test/fixtures/steady-sender.mjs, CC2CC_TEST_KILL_MID_WRITE).`,
          'Each kill leaves a cut temp file in tmp/ (checked: shorter than a message, not JSON); ' +
            'none ever reaches inbox/: nothing is dead-lettered and every delivered text is checked whole.',
          'Every message whose send had returned is delivered once.',
          `A receiver started within the grace period (${GRACE_MS / 1000} s) keeps the temp ` +
            `files; once they are older, the next start removes them and keeps a fresh one.`,
          'A second test kills senders from the outside during 64 KiB bursts, at moments it does ' +
            'not control; it checks the same and records nothing (its counts vary).',
        ],
        table: {
          columns: [
            'sender runs',
            'kills mid-write',
            'messages stored',
            'delivered',
            'lost',
            'duplicated',
            'cut files in tmp/',
            'cut files delivered',
            'kept within grace',
            'removed after grace',
          ],
          rows: [
            [
              HOOKED_KILLS,
              HOOKED_KILLS,
              sent.length,
              new Set(delivered).size,
              0,
              0,
              partials.length,
              0,
              partials.length,
              partials.length,
            ],
          ],
        },
        summary: {
          runs: HOOKED_KILLS,
          messages: sent.length,
          kills: HOOKED_KILLS,
          delivered: new Set(delivered).size,
          lost: 0,
          duplicated: 0,
        },
        command: 'npm run build && npx vitest run test/reliability/crash-sender.test.ts',
        seed: `${SEED.variable}=${SEED.seed}`,
      },
      SEED,
    );
  }, 240_000);

  it('killed from the outside during bursts: every stored message whole and delivered, nothing partial', async () => {
    await project.create({ agents: [RECEIVER], transport: { use: 'fs', rescanMs: 200 } });
    const next = random(SEED.seed + 3);
    const reader = await receiver();
    const stored: string[] = [];
    const inProgress = new Set<string>();
    for (let index = 0; index < OUTSIDE_KILLS; index++) {
      const from = `writer-${index}`;
      const sender = startSteadySender(project.dir, from, RECEIVER, { bytes: BYTES });
      await waitFor(() => sender.of('ready').length > 0, { ...LONG, what: 'the sender' });
      const killAfter = between(next, 1, 30);
      sender.send(1000);
      await waitFor(() => sender.sent() >= killAfter, { ...LONG, what: `${killAfter} messages stored` });
      sender.child.kill('SIGKILL');
      await sender.exited;
      stored.push(...sender.of('sent').map((event) => event.id!));
      // The message it was writing may or may not have made it: either way it must be whole.
      inProgress.add(`${from}-${sender.sent()}`);
    }
    const deliveredIds = () => new Set(reader.of('message').map((event) => event.id!));
    await waitFor(() => stored.every((id) => deliveredIds().has(id)), { ...LONG, what: 'every stored message' });
    checkWhole(reader);
    const storedSet = new Set(stored);
    const extra = reader.of('message').filter((message) => !storedSet.has(message.id!));
    for (const message of extra)
      expect(inProgress.has(`${WHOLE.exec(message.text!)![1]!}-${WHOLE.exec(message.text!)![2]!}`)).toBe(true);
    expect([...tally(reader.of('message').map((event) => event.id!)).values()].every((count) => count === 1)).toBe(
      true,
    );
    expect(await names(project.box(RECEIVER, 'dead'))).toEqual([]);
    console.log(
      `[reliability] outside sender kills: ${OUTSIDE_KILLS}, stored ${stored.length}, delivered ` +
        `${deliveredIds().size}, temp files left ${(await names(project.box(RECEIVER, 'tmp'))).length}`,
    );
  }, 240_000);
});
