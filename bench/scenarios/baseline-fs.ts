import { performance } from 'node:perf_hooks';
import { openPlainFolder } from '../plain-folder.js';
import { summarize } from '../stats.js';
import { scaled, type BenchContext, type Scenario, type ScenarioResult } from '../scenario.js';
import type { StorageKind } from '../storage.js';

/** The plain-Node limit (plain-folder.ts): one message at a time, then a burst from one writer. */
export function baselineFs(durable: boolean, storage: StorageKind = 'disk'): Scenario {
  const name = `${durable ? 'baseline-fs' : 'baseline-fs-nosync'}${storage === 'tmpfs' ? '-tmpfs' : ''}`;
  return {
    name,
    storage,
    async run(context: BenchContext): Promise<ScenarioResult> {
      const folder = await openPlainFolder(context.dir, durable);
      const count = scaled(2000, context.scale);
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const file = await folder.write(i);
        await folder.until(i + 1);
        samples.push(folder.arrived.get(file)! - started);
      }
      const burstCount = scaled(20_000, context.scale);
      const burstStart = performance.now();
      for (let i = count; i < count + burstCount; i++) await folder.write(i);
      await folder.until(count + burstCount);
      const seconds = (performance.now() - burstStart) / 1000;
      folder.close();
      return {
        name,
        description:
          `plain Node: tmp write${durable ? ' + fsync' : ''}, rename, fs.watch, read, ` + `parse; ${context.where}`,
        latency: summarize(samples),
        samples,
        rate: burstCount / seconds,
      };
    },
  };
}
