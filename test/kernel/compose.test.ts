import { describe, expect, it } from 'vitest';
import { compose } from '../../src/kernel/compose.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { optionalService } from '../../src/kernel/services.js';
import { CLOCK, REQUESTS, ROUTER } from '../../src/kernel/tokens.js';
import { MemoryTransport } from '../../src/transports/memory/memory-transport.js';
import { kernelConfig, RecordingSink, useCleanup } from './helpers.js';
import type { Clock } from '../../src/kernel/clock.js';
import type { Plugin } from '../../src/kernel/plugin.js';
import type { Router } from '../../src/kernel/router.js';

const cleanup = useCleanup();
const GREETER = Symbol('test.Greeter');

const provider: Plugin = { name: 'provider', setup: (ctx) => ctx.provide(GREETER, { hello: () => 'hi' }) };

describe('compose: services come from the container', () => {
  it('resolves a plugin service from another plugin, from the root container, and lets overrides win', async () => {
    let seenByConsumer: unknown;
    const consumer: Plugin = {
      name: 'consumer',
      dependencies: ['provider'],
      setup: (ctx) => {
        seenByConsumer = ctx.service<{ hello(): string }>(GREETER)?.hello();
      },
    };
    const fixed: Clock = { now: () => new Date(42) };
    const kernel = await compose({
      config: kernelConfig(),
      transport: new MemoryTransport(),
      sink: new RecordingSink(),
      plugins: [provider, consumer],
      logger: silentLogger,
      overrides: (container) => container.register(CLOCK, { useValue: fixed }),
    });
    cleanup(() => kernel.close());
    expect(seenByConsumer).toBe('hi');
    expect(optionalService<{ hello(): string }>(kernel.container, GREETER)?.hello()).toBe('hi');
    expect(optionalService(kernel.container, REQUESTS)).toBeUndefined();
    expect(kernel.container.resolve<Clock>(CLOCK).now().getTime()).toBe(42);
  });

  it('builds the router through the container, so an override replaces it for the Bus', async () => {
    const routed: string[] = [];
    const transport = new MemoryTransport();
    const router: Router = {
      async resolve(envelope) {
        routed.push(envelope.to);
        return [];
      },
    };
    const kernel = await compose({
      config: kernelConfig(),
      transport,
      sink: new RecordingSink(),
      logger: silentLogger,
      overrides: (container) => container.register(ROUTER, { useValue: router }),
    });
    cleanup(() => kernel.close());
    await kernel.bus.attach('sender');
    await kernel.bus.send({ to: 'nobody-here', text: 'x' }).catch(() => undefined);
    expect(routed).toEqual(['nobody-here']);
  });

  it('refuses a second provider of one service, naming both plugins', async () => {
    const second: Plugin = { name: 'second', setup: (ctx) => ctx.provide(GREETER, {}) };
    await expect(
      compose({
        config: kernelConfig(),
        transport: new MemoryTransport(),
        plugins: [provider, second],
        logger: silentLogger,
      }),
    ).rejects.toThrow('service test.Greeter is already provided by "provider"');
  });
});
