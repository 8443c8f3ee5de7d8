import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/process-helpers.js';
import { DELIVERY_TIMEOUT_MS, makeProject } from '../mcp/support.js';
import { contextOf, runHook, sentId, startServer } from './support.js';

const pushOf = async (project: string, name: string) => {
  const agents = JSON.parse((await runCli(['agents', '--json'], project)).stdout) as Array<{
    name: string;
    push: string | null;
  }>;
  return agents.find((agent) => agent.name === name)?.push;
};

describe('push liveness and pushes confirmed in the transcript', () => {
  it('a push found in the transcript is seen and shows pushes live; the hook does not repeat it', async () => {
    const project = await makeProject({ agents: ['alice', 'bob'] });
    const alice = await startServer(project, ['--name', 'alice'], { CLAUDE_CODE_SESSION_ID: 'a' });
    const bob = await startServer(project, ['--name', 'bob'], { CLAUDE_CODE_SESSION_ID: 'b' });
    expect(await pushOf(project, 'bob')).toBe('unknown');
    const id = sentId((await alice.call('send', { to: 'bob', text: 'pushed and shown', receipt: true })).text);
    const push = await bob.waitForPush((received) => received.meta.id === id, DELIVERY_TIMEOUT_MS, 'the push');

    // The transcript records the channel message as Claude Code shows it (attributes JSON-escaped).
    const frame = `<channel source="cc2cc" from="alice" id="${id}">${push.content}</channel>`;
    const transcript = join(project, 'bob.jsonl');
    await writeFile(transcript, `${JSON.stringify({ type: 'user', message: { role: 'user', content: frame } })}\n`);
    const env = { CLAUDE_CODE_SESSION_ID: 'b' };
    const run = await runHook(
      project,
      ['prompt-submit'],
      { hook_event_name: 'UserPromptSubmit', session_id: 'b', transcript_path: transcript, cwd: project, prompt: 'x' },
      env,
    );
    expect(contextOf(run)).toBeUndefined(); // confirmed: nothing to add, not even its id

    expect((await alice.call('status', { id })).text).toMatch(/bob: seen/);
    await alice.waitForPush((received) => received.meta.correlation_id === id, DELIVERY_TIMEOUT_MS, 'the seen receipt');
    expect(await pushOf(project, 'bob')).toBe('live');
    expect((await alice.call('list_agents')).text).toMatch(/bob\s+online\s+push="live"/);
  });

  it('a push not confirmed is named by id once, in one short line, never in full', async () => {
    const project = await makeProject({ agents: ['alice', 'bob'] });
    const alice = await startServer(project, ['--name', 'alice'], { CLAUDE_CODE_SESSION_ID: 'a' });
    const bob = await startServer(project, ['--name', 'bob'], { CLAUDE_CODE_SESSION_ID: 'b' });
    const id = sentId((await alice.call('send', { to: 'bob', text: 'the full text' })).text);
    await bob.waitForPush((received) => received.meta.id === id, DELIVERY_TIMEOUT_MS, 'the push');
    const input = { hook_event_name: 'PostToolUse', session_id: 'b', cwd: project, tool_name: 'Bash' };
    const first = contextOf(await runHook(project, ['post-tool'], input, { CLAUDE_CODE_SESSION_ID: 'b' }));
    expect(first).toMatch(new RegExp(`^cc2cc: 1 new message pushed to you \\(${id} from alice\\)`));
    expect(first).not.toContain('the full text');
    expect(contextOf(await runHook(project, ['post-tool'], input, { CLAUDE_CODE_SESSION_ID: 'b' }))).toBeUndefined();
    expect((await alice.call('status', { id })).text).toMatch(/bob: pushed/);
  });

  it(
    'at session start, the backlog this server just pushed is given in full (nothing can confirm ' + 'it yet), once',
    async () => {
      const project = await makeProject({ agents: ['alice', 'bob'] });
      const alice = await startServer(project, ['--name', 'alice'], { CLAUDE_CODE_SESSION_ID: 'a' });
      const id = sentId((await alice.call('send', { to: 'bob', text: 'waiting before the session' })).text);
      const bob = await startServer(project, ['--name', 'bob'], { CLAUDE_CODE_SESSION_ID: 'b' });
      await bob.waitForPush((received) => received.meta.id === id, DELIVERY_TIMEOUT_MS, 'the backlog push');
      const env = { CLAUDE_CODE_SESSION_ID: 'b' };
      const start = contextOf(
        await runHook(
          project,
          ['session-start'],
          { hook_event_name: 'SessionStart', session_id: 'b', cwd: project, source: 'startup' },
          env,
        ),
      );
      expect(start).toContain('waiting before the session');
      expect(
        contextOf(
          await runHook(
            project,
            ['prompt-submit'],
            { hook_event_name: 'UserPromptSubmit', session_id: 'b', cwd: project },
            env,
          ),
        ),
      ).toBeUndefined();
      expect((await alice.call('status', { id })).text).toMatch(/bob: seen/);
    },
  );
});
