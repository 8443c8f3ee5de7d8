import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definePlugin, type AgentInfo, type MonitorEvent } from '../../../src/plugin.js';
import { formatMonitorEvent } from '../../../src/cli/commands/tail.js';
import {
  describeDrop,
  dropFindings,
  dropsCheck,
  dropsMonitor,
  FILTER_RULES,
  FilterDropTracker,
} from '../../../plugins/filters/index.js';
import { waitFor } from '../../../src/testing/wait-for.js';
import { memoryAgents, useCleanup } from '../../kernel/helpers.js';

const cleanupAfterTest = useCleanup();

const agent = (name: string, dropped?: Record<string, number>): AgentInfo => ({
  name,
  state: 'online',
  presence: {
    name,
    state: 'online',
    pid: 1,
    host: 'h',
    startedAt: '',
    lastSeen: '',
    data: dropped ? { filters: { dropped } } : {},
  },
});

describe('the filters plugin in cc2cc doctor', () => {
  it('warns about drops that lost a message, and only notes those that held back or deduplicated', () => {
    expect(dropFindings('calm-owl', { filters: { dropped: { 'rate-limit': 3, duplicate: 1 } } })).toEqual([
      {
        level: 'info',
        message: 'calm-owl: filters held back or deduplicated rate-limit 3, duplicate 1 (nothing lost)',
      },
    ]);
    expect(dropFindings('calm-owl', { filters: { dropped: { size: 1, 'rate-limit': 2 } } })[0]).toMatchObject({
      level: 'warn',
      message: 'calm-owl: filters dropped size 1; held back or deduplicated rate-limit 2 (nothing lost)',
    });
    expect(dropFindings('calm-owl', {})).toEqual([]);
  });

  it('counts a rule it does not know (from a newer agent) as a loss', () => {
    expect(dropFindings('calm-owl', { filters: { dropped: { 'from-the-future': 1 } } })[0]).toMatchObject({
      level: 'warn',
      message: 'calm-owl: filters dropped from-the-future 1',
    });
  });
});

describe('the filters plugin in cc2cc tail', () => {
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
    expect(tracker.update([agent('calm-owl', { deny: 1 }), agent('new-agent', { 'rate-limit': 2 })])).toEqual([
      { agent: 'calm-owl', rule: 'deny', added: 1, total: 1 },
    ]);
    expect(formatMonitorEvent(describeDrop({ agent: 'calm-owl', rule: 'deny', added: 1, total: 1 }))).toMatch(
      / filtered calm-owl: 1 deny — dropped \(sender denied\); 1 by this rule since calm-owl started$/,
    );
  });
});

describe('a new filter rule is a row in plugins/filters/rules.ts', () => {
  const withProfanity = { ...FILTER_RULES, profanity: { effect: 'dropped (profanity)', loses: true } };
  // The check and monitor the filters plugin registers, over a rule table with one more row.
  const extended = definePlugin({
    name: 'filters-extended',
    setup(ctx) {
      ctx.addCheck('filters', dropsCheck(withProfanity));
      ctx.addMonitor('filters', dropsMonitor(withProfanity, 10));
    },
  });

  it('shows in doctor and tail with no change outside the plugin', async () => {
    const world = await memoryAgents(['calm-owl', 'brave-fox'], { plugins: () => [extended] });
    cleanupAfterTest(world.close);
    const owl = world.agents['calm-owl']!.kernel;
    const observer = world.agents['brave-fox']!.kernel;
    await owl.bus.setPresenceData('filters', { dropped: { profanity: 2 } });
    expect(await observer.extensions.runChecks({ bus: observer.bus })).toEqual([
      { level: 'warn', check: 'filters', message: 'calm-owl: filters dropped profanity 2', fix: expect.any(String) },
    ]);

    const reported: MonitorEvent[] = [];
    const stop = await observer.extensions.startMonitors({
      bus: observer.bus,
      report: (event) => reported.push(event),
      warn: (message) => expect.fail(message),
    });
    try {
      await owl.bus.setPresenceData('filters', { dropped: { profanity: 3 } });
      await waitFor(() => reported.length > 0, { what: 'the monitor to see the new drop' });
    } finally {
      await stop();
    }
    const data = { rule: 'profanity', added: 1, total: 3 };
    expect(reported).toEqual([{ state: 'filtered', agent: 'calm-owl', text: expect.any(String), data }]);
    const line = formatMonitorEvent(reported[0]!);
    expect(line).toMatch(/ filtered calm-owl: 1 profanity — dropped \(profanity\); 3 by this rule since /);
  });

  it('is named nowhere in the CLI: doctor and tail show what the plugin contributes', () => {
    const cli = resolve(import.meta.dirname, '../../../src/cli');
    const files = readdirSync(cli, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    const named = files.flatMap((file) => {
      const text = readFileSync(join(cli, file), 'utf8');
      const quoted = (rule: string) => text.includes(`'${rule}'`) || text.includes(`"${rule}"`);
      return Object.keys(FILTER_RULES)
        .filter(quoted)
        .map((rule) => `${file}: ${rule}`);
    });
    expect(named).toEqual([]);
  });
});
