import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc2cc-root-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A repository at `dir` with a sub-package `packages/api` that has its own package.json. */
async function monorepo(): Promise<string> {
  await mkdir(join(dir, '.git'));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'mono', private: true }));
  const api = join(dir, 'packages', 'api');
  await mkdir(join(api, 'src'), { recursive: true });
  await writeFile(join(api, 'package.json'), JSON.stringify({ name: 'api' }));
  return api;
}

describe('one bus per repository', () => {
  it('a sub-package without its own config uses the repository root, and says why', async () => {
    const api = await monorepo();
    const config = await loadConfig({ cwd: join(api, 'src') });
    expect(config.projectDir).toBe(dir);
    expect(config.rootDir).toBe(join(dir, '.cc2cc'));
    expect(config.projectReason).toMatch(/repository root/);
  });

  it(
    'finds the repository config above a sub-package.json, and a package.json "cc2cc" key counts ' + 'as a config',
    async () => {
      const api = await monorepo();
      await writeFile(join(dir, '.cc2ccrc.json'), JSON.stringify({ agents: ['calm-owl'] }));
      expect(await loadConfig({ cwd: api })).toMatchObject({
        projectDir: dir,
        configPath: join(dir, '.cc2ccrc.json'),
        agents: ['calm-owl'],
      });
      await writeFile(join(api, 'package.json'), JSON.stringify({ name: 'api', cc2cc: { agents: ['api-bot'] } }));
      expect(await loadConfig({ cwd: api })).toMatchObject({
        projectDir: api,
        configPath: join(api, 'package.json'),
        agents: ['api-bot'],
      });
    },
  );

  it('an existing .cc2cc below the repository root is the bus of the folders under it', async () => {
    const api = await monorepo();
    await mkdir(join(api, '.cc2cc'));
    const config = await loadConfig({ cwd: join(api, 'src') });
    expect(config.rootDir).toBe(join(api, '.cc2cc'));
    expect(config.projectReason).toMatch(/bus folder \.cc2cc exists/);
  });

  it('does not look above the repository root', async () => {
    await writeFile(join(dir, '.cc2ccrc.json'), JSON.stringify({ agents: ['outer'] }));
    const inner = join(dir, 'inner');
    await mkdir(join(inner, '.git'), { recursive: true });
    expect(await loadConfig({ cwd: inner })).toMatchObject({ projectDir: inner, configPath: undefined, agents: [] });
  });

  it('outside a repository, stops at the first package.json as before, else uses the working folder', async () => {
    await writeFile(join(dir, '.cc2ccrc.json'), JSON.stringify({ agents: ['outer'] }));
    const pkg = join(dir, 'pkg');
    await mkdir(join(pkg, 'src'), { recursive: true });
    expect((await loadConfig({ cwd: join(pkg, 'src') })).configPath).toBe(join(dir, '.cc2ccrc.json'));
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'pkg' }));
    expect(await loadConfig({ cwd: join(pkg, 'src') })).toMatchObject({
      projectDir: join(pkg, 'src'),
      configPath: undefined,
    });
  });
});
