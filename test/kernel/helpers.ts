import { afterEach } from 'vitest';
import { compose, type Cc2cc } from '../../src/kernel/compose.js';
import { KERNEL_DEFAULTS, type KernelConfig } from '../../src/kernel/options.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { MemorySpace, MemoryTransport } from '../../src/transports/memory/memory-transport.js';
import type { Envelope } from '../../src/kernel/envelope.js';
import type { Plugin } from '../../src/kernel/plugin.js';
import type { Sink } from '../../src/kernel/sink.js';

/** A sink that records what it got, for kernel tests. */
export class RecordingSink implements Sink {
  readonly name = 'recording';
  readonly received: Envelope[] = [];
  failWith: Error | undefined;

  async deliver(envelope: Envelope): Promise<'delivered'> {
    if (this.failWith) throw this.failWith;
    this.received.push(envelope);
    return 'delivered';
  }
}

export function kernelConfig(overrides: Partial<KernelConfig> = {}): KernelConfig {
  return { ...KERNEL_DEFAULTS, projectDir: process.cwd(), retryDelayMs: 5, ...overrides };
}

/** Several agents over one in-memory space, each with its own kernel. */
export async function memoryAgents(
  names: string[],
  { plugins = () => [], config = {} }: { plugins?: () => Plugin[]; config?: Partial<KernelConfig> } = {},
) {
  const space = new MemorySpace();
  const agents: Record<string, { kernel: Cc2cc; sink: RecordingSink }> = {};
  for (const name of names) {
    const sink = new RecordingSink();
    const kernel = await compose({
      config: kernelConfig(config),
      transport: new MemoryTransport(space),
      sink,
      plugins: plugins(),
      logger: silentLogger,
    });
    await kernel.bus.attach(name);
    agents[name] = { kernel, sink };
  }
  return {
    space,
    agents,
    close: () => Promise.all(Object.values(agents).map(({ kernel }) => kernel.close())),
  };
}

/** Registers what a test must close; it is closed after each test, pass or fail. */
export function useCleanup(): (close: () => Promise<unknown>) => void {
  let pending: (() => Promise<unknown>) | undefined;
  afterEach(async () => {
    await pending?.();
    pending = undefined;
  });
  return (close) => {
    pending = close;
  };
}
