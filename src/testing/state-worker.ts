// A process that works on one State key, for the State contract's racing and crash tests
// (state-contract.ts spawns the built file, dist/pkg/state-worker.js).
//   node state-worker.js <opener module URL> <opener options JSON> increment <key> <times>
//     adds 1 to a number key <times> times, each by read + compare-and-set, again on a conflict;
//     prints "done <conflicts>".
//   node state-worker.js <opener module URL> <opener options JSON> churn <key>
//     writes { n, pad, check } records for ever (until killed), printing "wrote <n>" after each.
//   node state-worker.js <opener module URL> <opener options JSON> move <prefix> <times>
//     moves one key <times> steps: writes <prefix><step> (4 digits, value <step>), then deletes the
//     key of the step before; starts from <prefix>0000, which the caller wrote.
// The opener module's `open(options)` resolves to `{ state, close() }`.
import { pathToFileURL } from 'node:url';
import type { State } from '../kernel/state.js';
import { CHURN_PAD } from './churn-pad.js';

async function main(): Promise<void> {
  const [openerUrl, optionsJson, mode, key, times] = process.argv.slice(2);
  if (!openerUrl || !optionsJson || !key)
    throw new Error('usage: state-worker <opener URL> <options JSON> increment|churn|move <key> [times]');
  const { open } = (await import(openerUrl)) as {
    open(options: unknown): Promise<{ state: State; close(): Promise<void> }>;
  };
  const { state, close } = await open(JSON.parse(optionsJson));
  if (mode === 'increment') {
    let conflicts = 0;
    for (let i = 0; i < Number(times); i++) {
      for (;;) {
        const current = await state.get(key);
        const next = (typeof current?.value === 'number' ? current.value : 0) + 1;
        if ((await state.set(key, next, { ifVersion: current?.version ?? null })).ok) break;
        conflicts++;
      }
    }
    process.stdout.write(`done ${conflicts}\n`);
  } else if (mode === 'churn') {
    for (let n = 1; ; n++) {
      const current = await state.get(key);
      const result = await state.set(key, { n, pad: CHURN_PAD, check: n * 7 }, { ifVersion: current?.version ?? null });
      if (result.ok) process.stdout.write(`wrote ${n}\n`);
    }
  } else if (mode === 'move') {
    const at = (step: number) => `${key}${String(step).padStart(4, '0')}`;
    for (let step = 1; step <= Number(times); step++) {
      await state.set(at(step), step);
      await state.delete(at(step - 1));
    }
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  await close();
}

// Only when run as a program (not when a test runner collects the folder's modules).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
