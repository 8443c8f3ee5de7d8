import { describe, expect, it } from 'vitest';
import { compose } from '../../src/kernel/compose.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { definePlugin, type Plugin } from '../../src/kernel/plugin.js';
import type { MonitorEvent } from '../../src/kernel/monitor.js';
import { MemoryTransport } from '../../src/transports/memory/memory-transport.js';
import { kernelConfig, useCleanup } from './helpers.js';

const cleanupAfterTest = useCleanup();

async function kernelWith(plugins: Plugin[]) {
  const kernel = await compose({ config: kernelConfig(), transport: new MemoryTransport(), plugins, logger: silentLogger });
  cleanupAfterTest(kernel.close);
  return kernel;
}

describe('ctx.addCheck', () => {
  it('runs every check in plugin order, names each finding after its check, and reads the bus', async () => {
    const kernel = await kernelWith([
      definePlugin({ name: 'first', setup: (ctx) => ctx.addCheck('agents-seen', async ({ bus }) => [{ level: 'info', message: `${(await bus.agents()).length} agents` }]) }),
      definePlugin({ name: 'second', setup: (ctx) => ctx.addCheck('quiet', () => []) }),
      definePlugin({ name: 'third', setup: (ctx) => ctx.addCheck('worried', () => [{ level: 'warn', message: 'something', fix: 'do this' }]) }),
    ]);
    expect(await kernel.extensions.runChecks({ bus: kernel.bus })).toEqual([
      { level: 'info', check: 'agents-seen', message: '0 agents' },
      { level: 'warn', check: 'worried', message: 'something', fix: 'do this' },
    ]);
  });

  it('turns a check that throws into a fail naming the plugin, and still runs the others', async () => {
    const kernel = await kernelWith([
      definePlugin({ name: 'broken', setup: (ctx) => ctx.addCheck('broken', () => Promise.reject(new Error('no database'))) }),
      definePlugin({ name: 'fine', setup: (ctx) => ctx.addCheck('fine', () => [{ level: 'ok', message: 'all good' }]) }),
    ]);
    expect(await kernel.extensions.runChecks({ bus: kernel.bus })).toEqual([
      { level: 'fail', check: 'broken', message: 'plugin "broken" check broken failed: no database', fix: expect.stringMatching(/"broken" plugin fixed/) },
      { level: 'ok', check: 'fine', message: 'all good' },
    ]);
  });

  it('refuses a check name another plugin took, and a name that is not a word', async () => {
    const check = (plugin: string, name: string) => definePlugin({ name: plugin, setup: (ctx) => ctx.addCheck(name, () => []) });
    await expect(kernelWith([check('one', 'claims'), check('two', 'claims')])).rejects.toMatchObject({
      code: 'PLUGIN_INVALID',
      message: 'plugin "two": check "claims" is already added by "one"',
    });
    await expect(kernelWith([check('one', 'Bad Name')])).rejects.toMatchObject({ code: 'PLUGIN_INVALID', message: expect.stringMatching(/check "Bad Name" must be lowercase/) });
  });
});

describe('ctx.addMonitor', () => {
  it('starts every monitor with report and warn, reports a failed start naming the plugin, and stops them all', async () => {
    const stopped: string[] = [];
    const kernel = await kernelWith([
      definePlugin({
        name: 'counter',
        setup: (ctx) =>
          ctx.addMonitor('counter', async ({ report }) => {
            report({ state: 'counted', agent: 'calm-owl', text: 'one', data: { n: 1 } });
            return () => void stopped.push('counter');
          }),
      }),
      definePlugin({ name: 'flaky', setup: (ctx) => ctx.addMonitor('flaky', () => Promise.reject(new Error('cannot watch'))) }),
      definePlugin({ name: 'late', setup: (ctx) => ctx.addMonitor('late', async () => async () => void stopped.push('late')) }),
    ]);
    const reported: MonitorEvent[] = [];
    const warnings: string[] = [];
    const stop = await kernel.extensions.startMonitors({ bus: kernel.bus, report: (event) => reported.push(event), warn: (message) => warnings.push(message) });
    expect(reported).toEqual([{ state: 'counted', agent: 'calm-owl', text: 'one', data: { n: 1 } }]);
    expect(warnings).toEqual(['plugin "flaky" monitor flaky failed to start: cannot watch']);
    await stop();
    expect(stopped.sort()).toEqual(['counter', 'late']);
  });
});
