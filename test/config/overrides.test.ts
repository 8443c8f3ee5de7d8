import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { CLOCK, ROUTER } from '../../src/kernel/tokens.js';
import { createRuntime } from '../../src/runtime.js';
import type { DependencyContainer } from 'tsyringe';
import type { Clock } from '../../src/kernel/clock.js';
import type { Router } from '../../src/kernel/router.js';

const fixed: Clock = { now: () => new Date(Date.UTC(2030, 0, 1)) };

describe('config overrides: the last word on the kernel registrations', () => {
  it("replaces the kernel's router from the config, and a caller's overrides come after the config's", async () => {
    const routed: string[] = [];
    const router: Router = {
      async resolve(envelope) {
        routed.push(envelope.to);
        return [{ agent: 'bob' }];
      },
    };
    const config = resolveConfig(
      {
        transport: 'memory',
        overrides: (container: DependencyContainer) => {
          container.register(ROUTER, { useValue: router });
          container.register(CLOCK, { useValue: { now: () => new Date(0) } });
        },
      },
      { projectDir: process.cwd() },
    );
    const runtime = await createRuntime(config, {
      logger: silentLogger,
      overrides: (container) => container.register(CLOCK, { useValue: fixed }),
    });
    try {
      await runtime.bus.send({ from: 'ann', to: 'anyone-at-all', text: 'hi' });
      expect(routed).toEqual(['anyone-at-all']);
      expect(runtime.container.resolve<Clock>(CLOCK).now().getUTCFullYear()).toBe(2030);
    } finally {
      await runtime.close();
    }
  });

  it('refuses a value that is not a function, saying what is accepted', () => {
    expect(() => resolveConfig({ overrides: 'router' }, { projectDir: process.cwd() })).toThrow(
      /overrides: a function \(container\) => void, in a JS\/TS config/,
    );
  });
});
