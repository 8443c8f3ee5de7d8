import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killLeftovers, spawnFixture, startReceiver } from './support/processes.js';
import { names, Project, tally, waitFor } from './support/project.js';
import { recordFigures } from './support/report.js';

/**
 * Twenty sender processes write into one inbox at the same time (test/fixtures/sender.mjs,
 * each message stored with tmp + fsync + rename), while one receiver process drains it.
 * Counts of sent, delivered, duplicated and lost come from the texts: sender-N-I.
 */
const SENDERS = 20;
const PER_SENDER = 100;
const RECEIVER = 'calm-owl';

describe('load: 20 concurrent sender processes into one inbox', () => {
  const project = new Project();
  afterEach(async () => {
    await killLeftovers();
    await project.remove();
  });

  it(`delivers ${SENDERS} × ${PER_SENDER} messages once each, each sender's in order`, async () => {
    const senders = Array.from({ length: SENDERS }, (_, i) => `sender-${i}`);
    await project.create({ agents: [RECEIVER, ...senders], transport: { use: 'fs', rescanMs: 500 } });
    const receiver = startReceiver(project.dir, RECEIVER);
    await waitFor(() => receiver.of('ready').length > 0, { timeoutMs: 60_000, what: 'the receiver' });
    const runs = senders.map((from) =>
      spawnFixture('sender.mjs', [project.dir, from, RECEIVER, String(PER_SENDER)], { cwd: project.dir }),
    );
    const ends = await Promise.all(runs.map((run) => run.exited));
    expect(
      ends.map((end) => end.code),
      runs.flatMap((run) => run.stderr).join('\n'),
    ).toEqual(senders.map(() => 0));
    const expected = senders.flatMap((from) => Array.from({ length: PER_SENDER }, (_, i) => `${from}-${i}`));
    await waitFor(() => receiver.of('message').length >= expected.length, {
      timeoutMs: 120_000,
      what: `${expected.length} messages`,
    });
    await waitFor(async () => (await names(project.box(RECEIVER, 'done'))).length >= expected.length, {
      timeoutMs: 60_000,
      what: 'the acks',
    });

    const messages = receiver.of('message');
    const texts = tally(messages.map((message) => message.text!));
    const lost = expected.filter((text) => !texts.has(text));
    const duplicated = [...texts.values()].reduce((sum, count) => sum + count - 1, 0);
    const ids = new Set(messages.map((message) => message.id));
    expect(lost).toEqual([]);
    expect(duplicated).toBe(0);
    expect(ids.size).toBe(expected.length);
    expect(texts.size).toBe(expected.length);
    for (const from of senders) {
      expect(messages.filter((message) => message.from === from).map((message) => message.text)).toEqual(
        Array.from({ length: PER_SENDER }, (_, i) => `${from}-${i}`),
      );
    }
    for (const folder of ['inbox', 'cur', 'dead', 'tmp'] as const)
      expect(await names(project.box(RECEIVER, folder)), folder).toEqual([]);
    expect(await names(join(project.root, 'agents'))).toEqual([`${RECEIVER}.json`]);

    await recordFigures(
      {
        scenario: 'load-senders',
        order: 30,
        title: 'Twenty sender processes, one inbox',
        proves: [
          `${SENDERS} sender processes (test/fixtures/sender.mjs) each send ${PER_SENDER} ` +
            `messages through the kernel to one agent at the same time; one receiver process ` +
            `drains the inbox meanwhile.`,
          "Every message is delivered once, and each sender's messages arrive in the order it sent them.",
        ],
        table: {
          columns: ['sender processes', 'messages sent', 'delivered', 'duplicated', 'lost', 'senders in order'],
          rows: [[SENDERS, expected.length, ids.size, duplicated, lost.length, `${SENDERS} of ${SENDERS}`]],
        },
        summary: { runs: 1, messages: expected.length, kills: 0, delivered: ids.size, lost: lost.length, duplicated },
        command: 'npm run build && npx vitest run test/reliability/load-senders.test.ts',
      },
      { replay: false },
    );
  }, 240_000);
});
