import { watch } from 'node:fs';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { summarize } from '../stats.js';
import { scaled, type BenchContext, type Scenario, type ScenarioResult } from '../scenario.js';

/**
 * The limit cc2cc is measured against, in plain Node: write a file in tmp/, rename it into
 * a watched folder, notice it with fs.watch, read and parse it. With `durable`, the same
 * fsyncs cc2cc's folder transport does (the file before the rename, the folder after).
 */
export function baselineFs(durable: boolean): Scenario {
  const name = durable ? 'baseline-fs' : 'baseline-fs-nosync';
  return {
    name,
    async run(context: BenchContext): Promise<ScenarioResult> {
      const tmp = join(context.dir, 'tmp');
      const inbox = join(context.dir, 'inbox');
      await mkdir(tmp, { recursive: true });
      await mkdir(inbox, { recursive: true });
      const arrived = new Map<string, number>();
      let wake: (() => void) | undefined;
      const watcher = watch(inbox, (_event, file) => {
        if (!file || arrived.has(file)) return;
        readFile(join(inbox, file), 'utf8')
          .then((text) => {
            JSON.parse(text);
            arrived.set(file, performance.now());
            wake?.();
          })
          .catch(() => {}); // a rename event for a file already read
      });
      const payload = (i: number) => JSON.stringify({ v: 1, id: String(i).padStart(26, '0'), ts: new Date().toISOString(), from: 'sender', to: 'receiver', text: `message ${i}`, kind: 'message' });
      const write = async (i: number) => {
        const file = `${String(i).padStart(26, '0')}.json`;
        const handle = await open(join(tmp, file), 'wx', 0o600);
        await handle.writeFile(payload(i));
        if (durable) await handle.sync();
        await handle.close();
        await rename(join(tmp, file), join(inbox, file));
        if (durable) {
          const folder = await open(inbox, 'r');
          await folder.sync();
          await folder.close();
        }
        return file;
      };
      const until = (count: number) => new Promise<void>((resolve) => {
        const check = () => (arrived.size >= count ? resolve() : (wake = check));
        check();
      });

      const count = scaled(2000, context.scale);
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const file = await write(i);
        await until(i + 1);
        samples.push(arrived.get(file)! - started);
      }
      const burstCount = scaled(20_000, context.scale);
      const burstStart = performance.now();
      for (let i = count; i < count + burstCount; i++) await write(i);
      await until(count + burstCount);
      const seconds = (performance.now() - burstStart) / 1000;
      watcher.close();
      return {
        name,
        description: `plain Node: tmp write${durable ? ' + fsync' : ''}, rename, fs.watch, read, parse`,
        latency: summarize(samples),
        samples,
        rate: burstCount / seconds,
      };
    },
  };
}
