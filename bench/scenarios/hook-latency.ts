import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StdioAgent } from '../../src/demo/stdio-agent.js';
import { summarize } from '../stats.js';
import { scaled, type Scenario } from '../scenario.js';

/**
 * What a client pays for cc2cc at every prompt and tool call: the wall time of one
 * `cc2cc hook prompt-submit` process, from spawn to exit, against a running server that
 * has nothing new (the common case). Process start dominates; the import path is kept small.
 */
export const hookLatency: Scenario = {
  name: 'hook-latency',
  async run(context) {
    await writeFile(join(context.dir, '.cc2ccrc.json'), JSON.stringify({ logLevel: 'warn' }));
    const env = { ...(process.env as Record<string, string>), CLAUDE_CODE_SESSION_ID: 'bench-hook' };
    const server = await StdioAgent.start({ cli: context.cli, cwd: context.dir, args: ['--name', 'receiver'], env });
    await server.waitForPush((push) => push.meta.kind === 'system', 30_000, 'the self-wake');
    const input = JSON.stringify({
      hook_event_name: 'UserPromptSubmit',
      session_id: 'bench-hook',
      cwd: context.dir,
      prompt: 'hi',
    });
    const count = scaled(200, context.scale);
    const samples: number[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const child = spawn(process.execPath, [context.cli, 'hook', 'prompt-submit'], {
          cwd: context.dir,
          env,
          stdio: ['pipe', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.stdin.end(input);
        await once(child, 'close');
        samples.push(performance.now() - started);
        if (stderr !== '') throw new Error(`cc2cc hook complained: ${stderr}`);
        if (i % 50 === 49) context.progress(`${i + 1}/${count}`);
      }
    } finally {
      await server.close();
    }
    return {
      name: 'hook-latency',
      description: 'wall time of one `cc2cc hook prompt-submit` process (spawn to exit) against a running server',
      latency: summarize(samples),
      samples,
    };
  },
};
