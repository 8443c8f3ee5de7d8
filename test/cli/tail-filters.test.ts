import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createRuntime } from '../../src/runtime.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { ConsoleSink } from '../../src/sinks/console-sink.js';
import { FilterDropTracker } from '../../src/cli/filter-drops.js';
import { formatDrop } from '../../src/cli/commands/tail.js';
import type { AgentInfo } from '../../src/kernel/presence.js';
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

const agent = (name: string, dropped?: Record<string, number>): AgentInfo => ({
  name,
  state: 'online',
  presence: { name, state: 'online', pid: 1, host: 'h', startedAt: '', lastSeen: '', data: dropped ? { filters: { dropped } } : {} },
});

describe('filter drops in cc2cc tail', () => {
  it('reports growth per rule after the first look, and counts from zero again after a restart', () => {
    const tracker = new FilterDropTracker();
    tracker.baseline([agent('calm-owl', { deny: 4 })]);
    expect(tracker.update([agent('calm-owl', { deny: 4 })])).toEqual([]);
    expect(tracker.update([agent('calm-owl', { deny: 6, size: 1 }), agent('new-agent', { 'rate-limit': 2 })])).toEqual([
      { agent: 'calm-owl', rule: 'deny', added: 2, total: 6 },
      { agent: 'calm-owl', rule: 'size', added: 1, total: 1 },
      { agent: 'new-agent', rule: 'rate-limit', added: 2, total: 2 },
    ]);
    // calm-owl restarted: its counts start again at zero.
    expect(tracker.update([agent('calm-owl', { deny: 1 }), agent('new-agent', { 'rate-limit': 2 })])).toEqual([{ agent: 'calm-owl', rule: 'deny', added: 1, total: 1 }]);
    expect(formatDrop({ agent: 'calm-owl', rule: 'deny', added: 1, total: 1 })).toMatch(/ filtered calm-owl: 1 deny — dropped \(sender denied\); 1 by this rule since calm-owl started$/);
  });

  it('prints every drop with its rule, next to the dead letter it made', async () => {
    await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ agents: ['calm-owl'], plugins: [['filters', { deny: ['spam-*'], maxTextBytes: 20 }]] }));
    const tail = spawnNode([CLI, 'tail', '--json'], project);
    started.push(tail);
    await waitFor(() => tail.stderr.some((line) => line.includes('cc2cc tail: watching')), { what: 'tail to start' });

    const runtime = await createRuntime(await loadConfig({ cwd: project }), { sink: new ConsoleSink(() => {}), logger: silentLogger });
    try {
      await runtime.bus.attach('calm-owl');
      await runtime.bus.send({ from: 'spam-bot', to: 'calm-owl', text: 'buy now' });
      await runtime.bus.send({ from: 'brave-fox', to: 'calm-owl', text: 'hi' });
      const events = () => tail.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      await waitFor(() => events().some((event) => event.state === 'filtered'), { what: 'a filtered line', timeoutMs: 20_000 });
      expect(events().filter((event) => event.state === 'filtered')).toEqual([{ state: 'filtered', agent: 'calm-owl', rule: 'deny', added: 1, total: 1 }]);
      // The bus folder did not exist when tail started: the observer finds it on its rescan.
      await waitFor(() => events().some((event) => event.state === 'dead'), { what: 'the dead letter' });
      expect(events()).toContainEqual(expect.objectContaining({ state: 'dead', agent: 'calm-owl', from: 'spam-bot', reason: 'filters: sender spam-bot is denied (filters.deny)' }));
      await waitFor(() => events().some((event) => event.state === 'done' && event.text === 'hi'), { what: 'the allowed message done' });
    } finally {
      await runtime.close();
    }
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
  });
});
