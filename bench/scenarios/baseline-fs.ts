import { performance } from 'node:perf_hooks';
import type { openPlainFolder } from '../plain-folder.js';

type PlainFolder = Awaited<ReturnType<typeof openPlainFolder>>;

/** Plain Node (plain-folder.ts), messages `first` to `first + count - 1` one at a time: their latencies in ms. */
export async function plainOneAtATime(folder: PlainFolder, first: number, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = first; i < first + count; i++) {
    const started = performance.now();
    const file = await folder.write(i);
    await folder.until(i + 1);
    samples.push(folder.arrived.get(file)! - started);
  }
  return samples;
}

/** Plain Node, `count` messages from one writer as fast as it goes, after the `first` already there: msgs/s. */
export async function plainBurst(folder: PlainFolder, first: number, count: number): Promise<number> {
  const started = performance.now();
  for (let i = first; i < first + count; i++) await folder.write(i);
  await folder.until(first + count);
  return count / ((performance.now() - started) / 1000);
}
