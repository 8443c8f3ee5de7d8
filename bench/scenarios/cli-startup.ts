import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StdioAgent } from '../../src/demo/stdio-agent.js';
import { findPackageRoot } from '../../src/package-root.js';
import { round, summarize } from '../stats.js';
import { scaled, type Scenario } from '../scenario.js';

const CONFIG_TS = `import { defineConfig } from 'cc2cc';
import { guard } from './guard.js';

export default defineConfig({ agents: ['bob'], plugins: [guard], logLevel: 'warn' });
`;

const GUARD_TS = `import { definePlugin, type Envelope } from 'cc2cc';

export const guard = definePlugin({
  name: 'guard',
  setup(ctx) {
    ctx.onSend((envelope: Envelope) => ({ envelope }));
  },
});
`;

const HOOK_INPUT = JSON.stringify({
  hook_event_name: 'UserPromptSubmit',
  session_id: 'bench-startup',
  cwd: '.',
  prompt: 'hi',
});

/**
 * What a person and a client wait for before cc2cc does anything: the wall time of whole
 * processes, measured side by side in one loop so each ratio compares runs on the same
 * machine at the same moment. `node -e 0` is the floor; the project has a `cc2cc.config.ts`
 * importing a local `guard.ts` plugin, loaded once before the loop so later loads come from
 * the transpile cache; `--help` runs in a folder without a config. The hook runs with no server (it
 * then reads the inbox itself);
 * serve is timed until the SDK client's `initialize` is answered.
 */
export const cliStartup: Scenario = {
  name: 'cli-startup',
  async run(context) {
    const project = join(context.dir, 'project');
    // `--help` runs where no config is found (a package of its own): in a project whose config enables plugins it
    // loads that config to list their verbs, and then costs what `agents` costs.
    const bare = join(context.dir, 'bare');
    const repo = findPackageRoot(dirname(context.cli));
    await mkdir(project);
    await mkdir(bare);
    await writeFile(join(bare, 'package.json'), JSON.stringify({ name: 'bench-bare', private: true }));
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'bench-startup', private: true, type: 'module' }),
    );
    await mkdir(join(project, 'node_modules'));
    await symlink(repo, join(project, 'node_modules', 'cc2cc'), 'dir');
    await writeFile(join(project, 'guard.ts'), GUARD_TS);
    await writeFile(join(project, 'cc2cc.config.ts'), CONFIG_TS);
    const env = { ...(process.env as Record<string, string>), CLAUDE_CODE_SESSION_ID: 'bench-startup' };

    const timeProcess = async (args: string[], input?: string, cwd = project): Promise<number> => {
      const started = performance.now();
      const child = spawn(process.execPath, args, { cwd, env, stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdin.end(input ?? '');
      const [code] = (await once(child, 'close')) as [number | null];
      const elapsed = performance.now() - started;
      // The hook with no server says so on stderr and exits 0: only the exit code is judged.
      if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`);
      return elapsed;
    };
    const timeServe = async (index: number): Promise<number> => {
      const started = performance.now();
      const agent = await StdioAgent.start({
        cli: context.cli,
        cwd: project,
        args: ['--name', `startup-${index}`],
        env,
      });
      const elapsed = performance.now() - started; // start() resolves once `initialize` is answered
      await agent.close();
      return elapsed;
    };

    // Warm-up, not counted: fills the transpile cache and the OS file cache.
    await timeProcess([context.cli, 'agents']);
    await timeServe(0);

    const rounds = scaled(20, context.scale, 5);
    const samples = {
      node: [] as number[],
      help: [] as number[],
      agents: [] as number[],
      hook: [] as number[],
      serve: [] as number[],
    };
    for (let i = 1; i <= rounds; i++) {
      samples.node.push(await timeProcess(['-e', '0']));
      samples.help.push(await timeProcess([context.cli, '--help'], undefined, bare));
      samples.agents.push(await timeProcess([context.cli, 'agents']));
      samples.hook.push(await timeProcess([context.cli, 'hook', 'prompt-submit'], HOOK_INPUT));
      samples.serve.push(await timeServe(i));
      if (i % 5 === 0) context.progress(`${i}/${rounds}`);
    }
    const p50 = Object.fromEntries(
      Object.entries(samples).map(([key, values]) => [key, summarize(values).p50]),
    ) as Record<keyof typeof samples, number>;
    return {
      name: 'cli-startup',
      description:
        'wall time of whole processes side by side, p50 ms: `node -e 0`, `cc2cc --help` (no ' +
        'config), `cc2cc agents` (cached cc2cc.config.ts ' +
        'with a local guard.ts), `cc2cc hook prompt-submit` (no server), `cc2cc serve` until `initialize` is answered',
      figures: {
        nodeMs: round(p50.node, 1),
        helpMs: round(p50.help, 1),
        agentsMs: round(p50.agents, 1),
        hookMs: round(p50.hook, 1),
        serveInitializeMs: round(p50.serve, 1),
        helpRatio: round(p50.help / p50.node, 2),
        agentsRatio: round(p50.agents / p50.node, 2),
        hookRatio: round(p50.hook / p50.node, 2),
        serveRatio: round(p50.serve / p50.node, 2),
      },
    };
  },
};
