import { describe, expect, it } from 'vitest';
import { compose } from '../../src/kernel/compose.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { definePlugin, type Plugin } from '../../src/kernel/plugin.js';
import type { CheckRun } from '../../src/kernel/check.js';
import type { MonitorEvent, MonitorStart } from '../../src/kernel/monitor.js';
import { MemoryTransport } from '../../src/transports/memory/memory-transport.js';
import { kernelConfig, useCleanup } from './helpers.js';

const cleanupAfterTest = useCleanup();

async function kernelWith(plugins: Plugin[]) {
  const transport = new MemoryTransport();
  const kernel = await compose({ config: kernelConfig(), transport, plugins, logger: silentLogger });
  cleanupAfterTest(kernel.close);
  return kernel;
}

function checking(plugin: string, name: string, run: CheckRun): Plugin {
  return definePlugin({ name: plugin, setup: (ctx) => ctx.addCheck(name, run) });
}

function watching(plugin: string, start: MonitorStart): Plugin {
  return definePlugin({ name: plugin, setup: (ctx) => ctx.addMonitor(plugin, start) });
}

describe('ctx.addCheck', () => {
  it('runs every check in plugin order, names each finding after its check, and reads the bus', async () => {
    const kernel = await kernelWith([
      checking('first', 'agents-seen', async ({ bus }) => {
        const agents = await bus.agents();
        return [{ level: 'info', message: `${agents.length} agents` }];
      }),
      checking('second', 'quiet', () => []),
      checking('third', 'worried', () => [{ level: 'warn', message: 'something', fix: 'do this' }]),
    ]);
    expect(await kernel.extensions.runChecks({ bus: kernel.bus })).toEqual([
      { level: 'info', check: 'agents-seen', message: '0 agents' },
      { level: 'warn', check: 'worried', message: 'something', fix: 'do this' },
    ]);
  });

  it('turns a check that throws into a fail naming the plugin, and still runs the others', async () => {
    const kernel = await kernelWith([
      checking('broken', 'broken', () => Promise.reject(new Error('no database'))),
      checking('fine', 'fine', () => [{ level: 'ok', message: 'all good' }]),
    ]);
    expect(await kernel.extensions.runChecks({ bus: kernel.bus })).toEqual([
      {
        level: 'fail',
        check: 'broken',
        message: 'plugin "broken" check broken failed: no database',
        fix: expect.stringMatching(/"broken" plugin fixed/),
      },
      { level: 'ok', check: 'fine', message: 'all good' },
    ]);
  });

  it('refuses a check name another plugin took, and a name that is not a word', async () => {
    const twice = [checking('one', 'claims', () => []), checking('two', 'claims', () => [])];
    await expect(kernelWith(twice)).rejects.toMatchObject({
      code: 'PLUGIN_INVALID',
      message: 'plugin "two": check "claims" is already added by "one"',
    });
    await expect(kernelWith([checking('one', 'Bad Name', () => [])])).rejects.toMatchObject({
      code: 'PLUGIN_INVALID',
      message: expect.stringMatching(/check "Bad Name" must be lowercase/),
    });
  });
});

describe('ctx.addMonitor', () => {
  it('starts every monitor, reports a failed start naming the plugin, and stops them all', async () => {
    const stopped: string[] = [];
    const kernel = await kernelWith([
      watching('counter', async ({ report }) => {
        report({ state: 'counted', agent: 'calm-owl', text: 'one', data: { n: 1 } });
        return () => void stopped.push('counter');
      }),
      watching('flaky', () => Promise.reject(new Error('cannot watch'))),
      watching('late', async () => async () => void stopped.push('late')),
    ]);
    const reported: MonitorEvent[] = [];
    const warnings: string[] = [];
    const stop = await kernel.extensions.startMonitors({
      bus: kernel.bus,
      report: (event) => reported.push(event),
      warn: (message) => warnings.push(message),
    });
    expect(reported).toEqual([{ state: 'counted', agent: 'calm-owl', text: 'one', data: { n: 1 } }]);
    expect(warnings).toEqual(['plugin "flaky" monitor flaky failed to start: cannot watch']);
    await stop();
    expect(stopped.sort()).toEqual(['counter', 'late']);
  });
});
