import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/kernel/ids.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { FsTransport } from '../../src/transports/fs/index.js';
import { killLeftovers, spawnFixture } from './support/processes.js';
import { messageIds, names, Project, waitFor } from './support/project.js';
import { PEAK_RSS, recordFigures } from './support/report.js';

/**
 * A backlog of 100,000 messages drained by one receiver process (test/fixtures/drain.mjs:
 * the real kernel and folder transport, a sink that keeps nothing), whose peak RSS is read
 * from the process itself (process.resourceUsage().maxRSS) when it is done.
 *
 * What is measured is the receive side, so the backlog files are written straight into
 * inbox/ by this test (whole files, before the receiver starts), not sent one by one
 * through the kernel: the send path would add minutes of fsyncs and is covered by the
 * sender tests.
 */
const BACKLOG = 100_000;
const RECEIVER = 'calm-owl';
/** Generous: a receiver that kept every envelope, or every id forever, would pass it. */
const RSS_LIMIT_MIB = 400;
const MAX_DONE = 10_000;

describe('load: a 100,000-message backlog', () => {
  const project = new Project();
  afterEach(async () => {
    await killLeftovers();
    await project.remove();
  });

  it('is drained once each with memory bounded (peak RSS of the draining process)', async () => {
    await project.create({
      agents: [RECEIVER],
      transport: { use: 'fs', rescanMs: 2000, retention: { maxDone: MAX_DONE } },
    });
    const inbox = project.box(RECEIVER, 'inbox');
    mkdirSync(inbox, { recursive: true, mode: 0o700 });
    const started = Date.now();
    const ts = new Date().toISOString();
    const written = new Set<string>();
    for (let i = 0; i < BACKLOG; i++) {
      const id = newId();
      written.add(id);
      const envelope = { v: 1, id, ts, from: 'brave-fox', to: RECEIVER, text: `backlog message ${i}`, kind: 'message' };
      writeFileSync(join(inbox, `${id}.json`), JSON.stringify(envelope), { mode: 0o600 });
    }

    const wroteMs = Date.now() - started;
    const drain = spawnFixture('drain.mjs', [project.dir, RECEIVER, String(BACKLOG)], { cwd: project.dir });
    const done = await waitFor(() => drain.of('drained')[0] ?? drain.ended(), {
      timeoutMs: 300_000,
      intervalMs: 200,
      what: 'the drain',
    });
    expect(done.event, drain.stderr.join('\n')).toBe('drained');
    const delivered = drain.of('ids').flatMap((event) => event.ids as string[]);
    const unique = new Set(delivered);
    const lost = [...written].filter((id) => !unique.has(id)).length;
    const duplicated = delivered.length - unique.size;
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(unique.size).toBe(BACKLOG);
    // In id order: the backlog was written oldest first.
    expect(delivered.every((id, index) => index === 0 || delivered[index - 1]! < id)).toBe(true);

    const peakMiB = Math.round((done.maxRssKb as number) / 1024);
    const startMiB = Math.round((done.startRssKb as number) / 1024);
    expect(peakMiB).toBeLessThan(RSS_LIMIT_MIB);
    expect(await names(inbox)).toEqual([]);
    expect(await names(project.box(RECEIVER, 'cur'))).toEqual([]);
    // done/ is bounded too. The receiver prunes it once the drain ends (how far it got before
    // the process was stopped depends on the machine); the next start prunes it to maxDone exactly.
    const doneAtEnd = (await messageIds(project.box(RECEIVER, 'done'))).length;
    const next = new FsTransport({ root: project.root, logger: silentLogger, maxDone: MAX_DONE });
    await (await next.open(RECEIVER, async (delivery) => delivery.ack())).close();
    await next.close();
    const doneAfterRestart = (await messageIds(project.box(RECEIVER, 'done'))).length;
    expect(doneAfterRestart).toBe(MAX_DONE);
    console.log(
      `[reliability] backlog: wrote ${BACKLOG} files in ${wroteMs} ms, drained in ` +
        `${Date.now() - started - wroteMs} ms; ` +
        `peak RSS ${peakMiB} MiB (${startMiB} MiB before attach); done/ ${doneAtEnd} at the end, ` +
        `${doneAfterRestart} after the next start`,
    );

    await recordFigures(
      {
        scenario: 'load-backlog',
        order: 50,
        title: 'A 100,000-message backlog',
        proves: [
          `${BACKLOG.toLocaleString('en-US')} messages wait in one inbox (written straight into ` +
            `inbox/ by the test: the receive side is what is measured) and one receiver process ` +
            `drains them through the kernel.`,
          'Every message is delivered once, in id order; the sink keeps nothing, so the memory ' +
            "figure is the receiver's own.",
          `Memory stays bounded: the peak RSS of the draining process, read with ` +
            `process.resourceUsage().maxRSS, must stay under ${RSS_LIMIT_MIB} MiB; done/ is left ` +
            `alone while the drain delivers, then pruned to maxDone (${MAX_DONE.toLocaleString('en-US')}).`,
        ],
        table: {
          columns: ['backlog', 'delivered', 'duplicated', 'lost', 'in order', `done/ after the next start (maxDone)`],
          rows: [[BACKLOG, unique.size, duplicated, lost, 'yes', doneAfterRestart]],
        },
        summary: { runs: 1, messages: BACKLOG, kills: 0, delivered: unique.size, lost, duplicated },
        measured: { [PEAK_RSS]: peakMiB, 'RSS before attach (MiB)': startMiB },
        command: 'npm run build && npx vitest run test/reliability/load-backlog.test.ts',
      },
      { replay: false },
    );
  }, 400_000);
});
