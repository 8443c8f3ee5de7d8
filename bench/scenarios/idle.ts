import { setTimeout as delay } from 'node:timers/promises';
import { processCpuClock } from '../cpu-time.js';
import { serve } from '../mcp-systems.js';
import { round } from '../stats.js';
import type { Scenario } from '../scenario.js';

/**
 * CPU time of an idle `cc2cc serve`, per 10 s: the median of three consecutive windows,
 * after the first seconds (reported apart). Some seconds after startup, once allocation
 * stops, V8's memory reducer compacts the heap (about 80-140 ms of CPU, once or twice, at
 * a time V8 picks): one window may hold it, the median is the steady state. See cpu-time.ts.
 */
export const idle: Scenario = {
  name: 'idle',
  async run(context) {
    const agent = await serve(context.cli, context.dir, 'idler');
    const settleSeconds = Math.max(1.5, 5 * context.scale);
    const seconds = Math.max(1, 10 * context.scale);
    try {
      if (agent.pid === null) throw new Error('the idle cc2cc serve has no pid');
      const clock = await processCpuClock(agent.pid);
      const readings = [await clock.readMs()];
      await delay(settleSeconds * 1000);
      readings.push(await clock.readMs());
      for (let window = 0; window < 3; window++) {
        await delay(seconds * 1000);
        readings.push(await clock.readMs());
      }
      const windows = [2, 3, 4].map((index) => ((readings[index]! - readings[index - 1]!) * 10) / seconds);
      return {
        name: 'idle',
        description:
          `an idle cc2cc serve, three ${seconds} s windows from ${settleSeconds} s ` +
          `after startup (median); CPU from ${clock.source}`,
        figures: {
          seconds,
          cpuMsPer10s: round([...windows].sort((a, b) => a - b)[1]!, 1),
          highestWindowCpuMsPer10s: round(Math.max(...windows), 1),
          firstSeconds: settleSeconds,
          firstSecondsCpuMs: round(readings[1]! - readings[0]!, 1),
        },
      };
    } finally {
      await agent.close();
    }
  },
};
