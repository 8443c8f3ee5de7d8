import { join } from 'node:path';
import { runToModelCall, startHeadlessRun, type HeadlessRun, type RunOptions } from './child-run.js';
import { clientBinary } from './clients.js';
import type { Sandbox } from './sandbox.js';
import { readGeminiChat } from './transcripts.js';

/**
 * Gemini CLI offline (REAL-CLIENTS.md): `gemini -m gemini-2.5-flash -p "<prompt>"` runs one turn
 * (without `-m` the model router retries for about 70 s first). Any GEMINI_API_KEY with
 * `selectedType: gemini-api-key` passes the auth check; GEMINI_CLI_TRUST_WORKSPACE=true makes it
 * read the project's `.gemini/settings.json`; GOOGLE_GEMINI_BASE_URL at a closed local port makes
 * the model call fail at once (it then retries with backoff: the run is ended, by pid).
 * Note: a Gemini hook's `timeout` is in milliseconds (Claude Code's and Codex's in seconds).
 */

/** `$HOME/.gemini/settings.json`: API-key auth, no usage statistics. */
export async function seedGemini(sandbox: Sandbox): Promise<void> {
  await sandbox.writeJson(join(sandbox.home, '.gemini', 'settings.json'), {
    security: { auth: { selectedType: 'gemini-api-key' } },
    privacy: { usageStatisticsEnabled: false },
  });
}

/** The project's `.gemini/settings.json`: hooks and MCP servers. */
export async function writeGeminiProject(
  sandbox: Sandbox,
  project: {
    hooks: { hooks: Record<string, unknown> };
    mcpServers: Record<string, { command: string; args: string[] }>;
  },
): Promise<void> {
  await sandbox.writeJson(join(sandbox.project, '.gemini', 'settings.json'), {
    ...project.hooks,
    mcpServers: project.mcpServers,
  });
}

/** The environment `gemini` needs offline, on top of the sandbox's. */
export const GEMINI_ENV = {
  GEMINI_API_KEY: 'cc2cc-test-key',
  GEMINI_CLI_TRUST_WORKSPACE: 'true',
  GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9',
};

/** Starts `gemini -p "<prompt>"` in the sandbox's project; the chat files are the transcripts. */
export function startGeminiPrompt(sandbox: Sandbox, prompt: string, options: RunOptions = {}): HeadlessRun {
  return startHeadlessRun(sandbox, {
    binary: clientBinary('gemini'),
    args: ['-m', 'gemini-2.5-flash', ...(options.args ?? []), '-p', prompt],
    env: { ...sandbox.env, ...GEMINI_ENV, ...options.env },
    timeoutMs: options.timeoutMs ?? 90_000,
    prompt,
    transcripts: { dir: join(sandbox.home, '.gemini', 'tmp'), name: /^session-.*\.jsonl$/, read: readGeminiChat },
    // The failed model call is reported on stderr ("Attempt 1 failed. Retrying with backoff...").
    modelCall: { pattern: /Attempt \d+ failed/, where: 'stderr' },
  });
}

/** One `gemini -p` turn up to the model call, then ended. */
export function runGeminiPrompt(sandbox: Sandbox, prompt: string, options: RunOptions = {}) {
  return runToModelCall(startGeminiPrompt(sandbox, prompt, options));
}
