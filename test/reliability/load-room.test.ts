import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Cc2cc } from '../../src/kernel/compose.js';
import type { Envelope } from '../../src/kernel/envelope.js';
import { silentLogger } from '../../src/kernel/logger.js';
import type { Sink } from '../../src/kernel/sink.js';
import { createRuntime } from '../../src/runtime.js';
import { messageIds, names, Project, tally, waitFor } from './support/project.js';
import { recordFigures } from './support/report.js';

/**
 * Fifty agents in one room (the `rooms` plugin, configured in .cc2ccrc.json as a JSON
 * config would be). Each agent is a full kernel with its own folder transport and inbox
 * reader; all fifty run in this test process, not in fifty processes: fifty Node processes
 * would need about 3 GB and most of a minute of CPU on a 2-core CI machine, and the inboxes,
 * locks and files are the same either way. Every agent sends to room:all; each message
 * fans out on write to the 49 other members.
 */
const AGENTS = 50;
const PER_AGENT = 2;

class RecordingSink implements Sink {
  readonly name = 'recording';
  readonly received: Envelope[] = [];
  async deliver(envelope: Envelope): Promise<'delivered'> {
    this.received.push(envelope);
    return 'delivered';
  }
}

describe('load: 50 agents in one room', () => {
  const project = new Project();
  const runtimes: Cc2cc[] = [];
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
    await project.remove();
  });

  it(`fans ${AGENTS} × ${PER_AGENT} messages out to the other ${AGENTS - 1} members each, once`, async () => {
    const members = Array.from({ length: AGENTS }, (_, i) => `member-${String(i).padStart(2, '0')}`);
    await project.create({
      agents: members,
      transport: { use: 'fs', rescanMs: 500 },
      plugins: [['rooms', { members: { all: members } }]],
    });
    const config = await loadConfig({ cwd: project.dir });
    const sinks = new Map<string, RecordingSink>();
    for (const name of members) {
      const sink = new RecordingSink();
      const runtime = await createRuntime(config, { sink, logger: silentLogger });
      runtimes.push(runtime);
      await runtime.bus.attach(name);
      sinks.set(name, sink);
    }
    expect(runtimes[0]!.plugins).toContain('rooms');

    const sent: Envelope[] = [];
    await Promise.all(
      runtimes.map(async (runtime) => {
        for (let i = 0; i < PER_AGENT; i++) {
          const result = await runtime.bus.send({ to: 'room:all', text: `${runtime.bus.name}-${i}` });
          expect(result.results).toHaveLength(AGENTS - 1);
          expect(result.results.every((entry) => entry.status === 'queued' && entry.via === 'room:all')).toBe(true);
          sent.push(result.envelope);
        }
      }),
    );
    const copies = sent.length * (AGENTS - 1);
    const total = () => [...sinks.values()].reduce((sum, sink) => sum + sink.received.length, 0);
    await waitFor(() => total() >= copies, { timeoutMs: 120_000, what: `${copies} deliveries` });

    let duplicated = 0;
    let lost = 0;
    for (const [name, sink] of sinks) {
      const got = tally(sink.received.map((envelope) => envelope.id));
      duplicated += [...got.values()].reduce((sum, count) => sum + count - 1, 0);
      const expected = sent.filter((envelope) => envelope.from !== name);
      lost += expected.filter((envelope) => !got.has(envelope.id)).length;
      expect(
        sink.received.some((envelope) => envelope.from === name),
        `${name} got its own message`,
      ).toBe(false);
      // Each sender's messages reach each member in the order they were sent.
      for (const from of members.filter((other) => other !== name)) {
        expect(sink.received.filter((envelope) => envelope.from === from).map((envelope) => envelope.text)).toEqual(
          Array.from({ length: PER_AGENT }, (_, i) => `${from}-${i}`),
        );
      }
    }
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    for (const name of members) {
      await waitFor(async () => (await messageIds(project.box(name, 'done'))).length === sent.length - PER_AGENT, {
        what: `${name}'s acks`,
      });
      expect(await names(project.box(name, 'inbox'))).toEqual([]);
      expect(await names(project.box(name, 'dead'))).toEqual([]);
    }
    const delivered = total();

    await recordFigures(
      {
        scenario: 'load-room',
        order: 40,
        title: 'Fifty agents in one room',
        proves: [
          `${AGENTS} agents, each a full kernel with its own folder transport and inbox, are ` +
            `static members of room:all (the rooms plugin, from .cc2ccrc.json); they run as ` +
            `${AGENTS} kernels in one process rather than ${AGENTS} processes, to fit a 2-core CI machine.`,
          `Each agent sends ${PER_AGENT} messages to room:all at the same time as the others; ` +
            `each fans out on write to the ${AGENTS - 1} other members.`,
          "Every member gets every other member's messages once, in each sender's order, and never its own.",
        ],
        table: {
          columns: ['agents', 'messages sent', 'copies (× 49)', 'delivered', 'duplicated', 'lost'],
          rows: [[AGENTS, sent.length, copies, delivered, duplicated, lost]],
        },
        summary: { runs: 1, messages: copies, kills: 0, delivered, lost, duplicated },
        command: 'npm run build && npx vitest run test/reliability/load-room.test.ts',
      },
      { replay: false },
    );
  }, 240_000);
});
