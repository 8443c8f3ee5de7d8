import { spawnSync } from 'node:child_process';
import { readFile, writeFile, mkdir, chmod } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, makeProject, selfWake, startAgent } from '../../mcp/support.js';
import { cleanEnv } from '../../hooks/support.js';

function run(cwd: string, command: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...cleanEnv(),
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
      ...env,
    },
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('claims and git', () => {
  it(
    'cc2cc init --git-hook merges a pre-commit hook that refuses a commit touching another ' + "agent's claim",
    async () => {
      const project = await makeProject({ plugins: ['claims'] });
      expect(run(project, 'git', ['init', '-q']).code).toBe(0);
      // An existing pre-commit hook keeps running.
      await mkdir(join(project, '.git', 'hooks'), { recursive: true });
      await writeFile(
        join(project, '.git', 'hooks', 'pre-commit'),
        '#!/bin/sh\necho theirs >> "$(git rev-parse --show-toplevel)/.their-hook-ran"\nexit 0\n',
      );
      await chmod(join(project, '.git', 'hooks', 'pre-commit'), 0o755);
      const init = run(project, process.execPath, [CLI, 'init', '--git-hook']);
      expect(init.code, init.out).toBe(0);
      expect(init.out).toMatch(/merged the cc2cc pre-commit hook/);
      expect(run(project, process.execPath, [CLI, 'init', '--git-hook']).out).toMatch(
        /kept the cc2cc pre-commit hook \(already there\)/,
      );
      // The claims plugin is on: init also installed the pre-edit guard for Claude Code.
      const settings = JSON.parse(await readFile(join(project, '.claude', 'settings.json'), 'utf8')) as {
        hooks: Record<string, Array<{ matcher?: string; hooks: Array<{ command: string }> }>>;
      };
      expect(settings.hooks.PreToolUse).toEqual([
        {
          matcher: 'Edit|Write|MultiEdit|NotebookEdit',
          hooks: [expect.objectContaining({ command: expect.stringMatching(/ hook pre-tool --client claude$/) })],
        },
      ]);

      const ann = await startAgent(project, ['--name', 'ann']);
      await selfWake(ann);
      expect(await ann.call('claim', { paths: ['src/**'], reason: 'migrating the db layer' })).toMatchObject({
        isError: false,
      });

      await mkdir(join(project, 'src'));
      await writeFile(join(project, 'src', 'db.ts'), 'export {};\n');
      await writeFile(join(project, 'README.md'), '# x\n');
      run(project, 'git', ['add', 'src/db.ts', 'README.md']);
      const refused = run(project, 'git', ['commit', '-qm', 'touch the db'], { CC2CC_NAME: 'bob' });
      expect(refused.code).not.toBe(0);
      expect(refused.out).toMatch(
        /src\/db\.ts is claimed by another agent: ann holds src\/\*\* \(exclusive, "migrating the db layer"/,
      );
      expect(refused.out).toMatch(/committing as bob/);
      expect(run(project, 'git', ['log', '--oneline']).code).not.toBe(0); // nothing committed

      // The holder itself may commit it; without the claimed file, bob may commit too.
      expect(run(project, process.execPath, [CLI, 'claims', 'check', '--staged', '--as', 'ann']).code).toBe(0);
      run(project, 'git', ['reset', '-q', 'src/db.ts']);
      const allowed = run(project, 'git', ['commit', '-qm', 'readme only'], { CC2CC_NAME: 'bob' });
      expect(allowed.code, allowed.out).toBe(0);
      expect(existsSync(join(project, '.their-hook-ran'))).toBe(true);

      // Paths on the command line, relative to where it runs.
      const check = run(join(project, 'src'), process.execPath, [CLI, 'claims', 'check', 'db.ts', '../README.md'], {
        CC2CC_NAME: 'bob',
      });
      expect(check.code).toBe(1);
      expect(check.out).toMatch(/src\/db\.ts is claimed by another agent: ann holds/);
    },
  );

  it('cc2cc init --git-hook refuses without the claims plugin (every commit would fail)', async () => {
    const project = await makeProject({ plugins: [] });
    expect(run(project, 'git', ['init', '-q']).code).toBe(0);
    const init = run(project, process.execPath, [CLI, 'init', '--git-hook']);
    expect(init.code).not.toBe(0);
    expect(init.out).toMatch(/--git-hook needs the "claims" plugin in the config/);
    expect(existsSync(join(project, '.git', 'hooks', 'pre-commit'))).toBe(false);
  });

  it('cc2cc claims lists every claim, and --json gives holder, paths and expiry', async () => {
    const project = await makeProject({ plugins: ['claims'] });
    const ann = await startAgent(project, ['--name', 'ann']);
    await selfWake(ann);
    expect(run(project, process.execPath, [CLI, 'claims']).out.trim()).toBe('no claims');
    await ann.call('claim', { paths: ['docs/*.md', 'README.md'], exclusive: false, reason: 'docs pass' });
    expect(run(project, process.execPath, [CLI, 'claims']).out).toMatch(
      /^ann holds README\.md, docs\/\*\.md \(shared, "docs pass", expires /,
    );
    const listed = JSON.parse(run(project, process.execPath, [CLI, 'claims', '--json']).out) as Array<
      Record<string, unknown>
    >;
    expect(listed).toEqual([
      expect.objectContaining({
        holder: 'ann',
        paths: ['README.md', 'docs/*.md'],
        exclusive: false,
        reason: 'docs pass',
        expiresAt: expect.stringMatching(/^\d{4}-/),
      }),
    ]);

    // doctor: a claim of a running agent is fine; once it stopped, nothing renews it.
    const findings = () =>
      (
        JSON.parse(run(project, process.execPath, [CLI, 'doctor', '--json']).out) as Array<{
          level: string;
          check: string;
          message: string;
        }>
      ).filter((finding) => finding.check === 'claims');
    expect(findings()).toEqual([
      expect.objectContaining({ level: 'ok', message: expect.stringMatching(/^ann holds README\.md, docs\/\*\.md/) }),
    ]);
    await ann.close();
    expect(findings()).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: expect.stringMatching(/^orphaned: ann holds .*, but ann is offline: nothing renews it/),
      }),
    ]);
  });
});
