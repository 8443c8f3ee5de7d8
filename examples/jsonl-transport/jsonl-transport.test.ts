import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueSink, createRuntime, resolveConfig, silentLogger, type Cc2cc } from 'cc2cc';
import { runTransportContract, waitFor } from 'cc2cc/testing';
import { JsonlTransport, jsonlTransport } from './jsonl-transport.js';

// The same suite the built-in transports pass, unchanged: this is what "done" means for a transport.
// The cross-process clause runs the built process-opener.js in a child process: `npm run build` first.
const OPENER = new URL('../../dist/examples/jsonl-transport/process-opener.js', import.meta.url).href;

runTransportContract({
  name: 'jsonl (example)',
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'cc2cc-jsonl-'));
    const file = join(dir, 'bus.jsonl');
    return {
      connect: async () => new JsonlTransport({ file, pollMs: 10 }),
      cleanup: () => rm(dir, { recursive: true, force: true }),
      process: { opener: OPENER, options: { file, pollMs: 10 } },
    };
  },
  skip: [
    { reason: 'it appends one put line per recipient', tests: ['putMany'] },
    { reason: 'it has no locate', tests: ['locate'] },
    { reason: 'a new observer starts at the end of the file', tests: ['observe replay'] },
    { reason: 'it keeps no bus state: the kernel keeps it in memory', tests: ['busState'] },
    { reason: 'attempts are counted by the receiver, in memory', tests: ['attempts across crashes'] },
    { reason: 'it checks its inbox lock at open only: a receiver never learns it was taken', tests: ['lost inbox'] },
    { reason: 'it checks its inbox lock at open only: a vanished lock is not taken again', tests: ['retaken inbox'] },
  ],
});

describe('the jsonl transport as a project bus', () => {
  const open: Cc2cc[] = [];
  let dir: string | undefined;
  afterEach(async () => {
    await Promise.all(open.splice(0).map((runtime) => runtime.close()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is plugged in through the config and carries a message between two agents', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cc2cc-jsonl-project-'));
    // What a cc2cc.config.ts would export: `transport: jsonlTransport()`.
    const config = resolveConfig(
      { agents: ['backend', 'tests'], transport: jsonlTransport({ pollMs: 10 }) },
      { projectDir: dir },
    );
    const inbox = new QueueSink();
    const tests = await createRuntime(config, { sink: inbox, logger: silentLogger });
    open.push(tests);
    await tests.bus.attach('tests');
    const backend = await createRuntime(config, { logger: silentLogger });
    open.push(backend);

    const sent = await backend.bus.send({ from: 'backend', to: 'tests', text: 'API is up on :3000' });
    expect(sent.results).toEqual([{ agent: 'tests', status: 'queued' }]);
    await waitFor(() => inbox.size === 1, { what: 'the message at tests' });
    expect((await inbox.take()).map((envelope) => envelope.text)).toEqual(['API is up on :3000']);
    expect(backend.bus.transport.kind).toBe('jsonl');
  });
});
