import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { StdioAgent } from '../../src/demo/stdio-agent.js';
import { processCpuClock } from '../cpu-time.js';
import { round, summarize } from '../stats.js';
import { scaled, type Scenario } from '../scenario.js';

async function serve(cli: string, dir: string, name: string): Promise<StdioAgent> {
  const agent = await StdioAgent.start({ cli, cwd: dir, args: ['--name', name, '--delivery', 'push'] });
  await agent.waitForPush((push) => push.meta.kind === 'system', 30_000, 'the self-wake');
  return agent;
}

/**
 * What a user feels: the `send` tool call on A until B's channel notification arrives.
 * Also the CPU each process spends per message (all threads): with three processes on a
 * few cores, that is what the latency is made of once the disk is fast enough.
 */
export function latencyMcp(fsync: boolean): Scenario {
  const name = fsync ? 'latency-mcp' : 'latency-mcp-nosync';
  return {
    name,
    async run(context) {
      await writeFile(join(context.dir, '.cc2ccrc.json'), JSON.stringify({ logLevel: 'warn', transport: { use: 'fs', fsync } }));
      const [a, b] = [await serve(context.cli, context.dir, 'sender'), await serve(context.cli, context.dir, 'receiver')];
      const count = scaled(2000, context.scale);
      const samples: number[] = [];
      try {
        if (a.pid === null || b.pid === null) throw new Error('a cc2cc serve of the MCP scenario has no pid');
        const [senderCpu, receiverCpu] = [await processCpuClock(a.pid), await processCpuClock(b.pid)];
        const before = { sender: await senderCpu.readMs(), receiver: await receiverCpu.readMs(), client: process.cpuUsage() };
        for (let i = 0; i < count; i++) {
          const text = `message ${i}`;
          const started = performance.now();
          await a.call('send', { to: 'receiver', text });
          const push = await b.waitForPush((candidate) => candidate.content === text, 30_000);
          samples.push(push.at - started);
          if (i % 500 === 499) context.progress(`${i + 1}/${count}`);
        }
        const client = process.cpuUsage(before.client);
        const perMessage = (ms: number) => round(ms / count, 3);
        return {
          name,
          description: `send tool on server A → channel notification from server B${fsync ? '' : ' (fsync: false)'}; CPU from ${senderCpu.source}`,
          latency: summarize(samples),
          samples,
          figures: {
            senderCpuMsPerMessage: perMessage((await senderCpu.readMs()) - before.sender),
            receiverCpuMsPerMessage: perMessage((await receiverCpu.readMs()) - before.receiver),
            clientCpuMsPerMessage: perMessage((client.user + client.system) / 1000),
          },
        };
      } finally {
        await a.close();
        await b.close();
      }
    },
  };
}

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
        description: `an idle cc2cc serve, three ${seconds} s windows from ${settleSeconds} s after startup (median); CPU from ${clock.source}`,
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
