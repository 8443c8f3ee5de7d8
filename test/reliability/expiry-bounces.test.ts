import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../../src/kernel/envelope.js';
import { killLeftovers, runCli, startReceiver } from './support/processes.js';
import { messageIds, Project, waitFor, walk } from './support/project.js';
import { recordFigures } from './support/report.js';

/**
 * Expiry and bounces end to end, with real processes: `cc2cc send` stores the messages, a
 * receiver process of the recipient takes them, and the sender runs as a receiver process
 * of its own, so it gets the notices the recipient sends back (an `event` whose meta says
 * receipt=expired or receipt=failed, correlated with the message). `cc2cc doctor` lists both
 * dead letters with their reasons.
 */
const TO = 'calm-owl';
const FROM = 'brave-fox';
const MAX_ATTEMPTS = 3;
const LONG = { timeoutMs: 60_000 };

describe('expiry and bounces, end to end', () => {
  const project = new Project();
  afterEach(async () => {
    await killLeftovers();
    await project.remove();
  });

  it('an expired message and one that failed maxAttempts times go to dead/ with reasons; the ' +
    'sender is told; doctor shows both', async () => {
    await project.create({
      agents: [TO, FROM],
      transport: { use: 'fs', rescanMs: 200 },
      maxAttempts: MAX_ATTEMPTS,
      retryDelayMs: 1,
    });
    const sender = startReceiver(project.dir, FROM);
    await waitFor(() => sender.of('ready').length > 0, { ...LONG, what: 'the sender' });

    // Expiry: sent while the recipient is offline, with 50 ms to live.
    const stale = await runCli(
      ['send', TO, 'stale soon', '--from', FROM, '--expires-in', '0.05', '--json'],
      project.dir,
    );
    expect(stale.code, stale.stderr).toBe(0);
    const staleId = (JSON.parse(stale.stdout) as { id: string }).id;
    const staleEnvelope = decodeEnvelope(await readFile(join(project.box(TO), `${staleId}.json`), 'utf8'));
    expect(staleEnvelope.expiresAt).toBeDefined();
    // The clock passing expiresAt is the event waited for (bounded), not a sleep.
    await waitFor(() => Date.now() > Date.parse(staleEnvelope.expiresAt!), { what: 'the expiry time to pass' });

    const recipient = startReceiver(project.dir, TO, { CC2CC_TEST_TRACE: '1' }, ['--fail-on', 'boom']);
    await waitFor(() => recipient.of('ready').length > 0, { ...LONG, what: 'the recipient' });
    const expiredNotice = await waitFor(() => sender.of('message').find((event) => event.meta?.receipt === 'expired'), {
      ...LONG,
      what: 'the expired notice',
    });
    expect(expiredNotice).toMatchObject({
      from: TO,
      kind: 'event',
      correlationId: staleId,
      meta: { receipt: 'expired' },
    });
    expect(recipient.of('message').some((event) => event.id === staleId)).toBe(false);

    // Bounce: the recipient's sink refuses it every time.
    const boom = await runCli(['send', TO, 'boom', '--from', FROM, '--json'], project.dir);
    expect(boom.code, boom.stderr).toBe(0);
    const boomId = (JSON.parse(boom.stdout) as { id: string }).id;
    const failedNotice = await waitFor(() => sender.of('message').find((event) => event.meta?.receipt === 'failed'), {
      ...LONG,
      what: 'the failed notice',
    });
    expect(failedNotice).toMatchObject({ from: TO, kind: 'event', correlationId: boomId, meta: { receipt: 'failed' } });
    expect(recipient.of('failing').filter((event) => event.id === boomId)).toHaveLength(MAX_ATTEMPTS);
    expect(
      recipient
        .of('claimed')
        .filter((event) => event.id === boomId)
        .map((event) => event.attempt),
    ).toEqual(Array.from({ length: MAX_ATTEMPTS + 1 }, (_, i) => i + 1));

    // dead/ holds both, each with its reason; the failed one carries the sink's last error.
    const reason = (id: string) => readFile(join(project.box(TO, 'dead'), `${id}.reason`), 'utf8');
    expect(await messageIds(project.box(TO, 'dead'))).toEqual([staleId, boomId].sort());
    expect(await reason(staleId)).toMatch(
      new RegExp(`^expired: expiresAt ${staleEnvelope.expiresAt!.replace(/[.]/g, '\\.')} passed before delivery`),
    );
    expect(await reason(boomId)).toMatch(
      new RegExp(
        `^failed: not delivered after ${MAX_ATTEMPTS} attempts; last error: sink test-recorder: ` +
          `test sink refuses "boom"`,
      ),
    );
    // A normal message still goes through, and the notices are events: they get no notice back.
    await runCli(['send', TO, 'after', '--from', FROM], project.dir);
    await waitFor(() => recipient.of('message').some((event) => event.text === 'after'), {
      ...LONG,
      what: 'a normal message',
    });
    expect(await messageIds(project.box(FROM, 'dead'))).toEqual([]);

    const doctor = await runCli(['doctor'], project.dir);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(`dead-letters: ${TO}: ${staleId}: expired: expiresAt`);
    expect(doctor.stdout).toContain(
      `dead-letters: ${TO}: ${boomId}: failed: not delivered after ${MAX_ATTEMPTS} attempts; last error:`,
    );

    // Everything cc2cc made in this run is private: folders 0700, files 0600.
    recipient.child.kill('SIGTERM');
    sender.child.kill('SIGTERM');
    await Promise.all([recipient.exited, sender.exited]);
    const loose = (await walk(project.root)).filter(({ kind, mode }) =>
      kind === 'dir' ? mode !== 0o700 : mode !== 0o600,
    );
    expect(loose).toEqual([]);

    await recordFigures(
      {
        scenario: 'expiry-bounces',
        order: 80,
        title: 'Expiry and bounces',
        proves: [
          '`cc2cc send --expires-in 0.05` to an agent that is offline; once the time has passed ' +
            'its receiver starts: the message goes to dead/ ("expired: expiresAt … passed before ' +
            'delivery"), unpushed, and the sender (a receiver process of its own) gets an event ' +
            'with meta receipt=expired and the message id as correlationId.',
          `A message the recipient's sink refuses every time fails ${MAX_ATTEMPTS} deliveries ` +
            `(maxAttempts); at the next offer it goes to dead/ with "failed: not delivered after ` +
            `${MAX_ATTEMPTS} attempts; last error: …" (the sink's error), and the sender gets receipt=failed.`,
          '`cc2cc doctor` lists both dead letters with their reasons (and exits 1). Every folder ' +
            'the run made is 0700 and every file 0600.',
        ],
        table: {
          columns: [
            'messages',
            'expired → dead',
            'failed → dead',
            'failed deliveries (maxAttempts)',
            'notices to the sender',
            'shown by doctor',
            'lost',
          ],
          rows: [[3, 1, 1, MAX_ATTEMPTS, 2, 2, 0]],
        },
        summary: { runs: 1, messages: 3, kills: 0, delivered: '1 (+2 dead, notified)', lost: 0, duplicated: 0 },
        command: 'npm run build && npx vitest run test/reliability/expiry-bounces.test.ts',
      },
      { replay: false },
    );
  }, 120_000);
});
