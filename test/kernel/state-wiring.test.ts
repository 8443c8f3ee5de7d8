import { describe, expect, it } from 'vitest';
import { compose } from '../../src/kernel/compose.js';
import { definePlugin, type PluginContext } from '../../src/kernel/plugin.js';
import { STATE } from '../../src/kernel/tokens.js';
import type { Logger } from '../../src/kernel/logger.js';
import type { Transport } from '../../src/kernel/transport.js';
import type { State } from '../../src/kernel/state.js';
import { MemoryTransport } from '../../src/transports/memory/memory-transport.js';
import { kernelConfig } from './helpers.js';

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (message: string) => void warnings.push(message), error() {} };
}

describe('the bus state in the composition root', () => {
  it("is the transport's busState, under STATE, as ctx.state and as bus.state", async () => {
    const transport = new MemoryTransport();
    let seen: State | undefined;
    const peek = definePlugin({ name: 'peek', setup: (ctx: PluginContext) => void (seen = ctx.state) });
    const kernel = await compose({ config: kernelConfig(), transport, plugins: [peek] });
    expect(kernel.container.resolve(STATE)).toBe(transport.busState);
    expect(seen).toBe(transport.busState);
    expect(kernel.bus.state).toBe(transport.busState);
    await kernel.close();
  });

  it('for a transport without one, is kept in this process and says so once, on the first write', async () => {
    const memory = new MemoryTransport();
    // A third-party transport that predates busState: every member but that one.
    const bare: Transport = {
      kind: 'bare',
      put: (to, envelope) => memory.put(to, envelope),
      open: (agent, handler) => memory.open(agent, handler),
      announce: (record) => memory.announce(record),
      agents: () => memory.agents(),
      stats: (agent) => memory.stats(agent),
      deadLetters: (agent) => memory.deadLetters(agent),
      observe: (listener) => memory.observe(listener),
      close: () => memory.close(),
    };
    const logger = recordingLogger();
    const kernel = await compose({ config: kernelConfig(), transport: bare, logger });
    expect(await kernel.bus.state.get('agent/ann/rooms')).toBeUndefined();
    expect(logger.warnings).toEqual([]);
    expect((await kernel.bus.state.set('agent/ann/rooms', ['backend'])).ok).toBe(true);
    await kernel.bus.state.set('agent/ann/topics', ['ci.*']);
    expect(await kernel.bus.state.get('agent/ann/rooms')).toMatchObject({ value: ['backend'] });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/the "bare" transport keeps no bus state .* in this process only/);
    await kernel.close();
  });
});
