import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createRuntime } from '../../src/runtime.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { ConsoleSink } from '../../src/sinks/console-sink.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { CLI, spawnNode, type Captured } from './process-helpers.js';

let project: string;
const started: Captured[] = [];
beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'cc2cc-tail-'));
});
afterEach(async () => {
  for (const run of started.splice(0)) if (run.child.exitCode === null) run.child.kill('SIGKILL');
  await rm(project, { recursive: true, force: true });
});

describe('filter drops in cc2cc tail', () => {
  it('prints every drop with its rule, next to the dead letter it made', async () => {
    await writeFile(
      join(project, '.cc2ccrc.json'),
      JSON.stringify({ agents: ['calm-owl'], plugins: [['filters', { deny: ['spam-*'], maxTextBytes: 20 }]] }),
    );
    const tail = spawnNode([CLI, 'tail', '--json'], project);
    started.push(tail);
    await waitFor(() => tail.stderr.some((line) => line.includes('cc2cc tail: watching')), { what: 'tail to start' });

    const runtime = await createRuntime(await loadConfig({ cwd: project }), {
      sink: new ConsoleSink(() => {}),
      logger: silentLogger,
    });
    try {
      await runtime.bus.attach('calm-owl');
      await runtime.bus.send({ from: 'spam-bot', to: 'calm-owl', text: 'buy now' });
      await runtime.bus.send({ from: 'brave-fox', to: 'calm-owl', text: 'hi' });
      const events = () => tail.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      await waitFor(() => events().some((event) => event.state === 'filtered'), {
        what: 'a filtered line',
        timeoutMs: 20_000,
      });
      expect(events().filter((event) => event.state === 'filtered')).toEqual([
        { state: 'filtered', agent: 'calm-owl', rule: 'deny', added: 1, total: 1 },
      ]);
      // The bus folder did not exist when tail started: the observer finds it on its rescan.
      await waitFor(() => events().some((event) => event.state === 'dead'), { what: 'the dead letter' });
      expect(events()).toContainEqual(
        expect.objectContaining({
          state: 'dead',
          agent: 'calm-owl',
          from: 'spam-bot',
          reason: 'filters: sender spam-bot is denied (filters.deny)',
        }),
      );
      await waitFor(() => events().some((event) => event.state === 'done' && event.text === 'hi'), {
        what: 'the allowed message done',
      });
    } finally {
      await runtime.close();
    }
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
  });
});
