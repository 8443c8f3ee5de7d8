import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { startCc2cc, startFloor, type McpSystem } from '../mcp-systems.js';
import { round, summarize } from '../stats.js';
import { scaled, type BenchContext, type Scenario } from '../scenario.js';
import type { StorageKind } from '../storage.js';

export interface McpLatencyOptions {
  storage: StorageKind;
  /** Messages 250 ms apart, as agents send them, instead of back to back. */
  spaced: boolean;
  fsync: boolean;
}

const SPACING_MS = 250;
const WARM_UP = 20;

/** The report name's suffix: `-nosync`, `-spaced`, `-tmpfs`, in that order. */
export function mcpSuffix(options: McpLatencyOptions): string {
  const { fsync, spaced, storage } = options;
  return `${fsync ? '' : '-nosync'}${spaced ? '-spaced' : ''}${storage === 'tmpfs' ? '-tmpfs' : ''}`;
}

/**
 * What a user feels, against its floor, in one run: the `send` tool call on A until B's
 * channel notification arrives, for two `cc2cc serve` (`latency-mcp…`) and for the floor's
 * two servers (`floor-mcp…`: the SDK's stdio JSON-RPC and the same file steps, nothing else),
 * and for a second cc2cc build when `--before` names one. The systems take turns (blocks of
 * messages back to back, or offsets within each 250 ms slot) so a noisy machine slows all alike.
 * Also the CPU per message of each server (all threads; spaced, the idle time between counts).
 */
export function mcpAgainstFloor(options: McpLatencyOptions): Scenario {
  const suffix = mcpSuffix(options);
  return {
    name: `mcp-vs-floor${suffix}`,
    storage: options.storage,
    reports: [`latency-mcp${suffix}`, `floor-mcp${suffix}`],
    async run(context) {
      const systems = await startSystems(context, options.fsync);
      try {
        for (const system of systems) for (let i = 0; i < WARM_UP; i++) await sendAndWait(system, `warm-up ${i}`);
        const tallies = options.spaced ? await spaced(systems, context) : await backToBack(systems, context);
        return systems.map((system, index) => result(system, tallies[index]!, suffix, options, context));
      } finally {
        await Promise.all(systems.map((system) => system.close()));
      }
    },
  };
}

async function startSystems(context: BenchContext, fsync: boolean): Promise<McpSystem[]> {
  const systems: McpSystem[] = [];
  try {
    const build = { cli: context.cli, label: 'this build' };
    systems.push(await startCc2cc('latency-mcp', build, join(context.dir, 'cc2cc'), fsync));
    systems.push(await startFloor('floor-mcp', context.dir, fsync));
    if (context.beforeCli) {
      const before = { cli: context.beforeCli, label: 'the --before build' };
      systems.push(await startCc2cc('latency-mcp-before', before, join(context.dir, 'before'), fsync));
    }
    return systems;
  } catch (error) {
    await Promise.all(systems.map((system) => system.close()));
    throw error;
  }
}

interface Tally {
  samples: number[];
  senderCpuMs: number;
  receiverCpuMs: number;
  clientCpuMs: number;
}

/** One message: the tool call until the push; its latency and the client's CPU go to `tally`. */
async function sendAndWait(system: McpSystem, text: string, tally?: Tally): Promise<void> {
  const client = process.cpuUsage();
  const started = performance.now();
  await system.sender.call('send', { to: 'receiver', text });
  const push = await system.receiver.waitForPush((candidate) => candidate.content === text, 30_000);
  if (!tally) return;
  tally.samples.push(push.at - started);
  const used = process.cpuUsage(client);
  tally.clientCpuMs += (used.user + used.system) / 1000;
}

/** The servers' CPU spent while `work` runs, added to each system's tally. */
async function countServerCpu(systems: readonly McpSystem[], tallies: readonly Tally[], work: () => Promise<void>) {
  const readOne = async ({ senderCpu, receiverCpu }: McpSystem) =>
    [await senderCpu.readMs(), await receiverCpu.readMs()] as const;
  const read = () => Promise.all(systems.map(readOne));
  const before = await read();
  await work();
  const after = await read();
  tallies.forEach((tally, index) => {
    tally.senderCpuMs += after[index]![0] - before[index]![0];
    tally.receiverCpuMs += after[index]![1] - before[index]![1];
  });
}

/** Blocks of messages back to back, each system in turn (the order flips every round). */
async function backToBack(systems: readonly McpSystem[], context: BenchContext): Promise<Tally[]> {
  const tallies = systems.map(newTally);
  const count = scaled(2000, context.scale);
  const block = Math.max(10, Math.round(count / 20));
  for (let sent = 0, round = 0; sent < count; sent += block, round++) {
    const size = Math.min(block, count - sent);
    const order = systems.map((_, index) => index);
    if (round % 2 === 1) order.reverse();
    for (const index of order) {
      const system = systems[index]!;
      await countServerCpu([system], [tallies[index]!], async () => {
        for (let i = sent; i < sent + size; i++) await sendAndWait(system, `${system.name} ${i}`, tallies[index]);
      });
    }
    if (round % 5 === 4) context.progress(`${sent + size}/${count} each`);
  }
  return tallies;
}

/** One message per system every 250 ms, the systems at even offsets within each slot. */
async function spaced(systems: readonly McpSystem[], context: BenchContext): Promise<Tally[]> {
  const tallies = systems.map(newTally);
  const slots = scaled(120, context.scale, 12);
  await countServerCpu(systems, tallies, async () => {
    const start = performance.now();
    for (let slot = 0; slot < slots; slot++) {
      for (const [index, system] of systems.entries()) {
        const due = start + slot * SPACING_MS + (index * SPACING_MS) / systems.length;
        await delay(Math.max(0, due - performance.now()));
        await sendAndWait(system, `${system.name} ${slot}`, tallies[index]);
      }
      if (slot % 40 === 39) context.progress(`${slot + 1}/${slots} each`);
    }
  });
  return tallies;
}

function newTally(): Tally {
  return { samples: [], senderCpuMs: 0, receiverCpuMs: 0, clientCpuMs: 0 };
}

function result(system: McpSystem, tally: Tally, suffix: string, options: McpLatencyOptions, context: BenchContext) {
  const count = tally.samples.length;
  const perMessage = (ms: number) => round(ms / count, 3);
  const how = options.spaced
    ? `one message every ${SPACING_MS} ms (server CPU includes the idle time between)`
    : 'back to back, in blocks taking turns';
  return {
    name: `${system.name}${suffix}`,
    description:
      `send tool → channel notification: ${system.description}; ${how}; fsync ${options.fsync ? 'on' : 'off'}; ` +
      `${context.where}; CPU from ${system.senderCpu.source}`,
    latency: summarize(tally.samples),
    samples: tally.samples,
    figures: {
      senderCpuMsPerMessage: perMessage(tally.senderCpuMs),
      receiverCpuMsPerMessage: perMessage(tally.receiverCpuMs),
      clientCpuMsPerMessage: perMessage(tally.clientCpuMs),
    },
  };
}
