import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../../src/testing/wait-for.js';
import { CLI, DELIVERY_TIMEOUT_MS, startAgent } from '../mcp/support.js';
import type { StdioAgent } from '../../src/demo/stdio-agent.js';

export interface HookRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real `cc2cc hook ARGS` process, fed `input` on stdin as a client feeds it. */
export async function runHook(
  cwd: string,
  args: string[],
  input: unknown,
  env: Record<string, string> = {},
): Promise<HookRun> {
  const child = spawn(process.execPath, [CLI, 'hook', ...args], {
    cwd,
    env: { ...cleanEnv(), CC2CC_HOOK_WAIT_MS: '0', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(typeof input === 'string' ? input : JSON.stringify(input));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** The JSON a hook printed, or undefined when it printed nothing. */
export function parsed(run: HookRun): Record<string, unknown> | undefined {
  if (run.code !== 0) throw new Error(`cc2cc hook exited ${run.code}: ${run.stderr}`);
  return run.stdout.trim() === '' ? undefined : (JSON.parse(run.stdout) as Record<string, unknown>);
}

export function contextOf(run: HookRun): string | undefined {
  const output = parsed(run) as { hookSpecificOutput?: { additionalContext?: string } } | undefined;
  return output?.hookSpecificOutput?.additionalContext;
}

/** This process's environment without the client variables a developer's shell may carry. */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(CLAUDE_|CODEX_|GEMINI_|CC2CC_)/.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/** A `cc2cc serve` in `project` with these extra environment variables, ready (its hook socket is up). */
export async function startServer(
  project: string,
  args: string[],
  env: Record<string, string> = {},
  takesPushes = true,
): Promise<StdioAgent> {
  const agent = await startAgent(project, args, { env: { ...cleanEnv(), ...env }, takesPushes });
  if (takesPushes)
    await agent.waitForPush((push) => push.meta.kind === 'system', DELIVERY_TIMEOUT_MS, 'the self-wake push');
  const name = args[args.indexOf('--name') + 1]!;
  await waitFor(
    () => import('node:fs').then((fs) => fs.existsSync(join(project, '.cc2cc', 'sessions', `${name}.json`))),
    {
      what: `${name}'s hook endpoint`,
      timeoutMs: DELIVERY_TIMEOUT_MS,
    },
  );
  return agent;
}

/** An empty client transcript (a session whose pushes never arrive). */
export async function emptyTranscript(project: string, name = 'transcript.jsonl'): Promise<string> {
  const path = join(project, name);
  await writeFile(path, '');
  return path;
}

/** The id a send result names. */
export function sentId(text: string): string {
  const match = /\(id ([0-9A-HJKMNP-TV-Z]{26})\)/.exec(text);
  if (!match) throw new Error(`no id in the send result: ${text}`);
  return match[1]!;
}
