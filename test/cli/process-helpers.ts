import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { waitFor } from '../../src/testing/wait-for.js';
import { cliPath } from '../../src/package-root.js';

/** The CLI users run: package.json `bin`, the bundle (`npm run build` first). */
export const CLI = cliPath();
export const RECEIVER = resolve(import.meta.dirname, '../fixtures/receiver.mjs');

export interface Captured {
  child: ChildProcess;
  lines: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

/** Spawns node with a script; collects stdout lines as they come. */
export function spawnNode(args: string[], cwd: string): Captured {
  const child = spawn(process.execPath, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, lines, stderr, exited };
}

/** Runs the built CLI to completion. */
export async function runCli(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = spawnNode([CLI, ...args], cwd);
  run.child.stdin!.end();
  const code = await run.exited;
  await new Promise((resolveLater) => setImmediate(resolveLater));
  return { code, stdout: run.lines.join('\n'), stderr: run.stderr.join('\n') };
}

export interface ReceiverEvent {
  event: 'ready' | 'message' | 'hanging' | 'error';
  id?: string;
  from?: string;
  text?: string;
  code?: string;
  message?: string;
  pid?: number;
}

/** A receiving agent process (test/fixtures/receiver.mjs) and its parsed events. */
export function startReceiver(projectDir: string, name: string, extra: string[] = []) {
  const run = spawnNode([RECEIVER, projectDir, name, ...extra], projectDir);
  const events = () => run.lines.map((line) => JSON.parse(line) as ReceiverEvent);
  return {
    ...run,
    events,
    messages: () => events().filter((event) => event.event === 'message'),
    ready: () =>
      waitFor(() => events().find((event) => event.event === 'ready' || event.event === 'error'), {
        what: `${name} ready`,
      }),
  };
}
