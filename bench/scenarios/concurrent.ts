import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { burst, fsTransports, pair, sendInFlight } from '../harness.js';
import { openPlainFolder } from '../plain-folder.js';
import { fsyncCount } from '../../src/transports/fs/fsync.js';
import { scaled, type Scenario } from '../scenario.js';
import { redisTransports } from './redis.js';

/** Sends in flight at once from one Bus: what agents (or one agent's tools) sending together produce. */
const IN_FLIGHT = 16;
const ROUNDS = 4;
/**
 * Messages each side sends before the timed rounds, not counted: the first ones pay for the JIT,
 * the receiver's first passes and the folders' first files (the bus's first round ran at a third
 * of its later rate, the plain writer's at half).
 */
const WARM_UP = 200;

/**
 * The folder with fsync, 16 sends in flight: overlapping sends can share a disk flush (group
 * commit) where one at a time cannot. Compared with baseline-fs's burst (plain Node, one file
 * at a time), which runs here too, in turns with it, so both see the same disk at the same time.
 */
export const concurrentFs: Scenario = {
  name: 'concurrent-fs',
  async run(context) {
    const count = scaled(10_000, context.scale, 200);
    const plain = await openPlainFolder(join(context.dir, 'plain'), true);
    const { sink, sender, close } = await pair(fsTransports(join(context.dir, 'bus'), { fsync: true }));
    let [busSeconds, plainSeconds] = [0, 0];
    // What group commit saves is flushes: counted on each side over the timed rounds.
    let [busFsyncs, plainFsyncs] = [0, 0];
    try {
      await sendInFlight(sender, 0, WARM_UP, IN_FLIGHT);
      await sink.until(WARM_UP);
      for (let i = 0; i < WARM_UP; i++) await plain.write(i);
      await plain.until(WARM_UP);
      const total = WARM_UP + count;
      for (let round = 0, sent = WARM_UP; sent < total; round++) {
        const [first, end] = [sent, Math.min(sent + Math.ceil(count / ROUNDS), total)];
        const bus = async () => {
          const [started, fsyncsBefore] = [performance.now(), fsyncCount()];
          await sendInFlight(sender, first, end - first, IN_FLIGHT);
          await sink.until(end);
          busSeconds += (performance.now() - started) / 1000;
          busFsyncs += fsyncCount() - fsyncsBefore;
        };
        const baseline = async () => {
          const [started, fsyncsBefore] = [performance.now(), plain.fsyncs()];
          for (let i = first; i < end; i++) await plain.write(i);
          await plain.until(end);
          plainSeconds += (performance.now() - started) / 1000;
          plainFsyncs += plain.fsyncs() - fsyncsBefore;
        };
        for (const turn of round % 2 === 0 ? [baseline, bus] : [bus, baseline]) await turn();
        sent = end;
      }
    } finally {
      plain.close();
      await close();
    }
    return {
      name: 'concurrent-fs',
      description:
        `${count} messages, ${IN_FLIGHT} sends in flight from one Bus, folder transport with fsync ` +
        `on ${context.where}; ` +
        `first send to last delivery, in ${ROUNDS} rounds taking turns with baseline-fs's burst, after ` +
        `${WARM_UP} messages each that are not counted`,
      rate: count / busSeconds,
      figures: {
        messages: count,
        seconds: busSeconds,
        inFlight: IN_FLIGHT,
        baselineFsRate: count / plainSeconds,
        fsyncsPerMessage: busFsyncs / count,
        baselineFsyncsPerMessage: plainFsyncs / count,
      },
    };
  },
};

export const concurrentRedis: Scenario = {
  name: 'concurrent-redis',
  async run(context) {
    const count = scaled(20_000, context.scale, 200);
    const { seconds, rate } = await burst(redisTransports(context), count, IN_FLIGHT);
    return {
      name: 'concurrent-redis',
      description:
        `${count} messages, ${IN_FLIGHT} sends in flight from one Bus, Redis Streams transport; ` +
        'first send to last delivery',
      rate,
      figures: { messages: count, seconds, inFlight: IN_FLIGHT },
    };
  },
};
