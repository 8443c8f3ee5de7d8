import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StdioAgent } from '../../src/demo/stdio-agent.js';
import { summarize } from '../stats.js';
import { scaled, type Scenario } from '../scenario.js';

async function serve(cli: string, dir: string, name: string): Promise<StdioAgent> {
  const agent = await StdioAgent.start({ cli, cwd: dir, args: ['--name', name, '--delivery', 'push'] });
  await agent.waitForPush((push) => push.meta.kind === 'system', 30_000, 'the self-wake');
  return agent;
}

/** What a user feels: the `send` tool call on A until B's channel notification arrives. */
export function latencyMcp(fsync: boolean): Scenario {
  const name = fsync ? 'latency-mcp' : 'latency-mcp-nosync';
  return {
    name,
    async run(context) {
      await writeFile(join(context.dir, '.cc2ccrc.json'), JSON.stringify({ logLevel: 'warn', fsync }));
      const [a, b] = [await serve(context.cli, context.dir, 'sender'), await serve(context.cli, context.dir, 'receiver')];
      const count = scaled(2000, context.scale);
      const samples: number[] = [];
      try {
        for (let i = 0; i < count; i++) {
          const text = `message ${i}`;
          const started = performance.now();
          await a.call('send', { to: 'receiver', text });
          const push = await b.waitForPush((candidate) => candidate.content === text, 30_000);
          samples.push(push.at - started);
          if (i % 500 === 499) context.progress(`${i + 1}/${count}`);
        }
      } finally {
        await a.close();
        await b.close();
      }
      return { name, description: `send tool on server A → channel notification from server B${fsync ? '' : ' (fsync: false)'}`, latency: summarize(samples), samples };
    },
  };
}

/** CPU time of an idle `cc2cc serve` (utime + stime from /proc), scaled to 10 s. */
export const idle: Scenario = {
  name: 'idle',
  async run(context) {
    const agent = await serve(context.cli, context.dir, 'idler');
    const cpuMs = async () => {
      const fields = (await readFile(`/proc/${agent.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks: 100 Hz on Linux
    };
    const seconds = Math.max(1, 10 * context.scale);
    const before = await cpuMs();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const used = (await cpuMs()) - before;
    await agent.close();
    return { name: 'idle', description: `an idle cc2cc serve for ${seconds} s`, figures: { seconds, cpuMsPer10s: (used * 10) / seconds } };
  },
};
