import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StdioAgent } from '../src/demo/stdio-agent.js';
import { processCpuClock, type CpuClock } from './cpu-time.js';

const FLOOR_SENDER = fileURLToPath(new URL('./floor/floor-sender.js', import.meta.url));
const FLOOR_RECEIVER = fileURLToPath(new URL('./floor/floor-receiver.js', import.meta.url));

/** A sending and a receiving MCP server, each driven by an SDK client in the bench process. */
export interface McpSystem {
  /** The report name before any suffix: `latency-mcp`, `floor-mcp`. */
  name: string;
  description: string;
  sender: StdioAgent;
  receiver: StdioAgent;
  senderCpu: CpuClock;
  receiverCpu: CpuClock;
  close(): Promise<void>;
}

/** One `cc2cc serve`, once its self-wake push has arrived (it is ready to deliver). */
export async function serve(cli: string, dir: string, name: string): Promise<StdioAgent> {
  const agent = await StdioAgent.start({ cli, cwd: dir, args: ['--name', name, '--delivery', 'push'] });
  await agent.waitForPush((push) => push.meta.kind === 'system', 30_000, 'the self-wake');
  return agent;
}

/** Two `cc2cc serve` of `build` (its CLI) in `dir` (a project of their own), `fsync` as its config says. */
export async function startCc2cc(name: string, build: { cli: string; label: string }, dir: string, fsync: boolean) {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, '.cc2ccrc.json'), JSON.stringify({ logLevel: 'warn', fsync }));
  const receiver = await serve(build.cli, dir, 'receiver');
  const sender = await serve(build.cli, dir, 'sender').catch(async (error: unknown) => {
    await receiver.close();
    throw error;
  });
  return withClocks(name, `cc2cc serve → cc2cc serve (${build.label})`, sender, receiver);
}

/**
 * The floor: the same three processes and the same message file steps, with nothing else
 * (bench/floor/). Its servers take `serve` as first argument, so the same StdioAgent drives them.
 */
export async function startFloor(name: string, dir: string, fsync: boolean): Promise<McpSystem> {
  const root = join(dir, 'floor');
  const receiver = await StdioAgent.start({ cli: FLOOR_RECEIVER, cwd: dir, args: [root, 'receiver'] });
  const args = [root, fsync ? '1' : '0'];
  const sender = await StdioAgent.start({ cli: FLOOR_SENDER, cwd: dir, args }).catch(async (error: unknown) => {
    await receiver.close();
    throw error;
  });
  return withClocks(name, 'the floor: SDK stdio JSON-RPC and the same file steps, nothing else', sender, receiver);
}

async function withClocks(name: string, description: string, sender: StdioAgent, receiver: StdioAgent) {
  const close = async () => {
    await Promise.allSettled([sender.close(), receiver.close()]);
  };
  try {
    if (sender.pid === null || receiver.pid === null) throw new Error(`a server of ${name} has no pid`);
    const [senderCpu, receiverCpu] = [await processCpuClock(sender.pid), await processCpuClock(receiver.pid)];
    const system: McpSystem = { name, description, sender, receiver, senderCpu, receiverCpu, close };
    return system;
  } catch (error) {
    await close();
    throw error;
  }
}
