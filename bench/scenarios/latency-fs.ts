import { join } from 'node:path';
import { burst, fsTransports, oneAtATime, openOneAtATime } from '../harness.js';
import { openPlainFolder } from '../plain-folder.js';
import { summarize } from '../stats.js';
import { scaled, type Scenario } from '../scenario.js';
import type { StorageKind } from '../storage.js';
import { plainBurst, plainOneAtATime } from './baseline-fs.js';

const ROUNDS = 8;

/**
 * The full Bus (hooks, router, folder transport, a timing sink), one message at a time, and
 * the plain-Node limit (baseline-fs: the same file steps, nothing else) taking turns with it
 * in rounds, so both see the disk at the same moments: a virtual disk's fsync cost changes
 * from one minute to the next, and a ratio of runs minutes apart measured the disk. Then
 * baseline-fs's burst from one writer.
 */
export function latencyFs(fsync: boolean, storage: StorageKind = 'disk'): Scenario {
  const suffix = `${fsync ? '' : '-nosync'}${storage === 'tmpfs' ? '-tmpfs' : ''}`;
  const [latencyName, baselineName] = [`latency-fs${suffix}`, `baseline-fs${suffix}`];
  return {
    name: latencyName,
    reports: [baselineName, latencyName],
    storage,
    async run(context) {
      const count = scaled(2000, context.scale);
      const plain = await openPlainFolder(join(context.dir, 'plain'), fsync);
      const bus = await openOneAtATime(fsTransports(join(context.dir, 'bus'), { fsync }));
      const [plainSamples, busSamples]: number[][] = [[], []];
      let rate: number;
      try {
        for (let round = 0, done = 0; done < count; round++) {
          const size = Math.min(Math.ceil(count / ROUNDS), count - done);
          const turns = [
            async () => plainSamples.push(...(await plainOneAtATime(plain, done, size))),
            async () => busSamples.push(...(await bus.measure(size))),
          ];
          for (const turn of round % 2 === 0 ? turns : turns.reverse()) await turn();
          done += size;
          context.progress(`${done}/${count}`);
        }
        rate = await plainBurst(plain, count, scaled(20_000, context.scale));
      } finally {
        plain.close();
        await bus.close();
      }
      const transport = `folder transport${fsync ? '' : ' (fsync: false)'}`;
      const inTurnsWith = (other: string) => `in ${ROUNDS} rounds taking turns with ${other}`;
      return [
        {
          name: baselineName,
          description:
            `plain Node: tmp write${fsync ? ' + fsync' : ''}, rename, fs.watch, read, parse; ${context.where}; ` +
            `one at a time ${inTurnsWith(latencyName)}, then a burst from one writer`,
          latency: summarize(plainSamples),
          samples: plainSamples,
          rate,
        },
        {
          name: latencyName,
          description: `Bus → ${transport} → Bus, one at a time; ${context.where}; ${inTurnsWith(baselineName)}`,
          latency: summarize(busSamples),
          samples: busSamples,
        },
      ];
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
