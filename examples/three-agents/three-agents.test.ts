import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueSink, createRuntime, resolveConfig, silentLogger, type Cc2cc } from 'cc2cc';
import { waitFor } from 'cc2cc/testing';
import config from './cc2cc.config.js';

const REPO = resolve(import.meta.dirname, '../..');

const running: Cc2cc[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((runtime) => runtime.close()));
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The project's `npx cc2cc ARGS`: the installed package's CLI, run in `cwd`. */
function cc2cc(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = join(cwd, 'node_modules', 'cc2cc', 'dist', 'src', 'cli', 'main.js');
  return new Promise((resolveRun) => {
    execFile(process.execPath, [cli, ...args], { cwd }, (error, stdout, stderr) => {
      resolveRun({ code: error ? Number(error.code ?? 1) : 0, stdout: stdout.trimEnd(), stderr: stderr.trimEnd() });
    });
  });
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cc2cc-three-agents-'));
  folders.push(dir);
  return dir;
}

/** The three agents as three kernels on one `.cc2cc/` folder, each with its own inbox. */
async function startTeam(projectDir: string) {
  const loaded = resolveConfig(config, { projectDir });
  const team = {} as Record<'backend' | 'tests' | 'reviewer', { runtime: Cc2cc; inbox: QueueSink }>;
  for (const name of ['backend', 'tests', 'reviewer'] as const) {
    const inbox = new QueueSink();
    const runtime = await createRuntime(loaded, { sink: inbox, logger: silentLogger });
    running.push(runtime);
    await runtime.bus.attach(name);
    team[name] = { runtime, inbox };
  }
  return { loaded, team };
}

async function nextText(inbox: QueueSink, who: string): Promise<string> {
  await waitFor(() => inbox.size > 0, { what: `a message at ${who}` });
  return (await inbox.take(1))[0]!.text;
}

describe('the three-agent example config', () => {
  it('routes room:dev to the reviewer too, and CI results on topic:ci.> to the reviewer', async () => {
    const { loaded, team } = await startTeam(await tempDir());

    const said = await team.backend.runtime.bus.send({ to: 'room:dev', text: 'schema v2 is merged' });
    expect(said.results).toEqual([
      { agent: 'tests', via: 'room:dev', status: 'queued' },
      { agent: 'reviewer', via: 'room:reviewers', status: 'queued' },
    ]);
    expect(await nextText(team.tests.inbox, 'tests')).toBe('schema v2 is merged');
    expect(await nextText(team.reviewer.inbox, 'reviewer')).toBe('schema v2 is merged');

    // The tests agent follows CI with the subscribe tool (what Claude would call).
    const subscribe = team.tests.runtime.extensions.tools.get('subscribe')!.tool;
    expect(
      (await subscribe.run({ topic: 'ci.>' }, { bus: team.tests.runtime.bus, frame: (envelope) => envelope.text }))
        .text,
    ).toBe('subscribed to ci.>');

    // A CI job publishes without being an agent: a one-shot runtime, as `cc2cc send` uses.
    const ci = await createRuntime(loaded, { logger: silentLogger });
    running.push(ci);
    const published = await ci.bus.send({ from: 'ci', to: 'topic:ci.build', text: 'build 7 is red', kind: 'event' });
    expect(published.results).toEqual([
      { agent: 'tests', via: 'topic:ci.build', status: 'queued' },
      { agent: 'reviewer', via: 'room:reviewers', status: 'queued' },
    ]);
    expect(await nextText(team.tests.inbox, 'tests')).toBe('build 7 is red');
    expect(await nextText(team.reviewer.inbox, 'reviewer')).toBe('build 7 is red');
  });

  it('loads as a project config from the command line, and cc2cc send follows its routes', async () => {
    // A project that installed cc2cc: node_modules/cc2cc is this package (built into dist/).
    const project = await tempDir();
    await writeFile(join(project, 'package.json'), '{ "name": "demo-project", "private": true }\n');
    await mkdir(join(project, 'node_modules'));
    await symlink(REPO, join(project, 'node_modules', 'cc2cc'), 'dir');
    await cp(join(import.meta.dirname, 'cc2cc.config.ts'), join(project, 'cc2cc.config.ts'));

    const rooms = await cc2cc(['rooms'], project);
    expect(rooms.stderr).toBe('');
    expect(rooms.stdout.split('\n')).toEqual(['room:dev  backend, tests', 'room:reviewers  reviewer']);

    const sent = await cc2cc(['send', 'room:dev', 'please review PR 12', '--from', 'backend', '--json'], project);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout).results).toEqual([
      { agent: 'tests', via: 'room:dev', status: 'offline (queued)' },
      { agent: 'reviewer', via: 'room:reviewers', status: 'offline (queued)' },
    ]);
    const agents = JSON.parse((await cc2cc(['agents', '--json'], project)).stdout) as Array<{
      name: string;
      waiting: number;
    }>;
    expect(agents.map(({ name, waiting }) => [name, waiting])).toEqual([
      ['backend', 0],
      ['reviewer', 1],
      ['tests', 1],
    ]);
  });
});
