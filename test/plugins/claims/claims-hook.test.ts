import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, selfWake, startAgent } from '../../mcp/support.js';
import { parsed, runHook, startServer } from '../../hooks/support.js';

const PATCH = (path: string) => `*** Begin Patch\n*** Update File: ${path}\n@@\n-old\n+new\n*** End Patch\n`;

/** A project where ann (a running server) holds `src/auth/**` exclusively. */
async function projectWithClaim(pluginOptions: Record<string, unknown> = {}) {
  const project = await makeProject({ plugins: [['claims', pluginOptions]] });
  const ann = await startAgent(project, ['--name', 'ann']);
  await selfWake(ann);
  expect(await ann.call('claim', { paths: ['src/auth/**'], reason: 'rewriting login' })).toMatchObject({
    isError: false,
  });
  return { project, ann };
}

describe('cc2cc hook pre-tool: the claims guard in each client', () => {
  it(
    "Claude Code: PreToolUse for an Edit of another agent's file is denied with the holder and " +
      'reason; an unclaimed file passes',
    async () => {
      const { project } = await projectWithClaim();
      // bob's own server, found the way Claude Code's hooks find it: the same session id.
      await startServer(project, ['--name', 'bob'], { CLAUDE_CODE_SESSION_ID: 'session-bob' });
      const env = { CLAUDE_CODE_SESSION_ID: 'session-bob', CLAUDE_PROJECT_DIR: project };
      const edit = (file: string) => ({
        session_id: 'session-bob',
        cwd: project,
        hook_event_name: 'PreToolUse',
        tool_name: 'Edit',
        tool_input: { file_path: join(project, file), old_string: 'a', new_string: 'b' },
      });
      const denied = parsed(await runHook(project, ['pre-tool', '--client', 'claude'], edit('src/auth/login.ts'), env));
      expect(denied).toEqual({
        hookSpecificOutput: {
          hookEventName: 'PreToolUse',
          permissionDecision: 'deny',
          permissionDecisionReason: expect.stringMatching(
            /claimed by another agent: ann holds src\/auth\/\*\* \(exclusive, "rewriting login", expires .*ask ann/,
          ),
        },
      });
      expect(
        parsed(await runHook(project, ['pre-tool', '--client', 'claude'], edit('src/other.ts'), env)),
      ).toBeUndefined();
      // A notebook edit is guarded too; ann's own edits are not refused.
      const notebook = {
        hook_event_name: 'PreToolUse',
        tool_name: 'NotebookEdit',
        cwd: project,
        tool_input: { notebook_path: join(project, 'src/auth/n.ipynb') },
      };
      expect(parsed(await runHook(project, ['pre-tool', '--client', 'claude'], notebook, env))).toMatchObject({
        hookSpecificOutput: { permissionDecision: 'deny' },
      });
      expect(
        parsed(
          await runHook(project, ['pre-tool', '--client', 'claude'], edit('src/auth/login.ts'), {
            CC2CC_NAME: 'ann',
            CLAUDE_PROJECT_DIR: project,
          }),
        ),
      ).toBeUndefined();
    },
  );

  it('Codex CLI: an apply_patch touching a claimed file is denied; one that does not passes', async () => {
    const { project } = await projectWithClaim();
    const patch = (path: string) => ({
      hook_event_name: 'PreToolUse',
      cwd: project,
      tool_name: 'apply_patch',
      tool_input: { command: PATCH(path) },
    });
    const denied = parsed(
      await runHook(project, ['PreToolUse', '--client', 'codex'], patch('src/auth/login.ts'), { CC2CC_NAME: 'bob' }),
    );
    expect(denied).toMatchObject({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: expect.stringMatching(/ann holds src\/auth\/\*\*.*"rewriting login"/),
      },
    });
    expect(
      parsed(
        await runHook(project, ['PreToolUse', '--client', 'codex'], patch('docs/readme.md'), { CC2CC_NAME: 'bob' }),
      ),
    ).toBeUndefined();
    // The same patch run through the shell tool.
    const shell = {
      hook_event_name: 'PreToolUse',
      cwd: project,
      tool_name: 'Bash',
      tool_input: { command: `apply_patch <<'EOF'\n${PATCH(join(project, 'src/auth/x.ts'))}EOF` },
    };
    expect(
      parsed(await runHook(project, ['PreToolUse', '--client', 'codex'], shell, { CC2CC_NAME: 'bob' })),
    ).toMatchObject({ hookSpecificOutput: { permissionDecision: 'deny' } });
  });

  it(
    'Gemini CLI: BeforeTool for write_file or replace on a claimed file is denied with ' + '{"decision":"deny"}',
    async () => {
      const { project } = await projectWithClaim();
      const env = { CC2CC_NAME: 'bob', GEMINI_PROJECT_DIR: project };
      const call = (tool: string, file: string) => ({
        hook_event_name: 'BeforeTool',
        cwd: project,
        tool_name: tool,
        tool_input: { file_path: join(project, file), content: 'x' },
      });
      expect(parsed(await runHook(project, ['BeforeTool'], call('write_file', 'src/auth/new.ts'), env))).toEqual({
        decision: 'deny',
        reason: expect.stringMatching(/ann holds src\/auth\/\*\* \(exclusive, "rewriting login"/),
      });
      expect(parsed(await runHook(project, ['BeforeTool'], call('replace', 'src/auth/login.ts'), env))).toMatchObject({
        decision: 'deny',
      });
      expect(parsed(await runHook(project, ['BeforeTool'], call('replace', 'lib/free.ts'), env))).toBeUndefined();
    },
  );

  it('with autoClaim, an allowed edit claims the file for the editing agent (shared)', async () => {
    const { project, ann } = await projectWithClaim({ autoClaim: true });
    const edit = {
      hook_event_name: 'PreToolUse',
      cwd: project,
      tool_name: 'Write',
      tool_input: { file_path: join(project, 'lib/util.ts'), content: 'x' },
    };
    expect(
      parsed(
        await runHook(project, ['pre-tool', '--client', 'claude'], edit, {
          CC2CC_NAME: 'bob',
          CLAUDE_PROJECT_DIR: project,
        }),
      ),
    ).toBeUndefined();
    expect((await ann.call('list_claims')).text).toMatch(/bob holds lib\/util\.ts \(shared, "edited"/);
    // Shared: ann may edit it too, but may not take it exclusively.
    expect((await ann.call('claim', { paths: ['lib/*'] })).text).toMatch(/bob holds lib\/util\.ts/);
    expect(await ann.call('claim', { paths: ['lib/*'], exclusive: false })).toMatchObject({ isError: false });
  });
});
