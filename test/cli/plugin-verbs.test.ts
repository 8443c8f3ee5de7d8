import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLUGIN_VERBS_HEADING } from '../../src/cli/plugin-commands.js';
import { runCli } from './process-helpers.js';

const REPO = resolve(import.meta.dirname, '../..');

// A plugin verb that sends with the bus the CLI gives it, without naming a sender.
const CONFIG_TS = `import { defineConfig, definePlugin } from 'cc2cc';

const nudge = definePlugin({
  name: 'nudge',
  setup(ctx) {
    ctx.addCommand({
      name: 'nudge',
      description: 'nudge an agent',
      arguments: ['<to>'],
      async run([to], _options, { bus, print }) {
        const result = await bus.send({ to: to!, text: 'nudge' });
        print(result.results.map((entry) => entry.agent + ': ' + entry.status).join('\\n'));
      },
    });
  },
});

export default defineConfig({ agents: ['bob'], plugins: [nudge] });
`;

let project: string;
beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'cc2cc-verbs-'));
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'project', private: true, type: 'module' }));
  await mkdir(join(project, 'node_modules'));
  await symlink(REPO, join(project, 'node_modules', 'cc2cc'), 'dir');
  await writeFile(join(project, 'cc2cc.config.ts'), CONFIG_TS);
});
afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

async function sendersInBobsInbox(): Promise<string[]> {
  const inbox = join(project, '.cc2cc', 'to-bob', 'inbox');
  const files = (await readdir(inbox)).sort();
  return Promise.all(
    files.map(async (file) => (JSON.parse(await readFile(join(inbox, file), 'utf8')) as { from: string }).from),
  );
}

describe('a plugin verb that sends', () => {
  it('sends as --from, else as "human" when the config names no agent', async () => {
    const named = await runCli(['nudge', 'bob', '--from', 'alice'], project);
    expect(named.stderr).toBe('');
    expect(named.stdout).toBe('bob: offline (queued)');
    const unnamed = await runCli(['nudge', 'bob'], project);
    expect(unnamed.stderr).toBe('');
    expect(await sendersInBobsInbox()).toEqual(['alice', 'human']);
  });

  it('sends as the config name when there is one', async () => {
    await writeFile(
      join(project, 'cc2cc.config.ts'),
      CONFIG_TS.replace("agents: ['bob']", "agents: ['bob'], name: 'carol'"),
    );
    const result = await runCli(['nudge', 'bob'], project);
    expect(result.stderr).toBe('');
    expect(await sendersInBobsInbox()).toEqual(['carol']);
  });

  it('refuses a --from that is not an agent name', async () => {
    const result = await runCli(['nudge', 'bob', '--from', 'Not/A/Name'], project);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/INVALID_NAME: invalid --from "Not\/A\/Name"/);
  });
});

describe('cc2cc --help', () => {
  it("lists the verbs of the project's plugins under their own heading", async () => {
    const help = await runCli(['--help'], project);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(PLUGIN_VERBS_HEADING);
    expect(help.stdout).toMatch(/\n {2}nudge \[options\] <to> +nudge an agent\n/);
    expect(help.stdout.indexOf(PLUGIN_VERBS_HEADING)).toBeGreaterThan(help.stdout.indexOf('serve'));
  });

  it('lists no plugin heading for a project without plugins', async () => {
    await writeFile(join(project, 'cc2cc.config.ts'), "export default { agents: ['bob'] };\n");
    const help = await runCli(['--help'], project);
    expect(help.code).toBe(0);
    expect(help.stdout).not.toContain(PLUGIN_VERBS_HEADING);
  });
});
