import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createEnvelope, encodeEnvelope } from '../../src/kernel/envelope.js';
import { scaled, type Scenario } from '../scenario.js';

const CHILD = fileURLToPath(new URL('../backlog-child.js', import.meta.url));

/**
 * 100,000 messages already queued when the agent starts: how long the drain takes and the
 * peak RSS of the draining process. The queue is written straight into inbox/ (the send
 * path is measured elsewhere); the drain runs in its own process so RSS is its own.
 */
export const backlog: Scenario = {
  name: 'backlog',
  async run(context) {
    const count = scaled(100_000, context.scale);
    const inbox = join(context.dir, '.cc2cc', 'to-receiver', 'inbox');
    await mkdir(inbox, { recursive: true, mode: 0o700 });
    const queueStarted = performance.now();
    for (let i = 0; i < count; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, count - i) }, (_, j) => {
          const envelope = createEnvelope({ from: 'sender', to: 'receiver', text: `queued ${i + j}` });
          return writeFile(join(inbox, `${envelope.id}.json`), encodeEnvelope(envelope), { mode: 0o600 });
        }),
      );
      if (i % 20_000 === 0) context.progress(`queued ${i}/${count}`);
    }
    context.progress(`queued ${count} in ${((performance.now() - queueStarted) / 1000).toFixed(1)} s`);
    const child = spawn(process.execPath, [CHILD, context.dir, String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let report: { seconds: number; maxRssMb: number } | undefined;
    for await (const line of createInterface({ input: child.stdout! })) report = JSON.parse(line);
    if (!report) throw new Error('the backlog child reported nothing');
    return {
      name: 'backlog',
      description: `${count} queued messages drained on start`,
      rate: count / report.seconds,
      figures: { messages: count, seconds: report.seconds, peakRssMb: report.maxRssMb },
    };
  },
};
