import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compose, type Cc2cc } from '../src/kernel/compose.js';
import { KERNEL_DEFAULTS } from '../src/kernel/options.js';
import { silentLogger } from '../src/kernel/logger.js';
import { FsTransport, type FsTransportOptions } from '../src/transports/fs/index.js';
import type { Envelope } from '../src/kernel/envelope.js';
import type { Plugin } from '../src/kernel/plugin.js';
import type { Sink } from '../src/kernel/sink.js';
import type { Transport } from '../src/kernel/transport.js';

/** A sink that stamps each arrival and wakes whoever waits for a count. */
export class TimingSink implements Sink {
  readonly name = 'timing';
  readonly arrivals = new Map<string, number>();
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  async deliver(envelope: Envelope): Promise<'delivered'> {
    this.arrivals.set(envelope.id, performance.now());
    this.waiters = this.waiters.filter((waiter) => {
      if (this.arrivals.size < waiter.count) return true;
      waiter.resolve();
      return false;
    });
    return 'delivered';
  }

  until(count: number): Promise<void> {
    if (this.arrivals.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

export type TransportFactory = () => Transport | Promise<Transport>;

export function fsTransports(dir: string, options: Partial<FsTransportOptions> = {}): TransportFactory {
  return () => new FsTransport({ root: join(dir, '.cc2cc'), logger: silentLogger, ...options });
}

/** One kernel, as one agent process would have it. */
export async function kernel(
  transport: Transport,
  options: { sink?: Sink; plugins?: Plugin[]; agents?: string[] } = {},
): Promise<Cc2cc> {
  return compose({
    config: { ...KERNEL_DEFAULTS, projectDir: process.cwd(), agents: options.agents ?? [] },
    transport,
    ...(options.sink && { sink: options.sink }),
    plugins: options.plugins ?? [],
    logger: silentLogger,
  });
}

/** A sender and a receiver over one store; the receiver stamps arrivals. */
export async function pair(transports: TransportFactory) {
  const sink = new TimingSink();
  const receiver = await kernel(await transports(), { sink });
  await receiver.bus.attach('receiver');
  const sender = await kernel(await transports(), { agents: ['receiver'] });
  return {
    sink,
    sender,
    receiver,
    close: async () => {
      await sender.close();
      await receiver.close();
    },
  };
}

/** Sends `count` messages one at a time, each after the previous arrived: latency per message. */
export async function oneAtATime(
  transports: TransportFactory,
  count: number,
  progress: (message: string) => void,
): Promise<number[]> {
  const session = await openOneAtATime(transports);
  try {
    const samples: number[] = [];
    for (let first = 0; first < count; first += 500) {
      samples.push(...(await session.measure(Math.min(500, count - first))));
      progress(`${first + Math.min(500, count - first)}/${count}`);
    }
    return samples;
  } finally {
    await session.close();
  }
}

/** A sender and a receiver Bus that measure messages one at a time, in as many runs as the caller takes turns. */
export async function openOneAtATime(transports: TransportFactory) {
  const { sink, sender, close } = await pair(transports);
  let sent = 0;
  return {
    close,
    /** The next `count` messages, each sent once the one before arrived: their latencies in ms. */
    async measure(count: number): Promise<number[]> {
      const samples: number[] = [];
      for (let end = sent + count; sent < end; ) {
        const started = performance.now();
        const envelope = await sender.bus.send({ from: 'sender', to: 'receiver', text: `message ${sent}` });
        await sink.until(++sent);
        samples.push(sink.arrivals.get(envelope.id)! - started);
      }
      return samples;
    },
  };
}

/** Sends messages `first` to `first + count - 1`, `inFlight` at a time: a new send starts when one returns. */
export async function sendInFlight(sender: Cc2cc, first: number, count: number, inFlight: number): Promise<void> {
  let next = first;
  const sendInTurn = async () => {
    while (next < first + count) await sender.bus.send({ from: 'sender', to: 'receiver', text: `message ${next++}` });
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, sendInTurn));
}

/**
 * Sends `count` messages as fast as the sender can, `inFlight` at a time: the time from the
 * first send to the last arrival.
 */
export async function burst(
  transports: TransportFactory,
  count: number,
  inFlight = 1,
): Promise<{ seconds: number; rate: number }> {
  const { sink, sender, close } = await pair(transports);
  try {
    const started = performance.now();
    await sendInFlight(sender, 0, count, inFlight);
    await sink.until(count);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, rate: count / seconds };
  } finally {
    await close();
  }
}
