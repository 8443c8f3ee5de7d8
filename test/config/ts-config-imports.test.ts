import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StdioAgent } from '../../src/demo/stdio-agent.js';
import { CLI, runCli } from '../cli/process-helpers.js';

const REPO = resolve(import.meta.dirname, '../..');
const DELIVERY_TIMEOUT_MS = 20_000;

// What the docs show: a plugin and a transport in local .ts files, imported as './x.js'.
const GUARD_TS = `import { definePlugin, type Envelope } from 'cc2cc';

const stamp: string = '[checked by guard.ts] ';
export const guard = definePlugin({
  name: 'guard',
  setup(ctx) {
    ctx.onSend((envelope: Envelope) => ({ envelope: { ...envelope, text: stamp + envelope.text } }));
  },
});
`;

const TRANSPORT_TS = `import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFsTransport, type Transport, type TransportFactory } from 'cc2cc';

/** The folder transport, with a line in journal.log for every message put. */
export function journaled(): TransportFactory {
  return {
    create(context): Transport {
      const inner = createFsTransport({ root: context.root, logger: context.logger, maxBytes: context.maxBytes });
      return new Proxy(inner, {
        get(target, key) {
          if (key === 'kind') return 'journaled';
          if (key === 'putMany') return undefined;
          if (key === 'put') {
            return async (to: string, envelope: { id: string }) => {
              await target.put(to as never, envelope as never);
              appendFileSync(join(context.projectDir, 'journal.log'), to + ' ' + envelope.id + '\\n');
            };
          }
          const value = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
}
`;

const CONFIG_TS = `import { defineConfig } from 'cc2cc';
import { guard } from './guard.js';
import { journaled } from './transport.js';

export default defineConfig({ agents: ['bob'], plugins: [guard], transport: journaled() });
`;

const dirs: string[] = [];
const agents: StdioAgent[] = [];

afterEach(async () => {
  await Promise.allSettled(agents.splice(0).map((agent) => agent.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A project as a new user has it: cc2cc installed, a TypeScript config next to its own .ts files. */
async function makeProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cc2cc-tsconfig-'));
  dirs.push(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'project', private: true, type: 'module' }));
  await mkdir(join(dir, 'node_modules'));
  await symlink(REPO, join(dir, 'node_modules', 'cc2cc'), 'dir');
  await writeFile(join(dir, 'guard.ts'), GUARD_TS);
  await writeFile(join(dir, 'transport.ts'), TRANSPORT_TS);
  await writeFile(join(dir, 'cc2cc.config.ts'), CONFIG_TS);
  return dir;
}

async function cacheFiles(project: string): Promise<Map<string, number>> {
  const dir = join(project, 'node_modules', '.cache', 'cc2cc');
  const names = await readdir(dir);
  return new Map(await Promise.all(names.map(async (name) => [name, (await stat(join(dir, name))).mtimeMs] as const)));
}

describe('a cc2cc.config.ts that imports local TypeScript files', () => {
  it('loads its plugin and transport, delivers end to end, and a second command reads it from the cache', async () => {
    const project = await makeProject();
    // First command: `cc2cc serve` transpiles the config and its imports and caches them.
    const bob = await StdioAgent.start({ cli: CLI, cwd: project, args: ['--name', 'bob'] });
    agents.push(bob);
    await bob.waitForPush((push) => push.meta.kind === 'system', DELIVERY_TIMEOUT_MS, 'the self-wake push');
    const cached = await cacheFiles(project);
    expect([...cached.keys()].sort().map((name) => name.replace(/\..*$/, ''))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/cc2cc\.config$|-cc2cc$/),
        expect.stringMatching(/-guard$/),
        expect.stringMatching(/-transport$/),
      ]),
    );
    // Back-date the cached files: a second command that transpiled again would write them anew.
    const past = new Date('2001-01-01T00:00:00Z');
    const cacheDir = join(project, 'node_modules', '.cache', 'cc2cc');
    for (const name of cached.keys()) await utimes(join(cacheDir, name), past, past);

    // Second command, another process with the same config: `cc2cc send`.
    const sent = await runCli(['send', 'bob', 'hello through a .ts config', '--from', 'alice'], project);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/bob: queued/);

    const push = await bob.waitForPush(
      (candidate) => candidate.meta.from === 'alice',
      DELIVERY_TIMEOUT_MS,
      'the message from alice',
    );
    expect(push.content).toContain('[checked by guard.ts] hello through a .ts config'); // guard.ts ran in the sender
    const journal = await readFile(join(project, 'journal.log'), 'utf8');
    expect(journal).toContain(`bob ${push.meta.id}`); // the transport from transport.ts stored it

    const after = await cacheFiles(project);
    expect([...after.keys()].sort()).toEqual([...cached.keys()].sort());
    for (const mtime of after.values()) expect(mtime).toBe(past.getTime());
  });

  it('says which import failed when a local file is missing', async () => {
    const project = await makeProject();
    await rm(join(project, 'guard.ts'));
    const result = await runCli(['agents'], project);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/CONFIG_LOAD_FAILED/);
    expect(result.stderr).toMatch(/guard/);
  });
});
