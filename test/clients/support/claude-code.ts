import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { waitFor } from '../../../src/testing/wait-for.js';
import { clientBinary } from './clients.js';
import { endProcessesWithHome, isAlive } from './processes.js';
import { findFiles, type Sandbox } from './sandbox.js';
import { readClaudeTranscript, type Transcript } from './transcripts.js';

/**
 * Claude Code offline (REAL-CLIENTS.md): it needs a terminal, so it runs in its own tmux server
 * (a socket in the sandbox), 200×50; keys go in with send-keys and the screen comes back with
 * capture-pane. The model is pointed at a closed local port with no retries, so each turn fails
 * at once after its hooks ran; the transcript is the evidence of what reached the model.
 */

/** Any value passes the offline checks; Claude Code remembers its last 20 characters as approved. */
export const CLAUDE_API_KEY = 'sk-ant-cc2cc-offline-test-key';

/** The environment Claude Code needs offline, on top of the sandbox's. */
export const CLAUDE_ENV = {
  ANTHROPIC_API_KEY: CLAUDE_API_KEY,
  ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
  CLAUDE_CODE_MAX_RETRIES: '0',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_AUTOUPDATER: '1',
};

/**
 * `$HOME/.claude.json` that skips the first-run screens: onboarding done, the API key approved,
 * the project trusted and its `.mcp.json` servers approved (else "New MCP server found" waits).
 */
export async function seedClaudeCode(sandbox: Sandbox, options: { approvedMcpServers: string[] }): Promise<void> {
  await sandbox.writeJson(join(sandbox.home, '.claude.json'), {
    hasCompletedOnboarding: true,
    customApiKeyResponses: { approved: [CLAUDE_API_KEY.slice(-20)], rejected: [] },
    projects: {
      [sandbox.project]: { hasTrustDialogAccepted: true, enabledMcpjsonServers: options.approvedMcpServers },
    },
  });
}

/** The project's `.claude/settings.json` (hooks) and `.mcp.json` (MCP servers). */
export async function writeClaudeProject(
  sandbox: Sandbox,
  project: {
    hooks: { hooks: Record<string, unknown> };
    mcpServers: Record<string, { command: string; args: string[]; env?: Record<string, string> }>;
  },
): Promise<void> {
  await sandbox.writeJson(join(sandbox.project, '.claude', 'settings.json'), project.hooks);
  await sandbox.writeJson(join(sandbox.project, '.mcp.json'), { mcpServers: project.mcpServers });
}

export interface ClaudeCodeSession {
  sessionId: string;
  /** The `claude` process (the pane's process). */
  pid: number;
  /** The screen as text, now. */
  screen(): string;
  /** `$HOME/.claude/projects/<project>/<session id>.jsonl` once it exists. */
  transcriptPath(): string | undefined;
  transcript(): Transcript;
  /** Waits for the input box with no turn running, answering the API key question if asked. */
  waitForPrompt(): Promise<void>;
  /** Types a prompt, submits it, and waits until the model call for it is in the transcript. */
  submit(prompt: string): Promise<void>;
  /** Types /exit and waits for claude to end; then ends whatever it left (MCP servers), by pid. */
  exit(): Promise<void>;
  /** Ends the tmux server and every process of this HOME at once. */
  end(): Promise<void>;
}

const DIALOGS: Array<{ text: string; keys?: string[]; fix?: string }> = [
  { text: 'Do you want to use this API key', keys: ['Up', 'Enter'] },
  { text: 'New MCP server found', fix: 'list the server in enabledMcpjsonServers (seedClaudeCode)' },
  { text: 'Do you trust the files in this folder', fix: 'set hasTrustDialogAccepted for the project (seedClaudeCode)' },
];

/** Starts `claude` in tmux in the sandbox's project with a session id of its own; bounded by `timeoutMs`. */
export async function startClaudeCode(
  sandbox: Sandbox,
  options: { env?: Record<string, string>; args?: string[]; timeoutMs?: number } = {},
): Promise<ClaudeCodeSession> {
  const sessionId = randomUUID();
  const socket = join(sandbox.root, `tmux-${sessionId.slice(0, 8)}.sock`);
  const env = { ...sandbox.env, ...CLAUDE_ENV, ...options.env };
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-S', socket, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  tmux(
    'new-session',
    '-d',
    '-x',
    '200',
    '-y',
    '50',
    '-c',
    sandbox.project,
    clientBinary('claude-code'),
    '--session-id',
    sessionId,
    ...(options.args ?? []),
  );
  const pid = Number(tmux('display-message', '-p', '#{pane_pid}').trim());
  const end = async () => {
    try {
      tmux('kill-server');
    } catch {
      // The server ends by itself with its last session.
    }
    await endProcessesWithHome(sandbox.home);
  };
  const bound = setTimeout(() => void end(), options.timeoutMs ?? 180_000);
  bound.unref();

  const screen = () => {
    try {
      return tmux('capture-pane', '-p');
    } catch {
      return '';
    }
  };
  const transcriptPath = () =>
    findFiles(join(sandbox.home, '.claude', 'projects'), new RegExp(`^${sessionId}\\.jsonl$`))[0];
  const transcript = () => {
    const path = transcriptPath();
    return path ? readClaudeTranscript(path) : { hookContexts: [], userPrompts: [], modelRequests: 0 };
  };
  const failWith = (message: string) => new Error(`${message}\n--- screen ---\n${screen()}`);

  const session: ClaudeCodeSession = {
    sessionId,
    pid,
    screen,
    transcriptPath,
    transcript,
    async waitForPrompt() {
      await waitFor(
        () => {
          const text = screen();
          if (!isAlive(pid)) throw failWith('claude exited');
          for (const dialog of DIALOGS) {
            if (!text.includes(dialog.text)) continue;
            if (!dialog.keys) throw failWith(`Claude Code shows "${dialog.text}": ${dialog.fix}`);
            tmux('send-keys', ...dialog.keys);
            return false;
          }
          // The input box (a line starting with "❯", which may show a dim placeholder such as
          // "Resend your message"; a dialog's "❯" is indented), and no turn running.
          return /^❯(\s|$)/m.test(text) && !text.includes('esc to interrupt');
        },
        { timeoutMs: 60_000, intervalMs: 100, what: 'the Claude Code prompt' },
      ).catch((error: Error) => {
        throw error.message.includes('--- screen ---') ? error : failWith(error.message);
      });
    },
    async submit(prompt) {
      await session.waitForPrompt();
      const before = transcript().modelRequests;
      tmux('send-keys', '-l', prompt);
      await waitFor(() => screen().includes(prompt), { timeoutMs: 15_000, what: 'the typed prompt on screen' });
      tmux('send-keys', 'Enter');
      await waitFor(
        () => {
          const now = transcript();
          return now.userPrompts.includes(prompt) && now.modelRequests > before;
        },
        { timeoutMs: 60_000, intervalMs: 100, what: `the model call for "${prompt}" in the transcript` },
      ).catch((error: Error) => {
        throw failWith(error.message);
      });
    },
    async exit() {
      await session.waitForPrompt();
      tmux('send-keys', '-l', '/exit');
      await waitFor(() => screen().includes('/exit'), { timeoutMs: 15_000, what: '/exit on screen' });
      tmux('send-keys', 'Enter');
      await waitFor(() => !isAlive(pid), { timeoutMs: 30_000, intervalMs: 100, what: 'claude to exit after /exit' });
      clearTimeout(bound);
      await end();
    },
    async end() {
      clearTimeout(bound);
      await end();
    },
  };
  return session;
}
