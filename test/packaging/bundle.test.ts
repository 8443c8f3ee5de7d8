import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, packageRoot } from '../../src/package-root.js';

/**
 * The published package is the rolldown bundle in dist/pkg/ (rolldown.config.mjs): what `npm pack` ships, that
 * its maps lead back to the .ts sources, and that a config importing `cc2cc` shares the CLI's modules.
 * Run `npm run build` first.
 */
const ROOT = packageRoot();
const CLI = cliPath();
const BUNDLE = dirname(CLI);
const RECORDER = resolve(import.meta.dirname, '../fixtures/record-imports.mjs');

interface PackageJson {
  bin: Record<string, string>;
  exports: Record<string, string | { types: string; import: string }>;
}

const temporary: string[] = [];
afterEach(async () => {
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function bundleFiles(dir = BUNDLE): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? bundleFiles(join(dir, entry.name)) : [join(dir, entry.name)])),
  );
  return nested.flat();
}

describe('npm pack', () => {
  let packed: Set<string>;
  let manifest: PackageJson;
  beforeAll(async () => {
    // --ignore-scripts: `prepare` would build again and print into the JSON.
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    packed = new Set((JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((file) => file.path));
    manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
  }, 60_000);

  it('ships every bin and exports target, the bundle with its maps, the page', async () => {
    const targets = [
      ...Object.values(manifest.bin),
      ...Object.values(manifest.exports).flatMap((target) =>
        typeof target === 'string' ? [target] : [target.import, target.types],
      ),
    ].map((path) => path.replace(/^\.\//, ''));
    expect(targets).toContain('dist/pkg/main.js');
    expect(targets.filter((path) => !packed.has(path))).toEqual([]);
    const bundle = (await bundleFiles()).map((file) => relative(ROOT, file));
    expect(bundle.filter((path) => !packed.has(path))).toEqual([]);
    expect(bundle.filter((path) => path.endsWith('.js.map')).length).toBeGreaterThan(10);
    expect(packed.has('dist/ui/index.html')).toBe(true);
  });

  it("does not ship tsc's unbundled JavaScript (a second copy of every module), only its .d.ts", () => {
    const unbundled = [...packed].filter((path) => /^dist\/(src|plugins)\//.test(path) && !path.endsWith('.d.ts'));
    expect(unbundled).toEqual([]);
    expect(packed.has('dist/src/index.d.ts')).toBe(true);
  });

  it('the Claude Code plugin runs the bundled CLI', async () => {
    const plugin = await readFile(join(ROOT, '.claude-plugin/plugin.json'), 'utf8');
    // The literal ${CLAUDE_PLUGIN_ROOT}, which Claude Code expands.
    expect(plugin).toContain(JSON.stringify(`\${CLAUDE_PLUGIN_ROOT}/${manifest.bin.cc2cc}`));
  });
});

describe('source maps', () => {
  it("lead a stack trace of the bundled CLI to the .ts line that threw (node's --enable-source-maps)", async () => {
    const project = await mkdtemp(join(tmpdir(), 'cc2cc-maps-'));
    temporary.push(project);
    await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ agents: ['bob'] }));
    const args = ['--enable-source-maps', CLI, '--debug', 'send', 'Bad Name!', 'hi', '--from', 'alice'];
    const child = spawn(process.execPath, args, { cwd: project, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await once(child, 'close');
    const frame = /^\s+at parseAddress \((.+):(\d+):\d+\)$/m.exec(stderr);
    expect(frame, stderr).not.toBeNull();
    const [, file, line] = frame!;
    expect(relative(ROOT, file!)).toBe(join('src', 'kernel', 'names.ts'));
    const source = (await readFile(file!, 'utf8')).split('\n')[Number(line) - 1];
    expect(source).toContain("new Cc2ccError('INVALID_ADDRESS'");
  });

  it("carry the .ts text of cc2cc's own sources (the package ships no src/)", async () => {
    const maps = (await bundleFiles()).filter((file) => file.endsWith('.js.map'));
    let checked = 0;
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(await readFile(map, 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      for (const [index, source] of sources.entries()) {
        const path = resolve(dirname(map), source);
        if (!/^(src|plugins)\//.test(relative(ROOT, path))) continue;
        expect(path.endsWith('.ts'), `${relative(ROOT, map)} names ${source}`).toBe(true);
        expect(sourcesContent?.[index], `${relative(ROOT, map)}: ${source}`).toBe(await readFile(path, 'utf8'));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe('what the bundle leaves out', () => {
  it('carries no Ajv: the SDK loads it from node_modules when a validator is first built (cc2cc demo)', async () => {
    const maps = (await bundleFiles()).filter((file) => file.endsWith('.js.map'));
    const sources = await Promise.all(
      maps.map(async (map) => (JSON.parse(await readFile(map, 'utf8')) as { sources: string[] }).sources),
    );
    expect(sources.flat().some((source) => source.includes('node_modules/@modelcontextprotocol/sdk/'))).toBe(true);
    expect(sources.flat().filter((source) => /node_modules\/(ajv|ajv-formats|fast-uri)\//.test(source))).toEqual([]);
  });
});

describe('a TypeScript config that imports cc2cc', () => {
  it('runs on the CLI’s own modules: the bundle’s entry, no second copy of cc2cc', async () => {
    const project = await mkdtemp(join(tmpdir(), 'cc2cc-shared-'));
    temporary.push(project);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'p', private: true, type: 'module' }));
    await mkdir(join(project, 'node_modules'));
    await symlink(ROOT, join(project, 'node_modules', 'cc2cc'), 'dir');
    await writeFile(
      join(project, 'cc2cc.config.ts'),
      `import { defineConfig } from 'cc2cc';
import { rooms } from 'cc2cc/plugins';
export default defineConfig({ agents: ['bob'], plugins: [rooms()] });
`,
    );
    const record = join(project, 'imports.txt');
    await writeFile(record, '');
    const child = spawn(process.execPath, ['--import', RECORDER, CLI, 'agents'], {
      cwd: project,
      env: { ...process.env, CC2CC_RECORD_IMPORTS: record },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    expect(code, stderr).toBe(0);
    const loaded = (await readFile(record, 'utf8'))
      .split('\n')
      .filter((url) => url.startsWith('file:'))
      .map((url) => relative(ROOT, fileURLToPath(url)));
    expect(loaded).toEqual(expect.arrayContaining(['dist/pkg/index.js', 'dist/pkg/plugins.js']));
    expect(loaded.filter((path) => /^dist\/(src|plugins)\//.test(path))).toEqual([]);
  });
});
