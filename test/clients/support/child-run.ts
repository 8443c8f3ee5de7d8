import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { waitFor } from '../../../src/testing/wait-for.js';
import { endProcessesWithHome } from './processes.js';
import { findFiles, type Sandbox } from './sandbox.js';
import type { Transcript } from './transcripts.js';

/**
 * A client run as a child process without a terminal (`codex exec`, `gemini -p`), bounded:
 * at `timeoutMs` everything that runs with the sandbox's HOME is ended, whatever the test does.
 */
export interface ClientProcess {
  pid: number;
  stdout(): string;
  stderr(): string;
  /** The exit code, or null once ended by a signal. */
  exited: Promise<number | null>;
  /** Waits until stdout or stderr (`where`) matches; fails early, with both, if the client exits first. */
  waitForOutput(pattern: RegExp, where: 'stdout' | 'stderr', what: string, timeoutMs?: number): Promise<void>;
  /** Ends the client and everything it started (MCP servers, hooks), by pid. */
  end(): Promise<void>;
}

export function startClientProcess(
  sandbox: Sandbox,
  binary: string,
  args: string[],
  options: { env: Record<string, string>; timeoutMs: number },
): ClientProcess {
  const child = spawn(binary, args, { cwd: sandbox.project, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  let done = false;
  const exited = once(child, 'exit').then(([code]) => {
    done = true;
    return code as number | null;
  });
  const end = () => endProcessesWithHome(sandbox.home);
  const bound = setTimeout(() => void end(), options.timeoutMs);
  bound.unref();
  void exited.then(() => clearTimeout(bound));
  const tail = () =>
    `\n--- stdout (tail) ---\n${output.stdout.slice(-2000)}\n--- stderr (tail) ---\n${output.stderr.slice(-2000)}`;
  return {
    pid: child.pid!,
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    exited,
    async waitForOutput(pattern, where, what, timeoutMs = options.timeoutMs) {
      let seen: 'match' | 'exited';
      try {
        seen = await waitFor(() => (pattern.test(output[where]) ? 'match' : done ? 'exited' : undefined), {
          timeoutMs,
          intervalMs: 50,
          what,
        });
      } catch (error) {
        throw new Error(`${(error as Error).message}${tail()}`);
      }
      if (seen === 'exited') throw new Error(`${binary} exited before ${what}${tail()}`);
    },
    async end() {
      await end();
      await exited;
    },
  };
}

/** A TOML basic string (JSON's escapes are valid TOML for the strings used here). */
export function tomlString(value: string): string {
  return JSON.stringify(value);
}

export interface RunOptions {
  /** Added to the sandbox's environment. */
  env?: Record<string, string>;
  /** Added before the prompt. */
  args?: string[];
  /** Everything of the run is ended by then, whatever the test does (default 90 s). */
  timeoutMs?: number;
}

/** A one-turn headless client run (`codex exec`, `gemini -p`) and its transcript files. */
export interface HeadlessRun {
  process: ClientProcess;
  /** The transcript files of this HOME (one per session, as far as the client keeps them), oldest first. */
  transcriptPaths(): string[];
  /**
   * This run's own transcript (the newest file that was not there when it started), or undefined
   * before it is written.
   */
  transcriptPath(): string | undefined;
  /** This run's transcript, read now. */
  transcript(): Transcript;
  /** Waits until the turn reached the model call (so every hook before it has run and been recorded). */
  waitForModelCall(): Promise<void>;
  end(): Promise<void>;
}

export interface HeadlessSpec {
  binary: string;
  args: string[];
  env: Record<string, string>;
  timeoutMs: number;
  prompt: string;
  transcripts: { dir: string; name: RegExp; read(path: string): Transcript };
  /** What the client prints once its model call failed (the closed local port). */
  modelCall: { pattern: RegExp; where: 'stdout' | 'stderr' };
}

export function startHeadlessRun(sandbox: Sandbox, spec: HeadlessSpec): HeadlessRun {
  const run = startClientProcess(sandbox, spec.binary, spec.args, { env: spec.env, timeoutMs: spec.timeoutMs });
  const { dir, name, read } = spec.transcripts;
  const transcriptPaths = () => findFiles(dir, name);
  const before = new Set(transcriptPaths());
  const transcriptPath = () =>
    transcriptPaths()
      .filter((path) => !before.has(path))
      .pop();
  const transcript = () => {
    const path = transcriptPath();
    return path ? read(path) : { hookContexts: [], userPrompts: [], modelRequests: 0 };
  };
  return {
    process: run,
    transcriptPaths,
    transcriptPath,
    transcript,
    async waitForModelCall() {
      await run.waitForOutput(spec.modelCall.pattern, spec.modelCall.where, `${spec.binary} to reach the model call`);
      await waitFor(() => transcript().userPrompts.includes(spec.prompt), {
        timeoutMs: 15_000,
        what: `the prompt in a transcript under ${dir}`,
      });
    },
    end: () => run.end(),
  };
}

/** Runs the turn up to the model call and ends it; returns the transcript as it stands then. */
export async function runToModelCall(
  run: HeadlessRun,
): Promise<{ transcript: Transcript; transcriptPath: string; stderr: string }> {
  try {
    await run.waitForModelCall();
    return { transcript: run.transcript(), transcriptPath: run.transcriptPath()!, stderr: run.process.stderr() };
  } finally {
    await run.end();
  }
}
