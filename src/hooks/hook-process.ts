import { runHook } from './hook-command.js';

/** `cc2cc hook` as a process: stdout carries only the client's JSON, and it always exits 0. */
export async function runHookProcess(args: readonly string[]): Promise<void> {
  process.stdout.on('error', () => {}); // a client that stopped reading: nothing more to do
  await runHook(args, {
    stdin: process.stdin,
    write: (text) => process.stdout.write(text),
    warn: (text) => process.stderr.write(`${text}\n`),
    env: process.env,
    cwd: process.cwd(),
  });
  process.exitCode = 0;
}
