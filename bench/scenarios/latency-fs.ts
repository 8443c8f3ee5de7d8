import { burst, fsTransports, oneAtATime } from '../harness.js';
import { summarize } from '../stats.js';
import { scaled, type Scenario } from '../scenario.js';
import type { StorageKind } from '../storage.js';

/** The full Bus (hooks, router, folder transport, a timing sink), one message at a time. */
export function latencyFs(fsync: boolean, storage: StorageKind = 'disk'): Scenario {
  const name = `${fsync ? 'latency-fs' : 'latency-fs-nosync'}${storage === 'tmpfs' ? '-tmpfs' : ''}`;
  return {
    name,
    storage,
    async run(context) {
      const samples = await oneAtATime(
        fsTransports(context.dir, { fsync }),
        scaled(2000, context.scale),
        context.progress,
      );
      const transport = `folder transport${fsync ? '' : ' (fsync: false)'}`;
      const description = `Bus → ${transport} → Bus, one at a time; ${context.where}`;
      return { name, description, latency: summarize(samples), samples };
    },
  };
}

/** The same with fs.watch off: the rescan is the only way a message is noticed. */
export const latencyPoll: Scenario = {
  name: 'latency-poll',
  async run(context) {
    const rescanMs = 100;
    const samples = await oneAtATime(
      fsTransports(context.dir, { watch: false, rescanMs }),
      scaled(300, context.scale),
      context.progress,
    );
    return {
      name: 'latency-poll',
      description: `as latency-fs, watch off, rescan every ${rescanMs} ms`,
      latency: summarize(samples),
      samples,
    };
  },
};

/** A burst sent as fast as one sender can, until the receiver has every message. */
export function throughputFs(fsync: boolean): Scenario {
  const name = fsync ? 'throughput-fs' : 'throughput-fs-nosync';
  return {
    name,
    async run(context) {
      const count = scaled(20_000, context.scale);
      const { seconds, rate } = await burst(fsTransports(context.dir, { fsync }), count);
      return {
        name,
        description: `${count} messages${fsync ? '' : ' (fsync: false)'}, first send to last delivery`,
        rate,
        figures: { messages: count, seconds },
      };
    },
  };
}
