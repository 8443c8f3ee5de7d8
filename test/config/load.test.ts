import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig } from '../../src/config/load.js';
import { loadPlugins } from '../../src/config/plugin-loader.js';
import { builtinPluginLoaders } from '../../src/runtime.js';
import { isCc2ccError } from '../../src/kernel/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc2cc-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('uses the defaults when there is no config, rooted at the cwd', async () => {
    const config = await loadConfig({ cwd: dir });
    expect(config).toMatchObject({ configPath: undefined, delivery: 'auto', maxBytes: 262144, plugins: [] });
    expect(config.transport).toEqual({
      use: 'fs',
      root: '.cc2cc',
      fsync: true,
      rescanMs: 2000,
      closeTimeoutMs: 2000,
      retention: { doneMs: 86_400_000, maxDone: 10_000 },
      watch: true,
    });
    expect(config.rootDir).toBe(join(dir, '.cc2cc'));
  });

  it('finds a config in a parent folder and resolves root against it', async () => {
    await writeFile(
      join(dir, '.cc2ccrc.json'),
      JSON.stringify({ transport: { use: 'fs', root: 'bus' }, agents: ['calm-owl'] }),
    );
    await mkdir(join(dir, 'deep', 'er'), { recursive: true });
    const config = await loadConfig({ cwd: join(dir, 'deep', 'er') });
    expect(config.configPath).toBe(join(dir, '.cc2ccrc.json'));
    expect(config.rootDir).toBe(join(dir, 'bus'));
    expect(config.agents).toEqual(['calm-owl']);
  });

  it('fails on a wrong field type with the field path and what was expected', async () => {
    await writeFile(join(dir, '.cc2ccrc.json'), JSON.stringify({ maxBytes: 'big', agents: ['Bad/Name'] }));
    const error = await loadConfig({ cwd: dir }).catch((caught: unknown) => caught);
    expect(isCc2ccError(error, 'INVALID_CONFIG')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(join(dir, '.cc2ccrc.json'));
    expect(message).toMatch(/maxBytes: .*expected number, received string/);
    expect(message).toMatch(/agents\.0: .*lowercase/);
  });

  it('finds cc2cc.config.json, and prefers cc2cc.config.* over .cc2ccrc* in one folder', async () => {
    await writeFile(join(dir, 'cc2cc.config.json'), JSON.stringify({ agents: ['from-config-json'] }));
    expect((await loadConfig({ cwd: dir })).agents).toEqual(['from-config-json']);
    await writeFile(join(dir, '.cc2ccrc.json'), JSON.stringify({ agents: ['from-rc'] }));
    expect((await loadConfig({ cwd: dir })).configPath).toBe(join(dir, 'cc2cc.config.json'));
  });

  it('refuses unknown keys, so typos do not pass silently', async () => {
    await writeFile(join(dir, '.cc2ccrc.json'), JSON.stringify({ delivry: 'push' }));
    await expect(loadConfig({ cwd: dir })).rejects.toThrow(/delivry/);
  });

  it('loads a TypeScript config that uses defineConfig from the package', async () => {
    const repo = resolve(import.meta.dirname, '../..');
    const config = await loadConfig({ cwd: repo });
    expect(config.configPath).toBe(join(repo, 'cc2cc.config.ts'));
    expect(config.agents).toContain('reviewer');
  });

  it('loads a .cc2ccrc.json that names plugins by string, with options', async () => {
    const pkg = join(dir, 'node_modules', 'cc2cc-plugin-tag');
    await mkdir(pkg, { recursive: true });
    await writeFile(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'cc2cc-plugin-tag', type: 'module', main: 'index.js' }),
    );
    await writeFile(
      join(pkg, 'index.js'),
      'export default (options = {}) => ({ name: "tag", setup(ctx) { ctx.onSend((e) => ({ ' +
        'envelope: { ...e, meta: { tag: options.tag } } })); } });\n',
    );
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'project', private: true }));
    await writeFile(join(dir, '.cc2ccrc.json'), JSON.stringify({ plugins: [['cc2cc-plugin-tag', { tag: 'ci' }]] }));
    const config = await loadConfig({ cwd: dir });
    const plugins = await loadPlugins(config.plugins, config.projectDir, builtinPluginLoaders);
    expect(plugins.map((plugin) => plugin.name)).toEqual(['tag']);
  });

  it('names the missing plugin and the built-in ones', async () => {
    const config = resolveConfig({ plugins: ['no-such-plugin'] }, { projectDir: dir });
    const error = await loadPlugins(config.plugins, dir, builtinPluginLoaders).catch((caught: unknown) => caught);
    expect(isCc2ccError(error, 'UNKNOWN_PLUGIN')).toBe(true);
    expect((error as Error).message).toMatch(/plugin "no-such-plugin" is neither built in/);
  });

  it('gives overrides (CLI flags) the last word', () => {
    const config = resolveConfig(
      { delivery: 'push' },
      { projectDir: dir, overrides: { delivery: 'pull', name: undefined } },
    );
    expect(config.delivery).toBe('pull');
  });
});
