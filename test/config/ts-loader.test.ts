import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configCacheDir } from '../../src/config/ts-loader.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc2cc-cache-'));
  await chmod(dir, 0o700);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('where transpiled configs are cached', () => {
  it('uses node_modules/.cache/cc2cc of the config folder when it has a node_modules', async () => {
    await mkdir(join(dir, 'node_modules'), { mode: 0o755 });
    expect(configCacheDir(dir, {})).toBe(join(dir, 'node_modules', '.cache', 'cc2cc'));
  });

  it('follows CC2CC_CONFIG_CACHE, and 0 turns it off', () => {
    expect(configCacheDir(dir, { CC2CC_CONFIG_CACHE: join(dir, 'elsewhere') })).toBe(join(dir, 'elsewhere'));
    expect(configCacheDir(dir, { CC2CC_CONFIG_CACHE: '0' })).toBeUndefined();
  });

  it('uses no folder that others may write to', async () => {
    const open = join(dir, 'open');
    await mkdir(open);
    await chmod(open, 0o777);
    expect(configCacheDir(dir, { CC2CC_CONFIG_CACHE: open })).toBeUndefined();
    expect(configCacheDir(dir, { CC2CC_CONFIG_CACHE: join(open, 'inside') })).toBeUndefined();
  });
});
