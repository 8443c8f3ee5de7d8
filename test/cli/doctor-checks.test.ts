import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createRuntime } from '../../src/runtime.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { QueueSink } from '../../src/sinks/queue-sink.js';
import { droppedCounts } from '../../plugins/filters/index.js';
import { compareVersions } from '../../src/cli/doctor/claude-code.js';
import { thisProcess } from '../../src/transports/fs/process-identity.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { CLI } from './process-helpers.js';

interface Finding {
  level: 'ok' | 'info' | 'warn' | 'fail';
  check: string;
  message: string;
  fix?: string;
}

let project: string;
let bin: string;
beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'cc2cc-doctor-'));
  bin = join(project, 'test-bin');
  await mkdir(bin);
  await writeFile(join(project, 'package.json'), '{ "name": "p", "private": true }\n');
  // A JSON config loads fast; `cc2cc init` keeps it instead of writing cc2cc.config.ts.
  await writeFile(join(project, '.cc2ccrc.json'), '{}');
});
afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

/**
 * The built CLI with a PATH we control: `test-bin/` first, holding a stand-in `claude`
 * when a test wants one, then only the folder of node (so a real `claude` is not found).
 */
function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: project,
      env: { HOME: process.env.HOME, PATH: [bin, join(process.execPath, '..')].join(delimiter), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout: stdout.trimEnd(), stderr: stderr.trimEnd() }));
  });
}

async function doctor(env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; findings: Finding[] }> {
  const result = await run(['doctor', '--json'], env);
  expect(result.stderr).toBe('');
  return { code: result.code, findings: JSON.parse(result.stdout) as Finding[] };
}

async function fakeClaude(versionLine: string): Promise<void> {
  await writeFile(join(bin, 'claude'), `#!/bin/sh\necho "${versionLine}"\n`);
  await chmod(join(bin, 'claude'), 0o755);
}

const finding = (findings: Finding[], check: string) => findings.find((entry) => entry.check === check);

describe('cc2cc doctor: the bus folder', () => {
  it('calls a full disk not writable (a 1 MiB tmpfs, filled)', async (context) => {
    const root = join(project, '.cc2cc');
    await mkdir(root, { mode: 0o700 });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=700', 'tmpfs', root], { stdio: 'ignore' });
    } catch {
      context.skip(); // needs root (or a user namespace) to mount
      return;
    }
    try {
      // Fill it: the last write fails with ENOSPC.
      await writeFile(join(root, 'filler'), Buffer.alloc(1024 * 1024)).catch(() => {});
      const full = await doctor();
      expect(finding(full.findings, 'root')).toMatchObject({
        level: 'fail',
        message: expect.stringMatching(/is not writable: the disk \(or quota\) is full \(ENOSPC/),
        fix: expect.stringMatching(/free some space/),
      });
      expect(full.code).toBe(1);
      await rm(join(root, 'filler'));
      expect(finding((await doctor()).findings, 'root')).toMatchObject({
        level: 'ok',
        message: expect.stringMatching(/is writable \(wrote and removed/),
      });
    } finally {
      execFileSync('umount', [root]);
    }
  });
});

describe('cc2cc doctor: inbox locks', () => {
  it.skipIf(process.platform !== 'linux')(
    'calls a lock stale by the rules a server uses: a pid reused by a later process',
    async () => {
      const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      try {
        const me = thisProcess();
        await mkdir(join(project, '.cc2cc', 'to-bob'), { recursive: true, mode: 0o700 });
        await chmod(join(project, '.cc2cc'), 0o700);
        const lock = {
          pid: idle.pid,
          host: 'renamed-laptop',
          startedAt: 'then',
          token: 'old',
          boot: me.boot,
          pidNs: me.pidNs,
          procStart: '1',
        };
        await writeFile(join(project, '.cc2cc', 'to-bob', 'lock'), JSON.stringify(lock));
        const { findings } = await doctor();
        expect(finding(findings, 'locks')).toMatchObject({
          level: 'warn',
          message: expect.stringMatching(
            /stale lock on bob's inbox \(pid \d+: that pid now belongs to a process started later\)/,
          ),
        });
      } finally {
        idle.kill('SIGKILL');
      }
    },
  );
});

describe('cc2cc doctor: Claude Code checks', () => {
  it('warns, with the fix, when .mcp.json has no cc2cc server; passes once init added it', async () => {
    const before = await doctor();
    expect(before.code).toBe(1);
    expect(finding(before.findings, 'mcp.json')).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/no \.mcp\.json in/),
      fix: expect.stringMatching(/npx cc2cc init/),
    });

    await writeFile(join(project, '.mcp.json'), JSON.stringify({ mcpServers: { other: { command: 'x' } } }));
    expect(finding((await doctor()).findings, 'mcp.json')).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/has no "cc2cc" server/),
    });

    expect((await run(['init'])).code).toBe(0);
    const after = await doctor();
    expect(finding(after.findings, 'mcp.json')).toMatchObject({
      level: 'ok',
      message: expect.stringMatching(/starts cc2cc: .*main\.js serve/),
    });
    expect(after.code).toBe(0);
  });

  it('spots an npx entry for a project where cc2cc is not installed, and a server under another key', async () => {
    await writeFile(
      join(project, '.mcp.json'),
      JSON.stringify({ mcpServers: { cc2cc: { command: 'npx', args: ['cc2cc', 'serve'] } } }),
    );
    expect(finding((await doctor()).findings, 'mcp.json')).toMatchObject({
      level: 'warn',
      fix: 'npm install --save-dev cc2cc',
    });

    await writeFile(
      join(project, '.mcp.json'),
      JSON.stringify({ mcpServers: { bus: { command: 'npx', args: ['cc2cc', 'serve'] } } }),
    );
    expect(finding((await doctor()).findings, 'mcp.json')).toMatchObject({
      level: 'warn',
      fix: expect.stringMatching(/server:bus/),
    });

    await writeFile(join(project, '.mcp.json'), '{ nope');
    expect(finding((await doctor()).findings, 'mcp.json')).toMatchObject({
      level: 'fail',
      message: expect.stringMatching(/is not usable/),
    });
  });

  it(
    'reads the installed Claude Code version: too old fails with the fix, 2.1.80 passes, none is ' + 'only a note',
    async () => {
      await run(['init']);
      const none = await doctor();
      expect(finding(none.findings, 'claude')).toMatchObject({
        level: 'info',
        message: expect.stringMatching(/`claude` is not on the PATH/),
      });
      expect(none.code).toBe(0);

      await fakeClaude('2.1.79 (Claude Code)');
      const old = await doctor();
      expect(finding(old.findings, 'claude')).toMatchObject({
        level: 'fail',
        message: expect.stringMatching(/Claude Code 2\.1\.79 has no channels/),
        fix: expect.stringMatching(/claude update/),
      });
      expect(old.code).toBe(1);

      await fakeClaude('2.1.80 (Claude Code)');
      const fine = await doctor();
      expect(finding(fine.findings, 'claude')).toMatchObject({
        level: 'ok',
        message: expect.stringMatching(/Claude Code 2\.1\.80 .*--dangerously-load-development-channels server:cc2cc/),
      });
      expect(fine.code).toBe(0);

      await fakeClaude('something else');
      expect(finding((await doctor()).findings, 'claude')).toMatchObject({ level: 'warn' });
    },
  );

  it('notes an API key in the environment without failing', async () => {
    await run(['init']);
    const result = await doctor({ ANTHROPIC_API_KEY: 'sk-test' });
    expect(finding(result.findings, 'login')).toMatchObject({
      level: 'info',
      message: expect.stringMatching(/channels feature is not currently available/),
    });
    expect(result.code).toBe(0);
  });

  it('still checks .mcp.json and Claude Code when the config is broken', async () => {
    await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ delivery: 'sometimes' }));
    const result = await doctor();
    expect(result.code).toBe(1);
    expect(finding(result.findings, 'config')).toMatchObject({
      level: 'fail',
      message: expect.stringMatching(/delivery/),
    });
    expect(finding(result.findings, 'mcp.json')).toBeDefined();
    expect(finding(result.findings, 'claude')).toBeDefined();
  });

  it('compares versions numerically', () => {
    expect(compareVersions([2, 1, 100], [2, 1, 80])).toBeGreaterThan(0);
    expect(compareVersions([2, 0, 999], [2, 1, 80])).toBeLessThan(0);
    expect(compareVersions([2, 1, 80], [2, 1, 80])).toBe(0);
  });
});

describe('cc2cc doctor: filter drops', () => {
  it("shows each agent's drops by rule from its presence record, with a fix, and exits 1", async () => {
    await writeFile(
      join(project, '.cc2ccrc.json'),
      JSON.stringify({ agents: ['calm-owl'], plugins: [['filters', { deny: ['spam-*'] }]] }),
    );
    await run(['init']);
    const runtime = await createRuntime(await loadConfig({ cwd: project }), {
      sink: new QueueSink(),
      logger: silentLogger,
    });
    try {
      await runtime.bus.attach('calm-owl');
      await runtime.bus.send({ from: 'spam-bot', to: 'calm-owl', text: 'buy now' });
      await runtime.bus.send({ from: 'spam-bot', to: 'calm-owl', text: 'buy more' });
      await waitFor(
        async () =>
          droppedCounts((await runtime.bus.agents()).find((agent) => agent.name === 'calm-owl')?.presence?.data)
            .deny === 2,
        {
          what: 'two deny drops in presence',
        },
      );
    } finally {
      await runtime.close();
    }
    const result = await doctor();
    expect(result.code).toBe(1);
    expect(finding(result.findings, 'filters')).toMatchObject({
      level: 'warn',
      message: 'calm-owl: filters dropped deny 2',
      fix: expect.stringMatching(/dead letter with its reason .*"filters" options/),
    });
    expect(result.findings.filter((entry) => entry.check === 'dead-letters').map((entry) => entry.message)).toEqual([
      expect.stringMatching(/calm-owl: \w+: filters: sender spam-bot is denied/),
      expect.stringMatching(/calm-owl: \w+: filters: sender spam-bot is denied/),
    ]);
  });
});

describe('cc2cc doctor: checks plugins add', () => {
  /** A third-party plugin in the project folder, named in the config by its path. */
  async function checkingPlugin(): Promise<void> {
    await writeFile(
      join(project, 'checking-plugin.mjs'),
      `export default ({ level }) => ({
        name: 'checking',
        setup(ctx) {
          ctx.addCheck('backups', () => [{ level, message: 'last backup ' + level, fix: 'run the backup' }]);
          ctx.addCheck('broken', () => { if (level === 'fail') throw new Error('no backup server'); return []; });
        },
      });\n`,
    );
  }

  it("shows a plugin's findings, and its fail (or a check that throws) makes doctor exit 1", async () => {
    await checkingPlugin();
    await run(['init']);
    const useLevel = (level: string) =>
      writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ plugins: [['./checking-plugin.mjs', { level }]] }));
    await useLevel('ok');
    const fine = await doctor();
    const backups = { level: 'ok', check: 'backups', message: 'last backup ok', fix: 'run the backup' };
    expect(finding(fine.findings, 'backups')).toEqual(backups);
    expect(finding(fine.findings, 'broken')).toBeUndefined();
    expect(fine.code).toBe(0);

    await useLevel('fail');
    const failing = await doctor();
    expect(finding(failing.findings, 'backups')).toMatchObject({ level: 'fail', message: 'last backup fail' });
    const broken = { level: 'fail', message: 'plugin "checking" check broken failed: no backup server' };
    expect(finding(failing.findings, 'broken')).toMatchObject(broken);
    expect(failing.code).toBe(1);
    const plain = await run(['doctor']);
    expect(plain.stdout).toMatch(/^FAIL backups: last backup fail\n {5}fix: run the backup$/m);
  });
});

describe('colours', () => {
  it('only on a terminal or with FORCE_COLOR, and never with NO_COLOR', async () => {
    await run(['init']);
    const ESC = '\u001b[';
    expect((await run(['doctor'])).stdout).not.toContain(ESC);
    expect((await run(['doctor'], { FORCE_COLOR: '1' })).stdout).toContain(`${ESC}32mok  ${ESC}39m config:`);
    expect((await run(['doctor'], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).not.toContain(ESC);
  });
});
