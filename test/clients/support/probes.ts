import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitFor } from '../../../src/testing/wait-for.js';
import { CLI } from '../../cli/process-helpers.js';
import { ancestry, environmentOf, type ProcessInfo } from './processes.js';
import type { Sandbox } from './sandbox.js';
import { readJsonl, type Transcript } from './transcripts.js';

/** The hook that adds "<marker>-<event>-<pid>" and records what it saw (see probe-hook.mjs). */
export const PROBE_HOOK = resolve(import.meta.dirname, 'probe-hook.mjs');

export interface HookProbe {
  /** Unique to this run, so a context from anything else cannot be taken for it. */
  marker: string;
  log: string;
  /** The shell command for one event, for the client's hooks config. */
  command(event: string): string;
  /** The hook runs recorded so far. */
  runs(): HookRun[];
}

export interface HookRun {
  event: string;
  /** The text this run added to the context. */
  context: string;
  pid: number;
  ancestry: ProcessInfo[];
  env: Record<string, string>;
  input: Record<string, unknown> | null;
}

export function makeHookProbe(sandbox: Sandbox): HookProbe {
  const marker = `marker-${randomBytes(4).toString('hex')}`;
  const log = join(sandbox.root, 'hook-runs.jsonl');
  return {
    marker,
    log,
    command: (event) => `node ${PROBE_HOOK} ${event} ${marker} ${log}`,
    runs: () => readJsonl(log) as unknown as HookRun[],
  };
}

/** A client's hooks config (Claude Code, Codex and Gemini share this shape): one command per event. */
export function hooksConfig(events: Record<string, string>): { hooks: Record<string, unknown> } {
  return {
    hooks: Object.fromEntries(
      Object.entries(events).map(([event, command]) => [event, [{ hooks: [{ type: 'command', command }] }]]),
    ),
  };
}

/** The real `cc2cc serve` from the build, as a client's MCP server entry (command and args). */
export function serveEntry(name: string): { command: string; args: string[] } {
  return { command: process.execPath, args: [CLI, 'serve', '--name', name] };
}

export interface ServerSeen {
  pid: number;
  ancestry: ProcessInfo[];
  env: Record<string, string>;
}

/**
 * Waits for the agent's presence record (`.cc2cc/agents/<name>.json`: the server started and
 * attached), then reads the server's environment and ancestry while it runs.
 */
export async function waitForServer(project: string, name: string, timeoutMs = 60_000): Promise<ServerSeen> {
  const record = join(project, '.cc2cc', 'agents', `${name}.json`);
  return waitFor(
    () => {
      const { pid, state } = JSON.parse(readFileSync(record, 'utf8')) as { pid: number; state: string };
      if (state === 'offline') return undefined;
      const env = environmentOf(pid);
      return env && { pid, ancestry: ancestry(pid), env };
    },
    { timeoutMs, intervalMs: 50, what: `the presence record of ${name} (cc2cc serve started by the client)` },
  );
}

/**
 * What the hook runs added, checked against the transcript: each event ran as often as expected,
 * and each run's text is in the transcript's hook context exactly once; nothing else of the probe is.
 */
export function hookContextReport(
  probe: HookProbe,
  transcript: Transcript,
): { runs: Record<string, number>; timesInTranscript: Record<string, number>; strays: string[] } {
  const runs: Record<string, number> = {};
  const timesInTranscript: Record<string, number> = {};
  for (const run of probe.runs()) {
    runs[run.event] = (runs[run.event] ?? 0) + 1;
    timesInTranscript[run.context] = transcript.hookContexts.filter((context) =>
      context.text.includes(run.context),
    ).length;
  }
  const known = Object.keys(timesInTranscript);
  const strays = transcript.hookContexts
    .map((context) => context.text)
    .filter((text) => text.includes(probe.marker) && !known.some((run) => text.includes(run)));
  return { runs, timesInTranscript, strays };
}
