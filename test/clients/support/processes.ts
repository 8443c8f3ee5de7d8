import { readdirSync, readFileSync } from 'node:fs';
import { waitFor } from '../../../src/testing/wait-for.js';

/**
 * What the tests learn about the clients' processes from Linux's /proc: who started whom, and
 * with which environment. Every process a client run starts has the run's own HOME, so the run
 * ends them by that, one pid at a time, daemons included.
 */

export interface ProcessInfo {
  pid: number;
  command: string;
}

/** The process's parent pid, or undefined once it has gone. */
export function parentOf(pid: number): number | undefined {
  const stat = readProc(pid, 'stat');
  if (!stat) return undefined;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const parent = Number(fields[1]);
  return Number.isInteger(parent) ? parent : undefined;
}

/** The command line, arguments joined by spaces (empty once the process has gone). */
export function commandOf(pid: number): string {
  return (readProc(pid, 'cmdline') ?? '').split('\0').filter(Boolean).join(' ');
}

/** The process's environment, or undefined once it has gone. */
export function environmentOf(pid: number): Record<string, string> | undefined {
  const raw = readProc(pid, 'environ');
  if (raw === undefined) return undefined;
  const env: Record<string, string> = {};
  for (const entry of raw.split('\0')) {
    const at = entry.indexOf('=');
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

/** The process and its ancestors, nearest first, up to (not including) pid 1. */
export function ancestry(pid: number): ProcessInfo[] {
  const chain: ProcessInfo[] = [];
  for (let at: number | undefined = pid; at !== undefined && at > 1 && chain.length < 64; at = parentOf(at)) {
    chain.push({ pid: at, command: commandOf(at) });
  }
  return chain;
}

/** Every live process whose environment has `HOME=<home>`. */
export function processesWithHome(home: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (environmentOf(pid)?.['HOME'] === home) pids.push(pid);
  }
  return pids;
}

/** Ends these processes: SIGTERM, then SIGKILL for those still there after `graceMs`. */
export async function endProcesses(pids: number[], graceMs = 5_000): Promise<void> {
  for (const pid of pids) signal(pid, 'SIGTERM');
  const alive = () => pids.filter(isAlive);
  try {
    await waitFor(() => alive().length === 0, {
      timeoutMs: graceMs,
      intervalMs: 50,
      what: 'the client processes to end',
    });
  } catch {
    for (const pid of alive()) signal(pid, 'SIGKILL');
    await waitFor(() => alive().length === 0, {
      timeoutMs: graceMs,
      intervalMs: 50,
      what: `processes ${alive().join(', ')} to die`,
    });
  }
}

/** Ends every process that runs with this HOME (the client, its MCP servers and hooks, any daemon). */
export async function endProcessesWithHome(home: string): Promise<void> {
  // A dying parent may start nothing new, but look twice: a child can be forked while the first list is made.
  for (let round = 0; round < 2; round++) {
    const pids = processesWithHome(home);
    if (pids.length === 0) return;
    await endProcesses(pids);
  }
}

export function isAlive(pid: number): boolean {
  // A zombie still answers kill(0): it has ended, only its parent has not collected it yet.
  const stat = readProc(pid, 'stat');
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}
