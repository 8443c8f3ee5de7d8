import { describe, expect, it } from 'vitest';
import { compose, type Cc2cc } from '../../src/kernel/compose.js';
import { isCc2ccError } from '../../src/kernel/errors.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { MADE_UP_NAME_KEY } from '../../src/kernel/presence.js';
import { retireAgent, retireIdleAgents } from '../../src/kernel/retire.js';
import { MemorySpace, MemoryTransport } from '../../src/transports/memory/memory-transport.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { kernelConfig, RecordingSink, useCleanup } from './helpers.js';
import type { KernelConfig } from '../../src/kernel/options.js';

const cleanupAfterTest = useCleanup();

async function world(config: Partial<KernelConfig> = {}) {
  const space = new MemorySpace();
  const kernels: Cc2cc[] = [];
  const start = async (name: string, madeUp = false) => {
    const kernel = await compose({
      config: kernelConfig(config),
      transport: new MemoryTransport(space),
      sink: new RecordingSink(),
      logger: silentLogger,
    });
    await kernel.bus.attach(name, madeUp ? { data: { [MADE_UP_NAME_KEY]: true } } : {});
    kernels.push(kernel);
    return kernel;
  };
  cleanupAfterTest(() => Promise.all(kernels.map((kernel) => kernel.close())));
  return { start };
}

const code = (error: unknown) => (isCc2ccError(error) ? error.code : String(error));
const names = async (kernel: Cc2cc) => (await kernel.bus.agents()).map((agent) => agent.name);

describe('retiring agents (memory transport)', () => {
  it(
    'retires an idle made-up agent after retireAfterMs, never a named one; a retired agent is no ' + 'recipient',
    async () => {
      const { start } = await world({ retireAfterMs: 1 });
      const alice = await start('alice');
      await (await start('bob')).close();
      await (await start('swift-owl', true)).close();
      const retired = await waitFor(async () => {
        const now = await retireIdleAgents(alice.bus, silentLogger);
        return now.length > 0 ? now : undefined;
      });
      expect(retired).toEqual(['swift-owl']);
      expect(await names(alice)).toEqual(['alice', 'bob']);
      expect(code(await alice.bus.send({ to: 'swift-owl', text: 'hi' }).catch((error: unknown) => error))).toBe(
        'UNKNOWN_RECIPIENT',
      );
      expect((await alice.bus.send({ to: '*', text: 'all' })).results.map((result) => result.agent)).toEqual(['bob']);
      // It comes back when a session of that name starts again.
      await start('swift-owl', true);
      expect(await names(alice)).toEqual(['alice', 'bob', 'swift-owl']);
    },
  );

  it(
    'refuses a live, a configured, and (without force) a waiting agent; force moves the waiting ' + 'to dead letters',
    async () => {
      const { start } = await world({ agents: ['ops'] });
      const alice = await start('alice');
      await (await start('bob')).close();
      await alice.bus.send({ to: 'bob', text: 'waiting' });
      const reason = { reason: 'test' };
      expect(code(await retireAgent(alice.bus, 'alice', reason).catch((error: unknown) => error))).toBe('AGENT_LIVE');
      expect(code(await retireAgent(alice.bus, 'ops', reason).catch((error: unknown) => error))).toBe('BAD_INPUT');
      expect(code(await retireAgent(alice.bus, 'nobody', reason).catch((error: unknown) => error))).toBe('NOT_FOUND');
      expect(code(await retireAgent(alice.bus, 'bob', reason).catch((error: unknown) => error))).toBe(
        'MESSAGES_WAITING',
      );
      expect(await retireAgent(alice.bus, 'bob', { reason: 'cleanup', force: true })).toMatchObject({
        name: 'bob',
        deadLettered: 1,
      });
      expect((await alice.bus.transport.deadLetters('bob')).map((letter) => letter.reason)).toEqual([
        'retired: cleanup',
      ]);
      expect(await names(alice)).toEqual(['alice', 'ops']);
    },
  );
});
