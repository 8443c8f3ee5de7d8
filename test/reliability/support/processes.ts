import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO } from './report.js';
import { cliPath } from '../../../src/package-root.js';

export const FIXTURES = join(REPO, 'test/fixtures');
export const CLI = cliPath();

/** One JSON line a fixture printed (test/fixtures/*.mjs say which events they print). */
export interface FixtureEvent {
  event: string;
  id?: string;
  i?: number;
  from?: string;
  text?: string;
  kind?: string;
  correlationId?: string;
  meta?: Record<string, string>;
  point?: string;
  attempt?: number;
  reason?: string;
  code?: string;
  message?: string;
  pid?: number;
  sent?: number;
  [key: string]: unknown;
}

export interface Agent {
  child: ChildProcess;
  /** Parsed stdout lines, appended as they come. */
  events: FixtureEvent[];
  stderr: string[];
  /** Resolves when the process is gone, with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** How it ended, once it has; undefined while it runs. */
  ended(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  of(kind: string): FixtureEvent[];
}

/** A node process running `script` with `args`; stdout is read as JSON lines. */
export function spawnFixture(
  script: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Agent {
  const child = spawn(process.execPath, [join(FIXTURES, script), ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const events: FixtureEvent[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as FixtureEvent);
    } catch {
      stderr.push(`(stdout, not JSON) ${line}`);
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  // 'close' comes after 'exit' and after the pipes are drained: every line printed is read.
  let end: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = once(child, 'close').then(() => (end = { code: child.exitCode, signal: child.signalCode }));
  children.add(child);
  void exited.then(() => children.delete(child));
  return {
    child,
    events,
    stderr,
    exited,
    ended: () => end,
    of: (kind) => events.filter((event) => event.event === kind),
  };
}

const children = new Set<ChildProcess>();

/** For afterEach: SIGKILL every fixture process this test file started that still runs (by pid). */
export async function killLeftovers(): Promise<void> {
  const running = [...children].filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(running.map((child) => once(child, 'exit').catch(() => {})));
}

/** test/fixtures/receiver.mjs: a receiving agent. */
export function startReceiver(
  project: string,
  name: string,
  env: Record<string, string> = {},
  args: string[] = [],
): Agent {
  return spawnFixture('receiver.mjs', [project, name, ...args], { cwd: project, env });
}

/** test/fixtures/steady-sender.mjs: sends when told to through its stdin. */
export function startSteadySender(
  project: string,
  from: string,
  to: string,
  options: { bytes?: number; paceMs?: number; env?: Record<string, string> } = {},
) {
  const flags = [
    ...(options.bytes ? ['--bytes', String(options.bytes)] : []),
    ...(options.paceMs ? ['--pace-ms', String(options.paceMs)] : []),
  ];
  const agent = spawnFixture('steady-sender.mjs', [project, from, to, ...flags], {
    cwd: project,
    ...(options.env && { env: options.env }),
  });
  return {
    ...agent,
    /** Ask for `count` more messages. */
    send(count: number): void {
      agent.child.stdin!.write(`${count}\n`);
    },
    /** No more: the sender closes its bus and exits. */
    finish(): void {
      agent.child.stdin!.end();
    },
    sent: () => agent.events.filter((event) => event.event === 'sent').length,
  };
}

/** The built CLI as a long-running process (`cc2cc tail`); its stdout lines land in `stderr` too. */
export function spawnCli(args: string[], cwd: string): Agent {
  return spawnFixture(relative(FIXTURES, CLI), args, { cwd });
}

/** Runs the built CLI to completion. */
export async function runCli(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}
