import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/kernel/check.js';
import { runCli, spawnNode } from './process-helpers.js';

let project: string;
beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'cc2cc-cli-'));
});
afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

describe('cc2cc init', () => {
  it(
    'writes the config, merges .mcp.json, ignores .cc2cc/ and prints the claude command; a ' +
      'second run changes nothing',
    async () => {
      await writeFile(
        join(project, '.mcp.json'),
        JSON.stringify({ mcpServers: { other: { command: 'other-server' } }, extra: true }),
      );
      await writeFile(join(project, '.gitignore'), 'node_modules');
      const first = await runCli(['init'], project);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('claude --dangerously-load-development-channels server:cc2cc');
      const mcp = JSON.parse(await readFile(join(project, '.mcp.json'), 'utf8'));
      expect(mcp.mcpServers.other).toEqual({ command: 'other-server' });
      expect(mcp.extra).toBe(true);
      expect(mcp.mcpServers.cc2cc.args).toContain('serve');
      expect(await readFile(join(project, '.gitignore'), 'utf8')).toBe('node_modules\n.cc2cc/\n');
      const config = await readFile(join(project, 'cc2cc.config.ts'), 'utf8');
      expect(config).toContain("delivery: 'auto'");

      await writeFile(join(project, '.mcp.json'), JSON.stringify({ mcpServers: { cc2cc: { command: 'mine' } } }));
      const second = await runCli(['init'], project);
      expect(second.stdout).toContain('kept the "cc2cc" server');
      expect(JSON.parse(await readFile(join(project, '.mcp.json'), 'utf8')).mcpServers.cc2cc).toEqual({
        command: 'mine',
      });
      expect(await readFile(join(project, '.gitignore'), 'utf8')).toBe('node_modules\n.cc2cc/\n');
    },
  );

  it('puts --agents in the new config, and refuses a bad name before writing anything', async () => {
    const bad = await runCli(['init', '--agents', 'backend,Tests'], project);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^cc2cc: INVALID_NAME: invalid name in --agents "Tests"/);
    const good = await runCli(['init', '--agents', 'backend, tests'], project);
    expect(good.stdout).toContain('wrote cc2cc.config.ts (agents: backend, tests)');
    expect(await readFile(join(project, 'cc2cc.config.ts'), 'utf8')).toContain("agents: ['backend', 'tests'],");
    const agents = JSON.parse((await runCli(['agents', '--json'], project)).stdout) as Array<{ name: string }>;
    expect(agents.map((agent) => agent.name)).toEqual(['backend', 'tests']);
  });

  it('refuses to touch a broken .mcp.json and says so', async () => {
    await writeFile(join(project, '.mcp.json'), '{ nope');
    const result = await runCli(['init'], project);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\.mcp\.json is not valid JSON .* it was not changed/);
    expect(await readFile(join(project, '.mcp.json'), 'utf8')).toBe('{ nope');
  });
});

describe('cc2cc agents and doctor', () => {
  it('lists agents with state and waiting count, as a table and as JSON', async () => {
    await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ agents: ['calm-owl'] }));
    await runCli(['send', 'calm-owl', 'one', '--from', 'brave-fox'], project);
    await runCli(['send', 'calm-owl', 'two', '--from', 'brave-fox'], project);
    const table = await runCli(['agents'], project);
    expect(table.stdout).toMatch(/NAME\s+STATE\s+LAST SEEN\s+WAITING\s+DEAD/);
    expect(table.stdout).toMatch(/calm-owl\s+offline\s+-\s+2\s+0/);
    const json = JSON.parse((await runCli(['agents', '--json'], project)).stdout);
    expect(json).toEqual([expect.objectContaining({ name: 'calm-owl', state: 'offline', waiting: 2, dead: 0 })]);
  });

  it('doctor passes on a healthy project and names the config', async () => {
    await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ agents: ['calm-owl'] }));
    await runCli(['init'], project); // the .mcp.json entry Claude Code needs
    await runCli(['send', 'calm-owl', 'hi', '--from', 'brave-fox'], project);
    const result = await runCli(['doctor'], project);
    expect(result.stdout).toContain(`ok   config: ${join(project, '.cc2ccrc.json')} is valid`);
    expect(result.stdout).toMatch(/ok {3}permissions: root mode 700/);
    expect(result.stdout).toMatch(/calm-owl: offline, 1 waiting/);
    expect(result.stdout).toMatch(/ok {3}mcp\.json: \.mcp\.json starts cc2cc: /);
    expect(result.code).toBe(0);
  });

  it('doctor exits 1 with a fix for a bad config, wide permissions, a stale lock and dead letters', async () => {
    await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ maxBytes: 'big' }));
    const bad = await runCli(['doctor'], project);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL config: [\s\S]*maxBytes: .*expected number, received string/);

    await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ agents: ['calm-owl'] }));
    await runCli(['send', 'calm-owl', 'hi', '--from', 'brave-fox'], project);
    const root = join(project, '.cc2cc');
    await chmod(root, 0o755);
    const gone = spawnNode(['-e', ''], project);
    await gone.exited;
    await writeFile(
      join(root, 'to-calm-owl', 'lock'),
      JSON.stringify({
        pid: gone.child.pid,
        host: (await import('node:os')).hostname(),
        startedAt: new Date().toISOString(),
        token: 'x',
      }),
    );
    await mkdir(join(root, 'to-calm-owl', 'dead'), { recursive: true });
    await writeFile(join(root, 'to-calm-owl', 'dead', '01ARZ3NDEKTSV4RRFFQ69G5FAV.json'), '{');
    await writeFile(
      join(root, 'to-calm-owl', 'dead', '01ARZ3NDEKTSV4RRFFQ69G5FAV.reason'),
      'envelope is not valid JSON',
    );
    const result = await runCli(['doctor', '--json'], project);
    expect(result.code).toBe(1);
    const findings = JSON.parse(result.stdout) as Finding[];
    expect(findings.find((finding) => finding.check === 'permissions')).toMatchObject({
      level: 'warn',
      fix: `chmod 700 ${root}`,
    });
    expect(findings.find((finding) => finding.check === 'locks')?.message).toMatch(/stale lock on calm-owl's inbox/);
    expect(findings.find((finding) => finding.check === 'dead-letters')?.message).toMatch(
      /01ARZ3NDEKTSV4RRFFQ69G5FAV: envelope is not valid JSON/,
    );
  });

  it('runs a verb a plugin adds: cc2cc rooms', async () => {
    await writeFile(
      join(project, '.cc2ccrc.json'),
      JSON.stringify({ plugins: [['rooms', { members: { reviewers: ['calm-owl', 'brave-fox'] } }]] }),
    );
    const result = await runCli(['rooms'], project);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('room:reviewers  brave-fox, calm-owl');
  });

  it('prints one clear line for an error, and a stack only with --debug', async () => {
    await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ agents: ['calm-owl'] }));
    const plain = await runCli(['send', 'calm-owl', 'x', '--from', 'brave-fox', '--kind', 'shout'], project);
    expect(plain.stderr).toBe('cc2cc: BAD_INPUT: --kind "shout" is not one of message, request, reply, event');
    const debug = await runCli(['send', 'calm-owl', 'x', '--from', 'brave-fox', '--kind', 'shout', '--debug'], project);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
