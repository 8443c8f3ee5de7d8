import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { cc2cc } from './support/cc2cc.js';
import { seedClaudeCode, startClaudeCode, type ClaudeCodeSession } from './support/claude-code.js';
import { clientSuite } from './support/clients.js';
import { runCodexExec, seedCodex } from './support/codex.js';
import { runGeminiPrompt, seedGemini } from './support/gemini.js';
import { waitForServer } from './support/probes.js';
import { makeSandbox, type Sandbox } from './support/sandbox.js';
import { countHookContexts, describeClaudeHookRuns, describeHookContexts } from './support/transcripts.js';

/**
 * Issue 13, with the real clients: after `cc2cc init` (and `--client codex` / `--client gemini`),
 * a message for the session's agent reaches the model's context through `cc2cc hook`, once.
 * The agent's name comes from CC2CC_NAME, which the client passes to its hooks and its server.
 */
const claude = clientSuite('claude-code');
const codex = clientSuite('codex');
const gemini = clientSuite('gemini');

const unique = (what: string) => `${what}-${randomBytes(4).toString('hex')}`;

/** What Claude Code recorded of the hooks: the contexts they added and each run's output. */
const claudeHooks = (session: ClaudeCodeSession) =>
  `${describeHookContexts(session.transcript())}\n${describeClaudeHookRuns(session.transcriptPath())}`;

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.cleanup();
  sandbox = undefined;
});

describe.skipIf(!claude.run)('cc2cc hooks in the real Claude Code, after cc2cc init', () => {
  it('a message queued while no session ran is in the next session context at start, one sent ' +
    'while it runs after the next prompt; each once', async () => {
    sandbox = await makeSandbox('claude');
    await cc2cc(sandbox, ['init', '--agents', 'claude-agent']);
    await seedClaudeCode(sandbox, { approvedMcpServers: ['cc2cc'] });
    // Offline, channel pushes never reach; the server learns that when a hook finds its self-wake
    // push missing from the transcript, after a grace time (default 10 s) that this test cannot
    // wait out without sleeping: no grace here, so the hooks take over from the first prompt.
    const env = { CC2CC_NAME: 'claude-agent', CC2CC_PUSH_CONFIRM_MS: '0' };
    const send = (text: string) => cc2cc(sandbox!, ['send', 'claude-agent', text, '--from', 'other-agent']);

    const queued = unique('queued-before-the-first-session');
    await send(queued);
    const first = await startClaudeCode(sandbox, { env });
    await first.waitForPrompt();
    await waitForServer(sandbox.project, 'claude-agent');
    // Claude Code writes its transcript, the SessionStart context included, at the first prompt.
    await first.submit('first prompt');
    expect(countHookContexts(first.transcript(), queued, 'SessionStart'), claudeHooks(first)).toBe(1);

    const live = unique('sent-while-the-session-runs');
    await send(live);
    await first.submit('second prompt');
    expect(countHookContexts(first.transcript(), live, 'UserPromptSubmit'), claudeHooks(first)).toBe(1);
    await first.submit('third prompt');
    expect(countHookContexts(first.transcript(), queued), claudeHooks(first)).toBe(1);
    expect(countHookContexts(first.transcript(), live), claudeHooks(first)).toBe(1);
    await first.exit();

    const between = unique('queued-between-sessions');
    await send(between);
    const second = await startClaudeCode(sandbox, { env });
    await second.waitForPrompt();
    await second.submit('prompt of the next session');
    await second.submit('another prompt');
    const next = second.transcript();
    expect(countHookContexts(next, between, 'SessionStart'), claudeHooks(second)).toBe(1);
    expect(countHookContexts(next, between), claudeHooks(second)).toBe(1);
    expect(countHookContexts(next, queued) + countHookContexts(next, live), claudeHooks(second)).toBe(0);
    await second.exit();
  }, 240_000);
});

/** Codex CLI and Gemini CLI: one turn per run (`codex exec`, `gemini -p`), a new session each. */
const headless = [
  { client: 'codex', suite: codex, seed: seedCodex, turn: runCodexExec, how: 'codex exec' },
  { client: 'gemini', suite: gemini, seed: seedGemini, turn: runGeminiPrompt, how: 'gemini -p' },
] as const;

for (const { client, suite, seed, turn, how } of headless) {
  describe.skipIf(!suite.run)(`cc2cc hooks in the real ${client} CLI, after cc2cc init --client ${client}`, () => {
    it(`a queued message is in the hook context of the next ${how} once, and not in the one after`, async () => {
      sandbox = await makeSandbox(client);
      await seed(sandbox);
      await cc2cc(sandbox, ['init', '--client', client, '--agents', `${client}-agent`]);
      const env = { CC2CC_NAME: `${client}-agent` };
      const queued = unique(`queued-for-${client}`);
      await cc2cc(sandbox, ['send', `${client}-agent`, queued, '--from', 'other-agent']);

      const first = await turn(sandbox, 'first prompt', { env });
      expect(countHookContexts(first.transcript, queued), describeHookContexts(first.transcript)).toBe(1);
      const second = await turn(sandbox, 'second prompt', { env });
      expect(second.transcriptPath).not.toBe(first.transcriptPath);
      expect(countHookContexts(second.transcript, queued), describeHookContexts(second.transcript)).toBe(0);
    }, 180_000);
  });
}
