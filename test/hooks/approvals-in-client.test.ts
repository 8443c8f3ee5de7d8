import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/process-helpers.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { DELIVERY_TIMEOUT_MS, makeProject } from '../mcp/support.js';
import { previewFits } from '../../plugins/approvals/client-answered.js';
import { runHook, startServer } from './support.js';
import type { StdioAgent } from '../../src/demo/stdio-agent.js';

const PERMISSION_REQUEST = 'notifications/claude/channel/permission_request';
const ALLOWED = "answered in Claude Code's own dialog (allowed)";
const ANSWERED = "answered in Claude Code's own dialog";

interface Row {
  id: string;
  agent: string;
  tool: string;
  status: string;
  expiredReason?: string;
}

function ask(agent: StdioAgent, id: string, tool: string, preview: string): Promise<void> {
  return agent.client.notification({
    method: PERMISSION_REQUEST,
    params: { request_id: id, tool_name: tool, description: `use ${tool}`, input_preview: preview },
  } as never);
}

async function history(project: string): Promise<Map<string, Row>> {
  const run = await runCli(['approvals', '--json', '--all'], project);
  expect(run.code, run.stderr).toBe(0);
  return new Map((JSON.parse(run.stdout) as Row[]).map((row) => [row.id, row]));
}

/** Claude Code's hook for this session (its id and project in the environment, as Claude Code sets them). */
function claudeHook(project: string, session: string, event: string, input: Record<string, unknown>) {
  return runHook(
    project,
    [event, '--client', 'claude'],
    { session_id: session, cwd: project, ...input },
    { CLAUDE_CODE_SESSION_ID: session, CLAUDE_PROJECT_DIR: project },
  );
}

describe("approvals: a request answered in Claude Code's own dialog expires, through the client's hooks", () => {
  it(
    'PostToolUse settles the request for the tool that ran; Stop the rest of that agent; another ' +
      'agent is untouched',
    async () => {
      const project = await makeProject({ plugins: ['approvals'] });
      const ann = await startServer(project, ['--name', 'ann'], { CLAUDE_CODE_SESSION_ID: 'ann-session' });
      const bob = await startServer(project, ['--name', 'bob'], { CLAUDE_CODE_SESSION_ID: 'bob-session' });
      await ask(ann, 'abcde', 'Bash', 'npm test');
      await ask(ann, 'fghij', 'Bash', 'rm -rf build');
      await ask(ann, 'klmno', 'Write', 'src/a.ts');
      await ask(bob, 'pqrst', 'Bash', 'npm test');
      await waitFor(async () => (await history(project)).size === 4, {
        timeoutMs: DELIVERY_TIMEOUT_MS,
        intervalMs: 100,
        what: 'the four requests in cc2cc approvals',
      });

      const ran = await claudeHook(project, 'ann-session', 'post-tool', {
        hook_event_name: 'PostToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'npm test', description: 'run the tests' },
        tool_response: { stdout: 'ok' },
      });
      expect(ran.code, ran.stderr).toBe(0);
      let rows = await history(project);
      expect(rows.get('abcde')).toMatchObject({ agent: 'ann', status: 'expired', expiredReason: ALLOWED });
      expect(rows.get('fghij')).toMatchObject({ status: 'pending' }); // another Bash call: its preview does not fit
      expect(rows.get('klmno')).toMatchObject({ status: 'pending' });
      expect(rows.get('pqrst')).toMatchObject({ agent: 'bob', status: 'pending' });

      const late = await runCli(['approve', 'ann/abcde'], project);
      expect(late.code).not.toBe(0);
      expect(late.stderr).toContain(`APPROVAL_CLOSED: permission request ann/abcde (Bash) has expired: ${ALLOWED}`);

      const stopped = await claudeHook(project, 'ann-session', 'stop', {
        hook_event_name: 'Stop',
        stop_hook_active: false,
      });
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(stopped.stdout).toBe('');
      rows = await history(project);
      expect(rows.get('fghij')).toMatchObject({ status: 'expired', expiredReason: ANSWERED });
      expect(rows.get('klmno')).toMatchObject({ status: 'expired', expiredReason: ANSWERED });
      expect(rows.get('abcde')).toMatchObject({ expiredReason: ALLOWED });
      expect(rows.get('pqrst')).toMatchObject({ agent: 'bob', status: 'pending' });

      // bob's request is still answerable through cc2cc.
      const approved = await runCli(['approve', 'pqrst'], project);
      expect(approved.code, approved.stderr).toBe(0);
    },
  );

  it('UserPromptSubmit settles what was asked before it, and leaves an answered request as it was', async () => {
    const project = await makeProject({ plugins: ['approvals'] });
    const ann = await startServer(project, ['--name', 'ann'], { CLAUDE_CODE_SESSION_ID: 'ann-session' });
    await ask(ann, 'abcde', 'Bash', 'npm test');
    await ask(ann, 'fghij', 'Edit', 'src/b.ts');
    await waitFor(async () => (await history(project)).size === 2, {
      timeoutMs: DELIVERY_TIMEOUT_MS,
      intervalMs: 100,
      what: 'the two requests',
    });
    const denied = await runCli(['deny', 'fghij'], project);
    expect(denied.code, denied.stderr).toBe(0);

    const prompt = await claudeHook(project, 'ann-session', 'prompt-submit', {
      hook_event_name: 'UserPromptSubmit',
      prompt: 'go on',
    });
    expect(prompt.code, prompt.stderr).toBe(0);
    const rows = await history(project);
    expect(rows.get('abcde')).toMatchObject({ status: 'expired', expiredReason: ANSWERED });
    expect(rows.get('fghij')).toMatchObject({ status: 'denied', answeredBy: 'human' });
  });
});

describe('previewFits: does a permission prompt preview describe the input of the tool that ran', () => {
  it('compares without whitespace, quotes and a cut-off ellipsis; an empty preview fits any call', () => {
    expect(previewFits('npm test', JSON.stringify({ command: 'npm test' }))).toBe(true);
    expect(previewFits('{"command": "npm test"}', JSON.stringify({ command: 'npm test', timeout: 1000 }))).toBe(true);
    expect(previewFits('echo "a very long…', JSON.stringify({ command: 'echo "a very long line"' }))).toBe(true);
    expect(previewFits('rm -rf build', JSON.stringify({ command: 'npm test' }))).toBe(false);
    expect(previewFits('', JSON.stringify({ command: 'npm test' }))).toBe(true);
    expect(previewFits('npm test', undefined)).toBe(true);
  });
});
