import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHookEvent } from '../../src/hooks/clients.js';
import { cliPath, packageRoot } from '../../src/package-root.js';
import { runCli } from '../cli/process-helpers.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { DELIVERY_TIMEOUT_MS, makeProject } from '../mcp/support.js';
import { cleanEnv, sentId, startServer } from './support.js';

type Settings = {
  hooks: Record<string, Array<{ hooks: Array<{ command: string; timeout?: number }> }>>;
  mcpServers?: Record<string, unknown>;
};
const read = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Settings;
const commandsOf = (settings: Settings, event: string) =>
  (settings.hooks[event] ?? []).flatMap((group) => group.hooks.map((hook) => hook.command));

describe('cc2cc init installs the client hooks', () => {
  it('merges into each client settings file without clobbering other hooks, idempotently', async () => {
    const project = await makeProject({ agents: ['bob'] });
    await mkdir(join(project, '.claude'));
    await mkdir(join(project, '.gemini'));
    const other = { type: 'command', command: 'echo other-tool' };
    await writeFile(
      join(project, '.claude/settings.json'),
      JSON.stringify({ permissions: { allow: ['Bash'] }, hooks: { UserPromptSubmit: [{ hooks: [other] }] } }),
    );
    for (let run = 0; run < 2; run++) expect((await runCli(['init', '--client', 'codex'], project)).code).toBe(0);

    const claude = await read(join(project, '.claude/settings.json'));
    expect((claude as unknown as { permissions: unknown }).permissions).toEqual({ allow: ['Bash'] });
    expect(commandsOf(claude, 'UserPromptSubmit')).toEqual([
      'echo other-tool',
      expect.stringMatching(/ hook prompt-submit --client claude$/),
    ]);
    for (const event of ['SessionStart', 'PostToolUse', 'Stop']) expect(commandsOf(claude, event)).toHaveLength(1);

    const codex = await read(join(project, '.codex/hooks.json'));
    for (const event of ['SessionStart', 'UserPromptSubmit', 'PostToolUse', 'Stop'])
      expect(commandsOf(codex, event)).toEqual([expect.stringMatching(/--client codex$/)]);
    const toml = await readFile(join(project, '.codex/config.toml'), 'utf8');
    expect(toml.match(/\[mcp_servers\.cc2cc\]/g)).toHaveLength(1);
    expect(toml).toContain('env_vars = ["CC2CC_NAME"]');

    // .gemini/ existed: set up without being asked.
    const gemini = await read(join(project, '.gemini/settings.json'));
    for (const event of ['SessionStart', 'BeforeAgent', 'AfterTool', 'AfterAgent']) {
      expect(commandsOf(gemini, event)).toEqual([expect.stringMatching(/--client gemini$/)]);
      expect(gemini.hooks[event]![0]!.hooks[0]!.timeout).toBe(10_000); // Gemini counts milliseconds
    }
    expect(gemini.mcpServers).toHaveProperty('cc2cc');

    const doctor = await runCli(['doctor', '--json'], project);
    const findings = JSON.parse(doctor.stdout) as Array<{ level: string; check: string }>;
    for (const check of ['hooks.claude', 'hooks.codex', 'hooks.gemini'])
      expect(findings.find((finding) => finding.check === check)?.level).toBe('ok');
  });

  it('--no-hooks skips them, and doctor says they are missing', async () => {
    const project = await makeProject();
    expect((await runCli(['init', '--no-hooks'], project)).code).toBe(0);
    await expect(readFile(join(project, '.claude/settings.json'), 'utf8')).rejects.toThrow();
    const findings = JSON.parse((await runCli(['doctor', '--json'], project)).stdout) as Array<{
      level: string;
      check: string;
    }>;
    expect(findings.find((finding) => finding.check === 'hooks.claude')?.level).toBe('info');
  });

  it('the command init wrote, run by a shell as Claude Code runs it, puts a waiting message into context', async () => {
    const project = await makeProject({ agents: ['alice', 'bob'] });
    expect((await runCli(['init'], project)).code).toBe(0);
    const command = commandsOf(await read(join(project, '.claude/settings.json')), 'UserPromptSubmit')[0]!;
    const alice = await startServer(project, ['--name', 'alice'], { CLAUDE_CODE_SESSION_ID: 'a' });
    await startServer(project, ['--name', 'bob'], { CLAUDE_CODE_SESSION_ID: 'b', CC2CC_PUSH_CONFIRM_MS: '0' }, false);
    const id = sentId((await alice.call('send', { to: 'bob', text: 'through the installed hook' })).text);
    await writeFile(join(project, 't.jsonl'), '');
    const input = JSON.stringify({
      hook_event_name: 'UserPromptSubmit',
      session_id: 'b',
      transcript_path: join(project, 't.jsonl'),
      cwd: project,
      prompt: 'hi',
    });
    const context = await waitFor(
      async () => {
        const child = spawn('/bin/sh', ['-c', command], {
          cwd: project,
          env: { ...cleanEnv(), CLAUDE_CODE_SESSION_ID: 'b', CLAUDE_PROJECT_DIR: project },
        });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stdin.end(input);
        await once(child, 'close');
        return stdout.trim() === ''
          ? undefined
          : (JSON.parse(stdout) as { hookSpecificOutput: { additionalContext: string } }).hookSpecificOutput
              .additionalContext;
      },
      { what: 'the message through the installed hook', timeoutMs: DELIVERY_TIMEOUT_MS, intervalMs: 50 },
    );
    expect(context).toContain(`id="${id}"`);
  });

  it("the Claude Code plugin's hooks/hooks.json runs cc2cc hook at the four moments", async () => {
    const plugin = await read(resolve(import.meta.dirname, '../../hooks/hooks.json'));
    for (const [event, groups] of Object.entries(plugin.hooks)) {
      const command = groups[0]!.hooks[0]!.command;
      expect(command).toContain(`\${CLAUDE_PLUGIN_ROOT}/${relative(packageRoot(), cliPath())}`);
      expect(parseHookEvent(/ hook (\S+)/.exec(command)![1])).toBe(parseHookEvent(event));
    }
    expect(Object.keys(plugin.hooks).sort()).toEqual(['PostToolUse', 'SessionStart', 'Stop', 'UserPromptSubmit']);
  });
});
