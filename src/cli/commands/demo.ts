import type { Command } from 'commander';
import { Cc2ccError } from '../../kernel/errors.js';
import { cliPath } from '../../package-root.js';
import { print } from '../context.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'watch the bus work: three real `cc2cc serve` processes in a temporary project, driven like Claude Code',
    )
    .option('--keep', 'keep the temporary project folder to look at its .cc2cc/')
    .option('--timeout <ms>', 'longest wait for one delivery', '15000')
    .addHelpText('after', '\nExample:\n  $ npx cc2cc demo')
    .action(async (options: { keep?: boolean; timeout: string }) => {
      const stepTimeoutMs = Number(options.timeout);
      if (!Number.isInteger(stepTimeoutMs) || stepTimeoutMs <= 0) {
        throw new Cc2ccError('BAD_INPUT', `--timeout "${options.timeout}" must be a positive number of milliseconds`);
      }
      // The servers run from this very package's CLI (package.json `bin`).
      const cli = cliPath();
      await import('../../kernel/di.js'); // the Reflect metadata polyfill, before any decorated class
      const { runDemo } = await import('../../demo/run-demo.js'); // the MCP SDK: only when the demo runs
      const ok = await runDemo({ cli, print, stepTimeoutMs, ...(options.keep && { keep: true }) });
      if (!ok) process.exitCode = 1;
    });
}
