import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CLI } from '../../cli/process-helpers.js';
import type { Sandbox } from './sandbox.js';

/**
 * The built `cc2cc` CLI run in the sandbox's project with the sandbox's environment, so that
 * nothing it writes for a client (`cc2cc init --client codex`) lands in the real HOME.
 */
export async function runCc2cc(
  sandbox: Sandbox,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: sandbox.project,
    env: { ...sandbox.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Runs the CLI and fails with its output when it does not exit 0. */
export async function cc2cc(sandbox: Sandbox, args: string[], env: Record<string, string> = {}): Promise<string> {
  const result = await runCc2cc(sandbox, args, env);
  if (result.code !== 0)
    throw new Error(`cc2cc ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}
