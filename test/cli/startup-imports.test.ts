import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from './process-helpers.js';

const RECORDER = resolve(import.meta.dirname, '../fixtures/record-imports.mjs');
const MCP_SDK = /\/node_modules\/@modelcontextprotocol\/sdk\//;
const ZOD = /\/node_modules\/zod\//;
const COMMONJS_PACKAGES = /\/node_modules\/(tsyringe|reflect-metadata|commander|cosmiconfig)\//;

let project: string;
beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'cc2cc-imports-'));
  await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ agents: ['bob'] }));
});
afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

/**
 * The modules inside the files a process loaded: a bundle chunk stands for the sources its source map names
 * (src/...ts, node_modules/...js), any other file for itself. So the checks below read the same on the bundle
 * users run as they would on unbundled files.
 */
async function modulesIn(urls: string[]): Promise<string[]> {
  const modules: string[] = [];
  for (const url of urls) {
    if (!url.startsWith('file:')) continue;
    const file = fileURLToPath(url);
    const map = `${file}.map`;
    if (!existsSync(map)) {
      modules.push(file);
      continue;
    }
    const { sources } = JSON.parse(await readFile(map, 'utf8')) as { sources: string[] };
    modules.push(...sources.map((source) => resolve(dirname(file), source)));
  }
  return modules;
}

/** Runs `cc2cc ARGS` to its end and returns the modules it loaded (see modulesIn); `quiet`: no stderr, exit 0. */
async function importsOf(args: string[], { quiet = true } = {}): Promise<string[]> {
  const record = join(project, 'imports.txt');
  await writeFile(record, '');
  const child = spawn(process.execPath, ['--import', RECORDER, CLI, ...args], {
    cwd: project,
    env: { ...process.env, CC2CC_RECORD_IMPORTS: record },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (quiet) {
    expect(stderr, `cc2cc ${args.join(' ')}`).toBe('');
    expect(code).toBe(0);
  }
  return modulesIn((await readFile(record, 'utf8')).split('\n').filter(Boolean));
}

describe('what a verb imports', () => {
  it('--help loads neither the MCP SDK nor the schemas (zod)', async () => {
    const urls = await importsOf(['--help']);
    expect(urls.some((url) => url.endsWith('/src/cli/program.ts'))).toBe(true); // the recorder saw the CLI
    expect(urls.filter((url) => MCP_SDK.test(url))).toEqual([]);
    expect(urls.filter((url) => ZOD.test(url))).toEqual([]);
  });

  it('the hook, where no bus runs yet, loads neither the MCP SDK nor the schemas (zod)', async () => {
    const urls = await importsOf(['hook', 'prompt-submit'], { quiet: false });
    expect(urls.some((url) => url.endsWith('/src/hooks/hook-process.ts'))).toBe(true);
    expect(urls.filter((url) => MCP_SDK.test(url) || ZOD.test(url))).toEqual([]);
  });

  it('send and agents do not load the MCP SDK', async () => {
    for (const args of [['send', 'bob', 'hi', '--from', 'alice'], ['agents']]) {
      const urls = await importsOf(args);
      expect(
        urls.some((url) => url.endsWith('/src/kernel/compose.ts')),
        `cc2cc ${args[0]} composed a kernel`,
      ).toBe(true);
      expect(
        urls.filter((url) => MCP_SDK.test(url)),
        `cc2cc ${args[0]}`,
      ).toEqual([]);
    }
  });

  it(
    'agents requires its CommonJS packages instead of importing them (Node scans an imported one ' + 'for exports)',
    async () => {
      const urls = await importsOf(['agents']);
      expect(urls.some((url) => url.endsWith('/src/kernel/compose.ts'))).toBe(true);
      expect(urls.filter((url) => COMMONJS_PACKAGES.test(url))).toEqual([]);
    },
  );

  it('a config naming one built-in plugin loads that plugin only', async () => {
    await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ agents: ['bob'], plugins: ['rooms'] }));
    const plugins = (await importsOf(['agents']))
      .map((url) => /\/plugins\/([^/]+)\/index\.ts$/.exec(url)?.[1])
      .filter(Boolean);
    expect(plugins).toEqual(['rooms']);
  });

  it('serve does load it (the check above can fail)', async () => {
    // stdin is closed at once: the server sees its client gone and exits.
    const urls = await importsOf(['serve', '--name', 'bob'], { quiet: false });
    expect(urls.some((url) => MCP_SDK.test(url))).toBe(true);
  });
});
