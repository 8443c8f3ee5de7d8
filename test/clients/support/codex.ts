import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runToModelCall, startHeadlessRun, tomlString, type HeadlessRun, type RunOptions } from './child-run.js';
import { clientBinary } from './clients.js';
import type { Sandbox } from './sandbox.js';
import { readCodexRollout } from './transcripts.js';

/**
 * Codex CLI offline (REAL-CLIENTS.md): `codex exec` runs one turn without a terminal and starts
 * no daemon; the project's `.codex/` counts only once the project is trusted in
 * `$HOME/.codex/config.toml`, and its hooks run with `--dangerously-bypass-hook-trust`. The model
 * is pointed at a closed local port, so the turn fails right after the hooks ran (then codex
 * waits for the network forever: the run is ended, by pid, once the test has what it needs).
 */

/** Marks the sandbox's project as trusted in `$HOME/.codex/config.toml`. */
export async function seedCodex(sandbox: Sandbox): Promise<void> {
  mkdirSync(join(sandbox.home, '.codex'), { recursive: true });
  await writeFile(
    join(sandbox.home, '.codex', 'config.toml'),
    `[projects.${tomlString(sandbox.project)}]\ntrust_level = "trusted"\n`,
  );
}

export interface CodexServer {
  command: string;
  args: string[];
  /** Variables passed from codex's environment to the server (its environment is an allowlist otherwise). */
  env_vars?: string[];
}

/** Writes the project's `.codex/hooks.json` and the MCP servers in `.codex/config.toml`. */
export async function writeCodexProject(
  sandbox: Sandbox,
  project: { hooks: { hooks: Record<string, unknown> }; mcpServers: Record<string, CodexServer> },
): Promise<void> {
  await sandbox.writeJson(join(sandbox.project, '.codex', 'hooks.json'), project.hooks);
  const toml = Object.entries(project.mcpServers).map(([name, server]) => {
    const lines = [
      `[mcp_servers.${tomlString(name)}]`,
      `command = ${tomlString(server.command)}`,
      `args = [${server.args.map(tomlString).join(', ')}]`,
    ];
    if (server.env_vars) lines.push(`env_vars = [${server.env_vars.map(tomlString).join(', ')}]`);
    return lines.join('\n');
  });
  await writeFile(join(sandbox.project, '.codex', 'config.toml'), `${toml.join('\n\n')}\n`);
}

/** Starts `codex exec "<prompt>"` in the sandbox's project; the rollouts are the transcripts. */
export function startCodexExec(sandbox: Sandbox, prompt: string, options: RunOptions = {}): HeadlessRun {
  return startHeadlessRun(sandbox, {
    binary: clientBinary('codex'),
    args: [
      'exec',
      '--json',
      '--dangerously-bypass-hook-trust',
      '-c',
      'openai_base_url="http://127.0.0.1:9/v1"',
      ...(options.args ?? []),
      prompt,
    ],
    env: { ...sandbox.env, ...options.env },
    timeoutMs: options.timeoutMs ?? 90_000,
    prompt,
    transcripts: { dir: join(sandbox.home, '.codex', 'sessions'), name: /^rollout-.*\.jsonl$/, read: readCodexRollout },
    // `--json` prints the failed model call as an `error` (reconnecting) or `turn.failed` event after `turn.started`.
    modelCall: {
      pattern: /"type":"turn\.started"[\s\S]*"type":"(error|turn\.failed|turn\.completed)"/,
      where: 'stdout',
    },
  });
}

/** One `codex exec` turn up to the model call, then ended. */
export function runCodexExec(sandbox: Sandbox, prompt: string, options: RunOptions = {}) {
  return runToModelCall(startCodexExec(sandbox, prompt, options));
}
