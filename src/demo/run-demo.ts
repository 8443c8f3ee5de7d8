import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinPluginLoaders } from '../runtime.js';
import { StdioAgent, type ReceivedPush } from './stdio-agent.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

export interface DemoOptions {
  /** Path of the built CLI the servers run from. */
  cli: string;
  print: (line: string) => void;
  /** Keep the temporary project folder (its `.cc2cc/` shows every message file). */
  keep?: boolean;
  /** Bound on each step's wait for a delivery. */
  stepTimeoutMs?: number;
}

/** The demo's optional steps need these plugins; each runs only when its plugin is built in. */
export const DEMO_PLUGINS = ['rooms', 'topics', 'request-reply'] as const;

const NAMES = ['alice', 'bob', 'carol'] as const;
type Name = (typeof NAMES)[number];

interface Step {
  title: string;
  plugin?: (typeof DEMO_PLUGINS)[number];
  run(): Promise<void>;
}

/**
 * `cc2cc demo`: three real `cc2cc serve` processes in a temporary project, driven by the
 * MCP SDK client the way Claude Code drives them, printing each delivery as it arrives
 * with its latency. Resolves true only when every step that ran arrived.
 */
export async function runDemo(options: DemoOptions): Promise<boolean> {
  const { print, stepTimeoutMs = 15_000 } = options;
  const builtinPlugins = await builtinPluginLoaders();
  const plugins = DEMO_PLUGINS.filter((plugin) => plugin in builtinPlugins);
  const dir = await mkdtemp(join(tmpdir(), 'cc2cc-demo-'));
  const agents = new Map<Name, StdioAgent>();
  let stepStart = performance.now();

  const show = (name: Name) => (push: ReceivedPush) => {
    const from = push.meta.kind === 'system' ? 'cc2cc' : push.meta.from;
    const latency = push.meta.kind === 'system' ? '' : `   ${Math.round(push.at - stepStart)} ms`;
    print(
      `  ${name.padEnd(6)} ⇐ ${from} ` +
        `(${push.meta.kind}${push.meta.room ? `, room ${push.meta.room}` : ''}` +
        `${push.meta.topic ? `, topic ${push.meta.topic}` : ''}): ${quote(push.content)}${latency}`,
    );
  };
  const agent = (name: Name) => agents.get(name)!;
  /** Latency is measured from the last call made with `timed`. */
  const says = async (name: Name, tool: string, args: Record<string, unknown>, timed = false) => {
    if (timed) stepStart = performance.now();
    print(`  ${name.padEnd(6)} ${tool} ${describeArgs(args)}`);
    const answer = await agent(name).call(tool, args, stepTimeoutMs * 2);
    if (answer.isError) throw new Error(`${tool} failed: ${answer.text}`);
    return answer.text;
  };
  const arrives = (name: Name, match: (push: ReceivedPush) => boolean, what: string) =>
    agent(name).waitForPush(match, stepTimeoutMs, `${what} at ${name}`);

  let directId = '';
  const steps: Step[] = [
    {
      title: 'direct message',
      async run() {
        const text = 'Can you run the test suite on main?';
        await says('alice', 'send', { to: 'bob', text }, true);
        directId = (await arrives('bob', (push) => push.meta.from === 'alice' && push.content === text, 'the message'))
          .meta.id!;
      },
    },
    {
      title: 'reply',
      async run() {
        await says('bob', 'reply', { id: directId, text: 'Running it now: 214 passed.' }, true);
        await arrives(
          'alice',
          (push) => push.meta.kind === 'reply' && push.meta.correlation_id === directId,
          'the reply',
        );
      },
    },
    {
      title: 'room broadcast',
      plugin: 'rooms',
      async run() {
        const join = argumentOf(await agent('bob').tools(), 'join', 'room');
        await says('bob', 'join', { [join]: 'reviewers' });
        await says('carol', 'join', { [join]: 'reviewers' });
        await says('alice', 'send', { to: 'room:reviewers', text: 'PR 7 is ready for review.' }, true);
        await Promise.all(
          (['bob', 'carol'] as const).map((name) =>
            arrives(name, (push) => push.meta.room === 'reviewers', 'the room message'),
          ),
        );
      },
    },
    {
      title: 'topic publish',
      plugin: 'topics',
      async run() {
        const subscribe = argumentOf(await agent('carol').tools(), 'subscribe', 'topic');
        await says('carol', 'subscribe', { [subscribe]: 'ci.*' });
        await says('alice', 'send', { to: 'topic:ci.build', text: 'build 42 is green', kind: 'event' }, true);
        await arrives('carol', (push) => push.meta.topic === 'ci.build', 'the topic message');
      },
    },
    {
      title: 'request/reply',
      plugin: 'request-reply',
      async run() {
        const answer = 'feature/login';
        const request = says(
          'alice',
          'request',
          { to: 'bob', text: 'Which branch are you on?', timeout_ms: stepTimeoutMs },
          true,
        );
        const asked = await arrives(
          'bob',
          (push) => push.meta.kind === 'request' && push.meta.from === 'alice',
          'the request',
        );
        await says('bob', 'reply', { id: asked.meta.id, text: answer });
        const result = await request;
        if (!result.includes(answer)) throw new Error(`request resolved without the answer: ${quote(result)}`);
        print(
          `  alice  request resolved: ${quote(result)}   ${Math.round(performance.now() - stepStart)} ms round trip`,
        );
      },
    },
  ];

  let failed = 0;
  let ran = 0;
  try {
    await writeFile(join(dir, '.cc2ccrc.json'), `${JSON.stringify({ plugins, logLevel: 'warn' }, null, 2)}\n`);
    print(`cc2cc demo: three real \`cc2cc serve\` processes in ${dir}`);
    print(`  plugins: ${plugins.length > 0 ? plugins.join(', ') : 'none built in yet'}`);
    print('');
    await Promise.all(
      NAMES.map(async (name) => {
        agents.set(
          name,
          await StdioAgent.start({ cli: options.cli, cwd: dir, args: ['--name', name], onPush: show(name) }),
        );
      }),
    );
    // Each server says who it is first (the self-wake): then it is ready.
    await Promise.all(NAMES.map((name) => arrives(name, (push) => push.meta.kind === 'system', 'the self-wake')));

    for (const [index, step] of steps.entries()) {
      if (step.plugin && !plugins.includes(step.plugin)) {
        print(`\n${index + 1}. ${step.title}: skipped, plugin "${step.plugin}" is not built in (plugins/registry.ts)`);
        continue;
      }
      print(`\n${index + 1}. ${step.title}`);
      ran++;
      try {
        await step.run();
        print(`  ✓ arrived`);
      } catch (error) {
        failed++;
        print(`  ✗ ${(error as Error).message}`);
        if (index < 2) break; // the reply needs the direct message
      }
    }
  } catch (error) {
    failed++;
    print(`✗ demo could not run: ${(error as Error).message}`);
    for (const [name, running] of agents) if (running.stderr) print(`--- ${name} stderr ---\n${running.stderr}`);
  } finally {
    await Promise.allSettled([...agents.values()].map((running) => running.close()));
    if (options.keep) print(`\nkept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
  print('');
  print(failed === 0 ? `✓ all ${ran} steps arrived` : `✗ ${failed} of ${ran} steps did not arrive`);
  return failed === 0 && ran > 0;
}

/** A tool's first required argument (the room of `join`, the pattern of `subscribe`). */
function argumentOf(tools: Tool[], name: string, fallback: string): string {
  const tool = tools.find((candidate) => candidate.name === name);
  if (!tool) throw new Error(`no "${name}" tool is listed; is the plugin enabled?`);
  return tool.inputSchema.required?.[0] ?? fallback;
}

function describeArgs(args: Record<string, unknown>): string {
  return Object.entries(args)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? quote(value) : JSON.stringify(value)}`)
    .join(' ');
}

function quote(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return `"${line.length > 90 ? `${line.slice(0, 87)}...` : line}"`;
}
