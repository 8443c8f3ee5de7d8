import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/kernel/ids.js';
import { DELIVERY_TIMEOUT_MS, makeProject, startAgent } from '../mcp/support.js';
import { PEAK_RSS, recordFigures, type Cell } from './support/report.js';
import type { StdioAgent } from '../../src/demo/stdio-agent.js';

/**
 * A backlog larger than memory should be, read through `check_inbox` by a real `cc2cc serve`
 * (issue 15): the server holds at most `maxUnread` messages / `maxUnreadBytes` unread and
 * leaves the rest in the inbox, so its peak RSS (VmHWM of the server process, Linux) stays
 * bounded, and every message still arrives, once, in order, as the agent reads.
 */
const BIG = 2000;
const BIG_TEXT_BYTES = 250 * 1024;
/** The bound stated in docs/reliability.md. Holding the backlog (500 MB of text) breaks it many times over. */
const RSS_LIMIT_MIB = 400;
const AUTO_BACKLOG = 300;
const AUTO_MAX_UNREAD = 50;

const rows: Cell[][] = [];
const measured: Record<string, number> = {};

afterAll(async () => {
  if (rows.length !== 2) return;
  await recordFigures(
    {
      scenario: 'load-unread',
      order: 55,
      title: 'A backlog read through check_inbox',
      proves: [
        `pull: ${BIG.toLocaleString('en-US')} messages of ${BIG_TEXT_BYTES / 1024} KiB wait in ` +
          `one inbox (written straight into inbox/) before a real \`cc2cc serve --delivery pull\` ` +
          `starts; the test reads them all with check_inbox.`,
        `The server holds at most \`maxUnread\` (100) messages and \`maxUnreadBytes\` (8 MiB) ` +
          `unread and leaves the rest on disk: its peak RSS (VmHWM of the server process) must ` +
          `stay under ${RSS_LIMIT_MIB} MiB, where holding the backlog would take gigabytes.`,
        `auto: with \`maxUnread: ${AUTO_MAX_UNREAD}\`, a backlog of ${AUTO_BACKLOG} is not pushed ` +
          `at once: ${AUTO_MAX_UNREAD} pushes, then one notice asking the agent to read, then the rest as it reads.`,
        'Every message arrives once and in order.',
      ],
      table: { columns: ['mode', 'backlog', 'read', 'pushed before the first read', 'lost', 'duplicated'], rows },
      summary: {
        runs: 2,
        messages: BIG + AUTO_BACKLOG,
        kills: 0,
        delivered: BIG + AUTO_BACKLOG,
        lost: 0,
        duplicated: 0,
      },
      measured,
      command: 'npm run build && npx vitest run test/reliability/load-unread.test.ts',
    },
    { replay: false },
  );
});

/** Writes `count` messages from alice straight into bob's inbox, oldest first; returns their ids. */
function writeBacklog(project: string, count: number, textOf: (index: number) => string): string[] {
  const inbox = join(project, '.cc2cc', 'to-bob', 'inbox');
  mkdirSync(inbox, { recursive: true, mode: 0o700 });
  const ts = new Date().toISOString();
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const id = newId();
    ids.push(id);
    writeFileSync(
      join(inbox, `${id}.json`),
      JSON.stringify({ v: 1, id, ts, from: 'alice', to: 'bob', text: textOf(index), kind: 'message' }),
      { mode: 0o600 },
    );
  }
  return ids;
}

/**
 * check_inbox until `count` messages came back; returns their ids in the order read. A server that
 * died fails at once.
 */
async function readAll(bob: StdioAgent, count: number): Promise<string[]> {
  const ids: string[] = [];
  const deadline = Date.now() + 300_000;
  while (ids.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${ids.length} of ${count} messages read in 300 s`);
    const answer = await bob.call('check_inbox', { limit: 100 }, 60_000).catch((error: unknown) => {
      throw new Error(
        `check_inbox failed after ${ids.length} messages: ${String(error)}\nserver stderr:\n${bob.stderr}`,
        { cause: error },
      );
    });
    expect(answer.isError).toBe(false);
    const before = ids.length;
    // The structured copy of what the text frames: one record per message, in order.
    const messages = (answer.structured?.messages ?? []) as Array<{ id: string; from: string }>;
    for (const message of messages) if (message.from === 'alice') ids.push(message.id);
    // Read faster than the server refills: wait a moment for the next messages to be taken.
    if (ids.length === before) await sleep(20);
  }
  return ids;
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]);
  return Math.round(kb / 1024);
}

describe.skipIf(process.platform !== 'linux')('load: a backlog read through check_inbox', () => {
  it(`pull: ${BIG} messages of 250 KiB with the server's memory bounded, all read once in order`, async () => {
    const project = await makeProject({ agents: ['bob', 'alice'] });
    const filler = 'x'.repeat(BIG_TEXT_BYTES - 20);
    const written = writeBacklog(project, BIG, (index) => `${index} ${filler}`);
    const bob = await startAgent(project, ['--name', 'bob', '--delivery', 'pull']);
    const read = await readAll(bob, BIG);
    const peak = peakRssMiB(bob.pid!);
    console.log(
      `[reliability] unread backlog: ${BIG} messages of ${BIG_TEXT_BYTES / 1024} KiB read; server peak RSS ${peak} MiB`,
    );
    expect(read).toEqual(written);
    expect(peak).toBeLessThan(RSS_LIMIT_MIB);
    measured[PEAK_RSS] = peak;
    rows.push(['pull', BIG, read.length, 0, 0, read.length - new Set(read).size]);
  }, 400_000);

  it(`auto: a backlog of ${AUTO_BACKLOG} is pushed ${AUTO_MAX_UNREAD} at a time, the rest as the ` +
    `agent reads`, async () => {
    const project = await makeProject({ agents: ['bob', 'alice'], maxUnread: AUTO_MAX_UNREAD });
    const written = writeBacklog(project, AUTO_BACKLOG, (index) => `backlog ${index}`);
    const bob = await startAgent(project, ['--name', 'bob']);
    // The notice comes when message AUTO_MAX_UNREAD + 1 waits for room: every push before it is a message.
    const notice = await bob.waitForPush(
      (push) => push.meta.kind === 'system' && /call check_inbox to read them and receive the rest/.test(push.content),
      DELIVERY_TIMEOUT_MS,
      'the read-me notice',
    );
    const messagesBefore = () =>
      bob.pushes.slice(0, bob.pushes.indexOf(notice)).filter((push) => push.meta.kind !== 'system').length;
    expect(messagesBefore()).toBe(AUTO_MAX_UNREAD);
    expect((await bob.call('list_agents')).text).toMatch(/more are queued: call check_inbox/);
    const pushedBeforeRead = bob.pushes.filter((push) => push.meta.kind !== 'system').length;
    expect(pushedBeforeRead).toBe(AUTO_MAX_UNREAD);
    const read = await readAll(bob, AUTO_BACKLOG);
    expect(read).toEqual(written);
    const pushed = bob.pushes.filter((push) => push.meta.kind !== 'system').map((push) => push.meta.id);
    expect(pushed).toEqual(written);
    rows.push(['auto', AUTO_BACKLOG, read.length, pushedBeforeRead, 0, read.length - new Set(read).size]);
  }, 120_000);
});
