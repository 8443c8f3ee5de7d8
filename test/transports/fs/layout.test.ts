import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope, names, recorder, Scratch } from './helpers.js';

describe('layout safety', () => {
  const scratch = new Scratch();
  beforeEach(() => scratch.setUp());
  afterEach(() => scratch.tearDown());

  async function plantedLink(sub: string): Promise<{ link: string; target: string }> {
    const target = join(scratch.dir, 'elsewhere');
    await mkdir(target);
    await mkdir(join(scratch.root, 'to-calm-owl'), { recursive: true });
    const link = join(scratch.root, 'to-calm-owl', sub);
    await symlink(target, link);
    return { link, target };
  }

  it('refuses a symlink planted as to-x/inbox, for put and open, naming the path', async () => {
    const { link, target } = await plantedLink('inbox');
    const transport = scratch.transport();
    await expect(transport.put('calm-owl', envelope())).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringContaining(link),
    });
    await expect(transport.open('calm-owl', recorder().handler)).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    expect(await readdir(target)).toEqual([]);
  });

  it.each(['tmp', 'cur', 'done', 'dead'])('refuses a symlink planted as to-x/%s', async (sub) => {
    const { target } = await plantedLink(sub);
    const transport = scratch.transport();
    await expect(transport.put('calm-owl', envelope())).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    expect(await readdir(target)).toEqual([]);
  });

  it('refuses a symlink planted as the to-x folder itself or as agents/', async () => {
    const target = join(scratch.dir, 'elsewhere');
    await mkdir(target);
    await mkdir(scratch.root);
    await symlink(target, join(scratch.root, 'to-calm-owl'));
    await symlink(target, join(scratch.root, 'agents'));
    const transport = scratch.transport();
    await expect(transport.put('calm-owl', envelope())).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    const now = new Date().toISOString();
    await expect(
      transport.announce({
        name: 'calm-owl',
        state: 'online',
        pid: 1,
        host: 'h',
        startedAt: now,
        lastSeen: now,
        data: {},
      }),
    ).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    expect(await readdir(target)).toEqual([]);
  });

  it('refuses a file where a folder belongs', async () => {
    await mkdir(join(scratch.root, 'to-calm-owl'), { recursive: true });
    await writeFile(join(scratch.root, 'to-calm-owl', 'cur'), 'not a folder');
    await expect(scratch.transport().put('calm-owl', envelope())).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
  });

  it('never turns a bad name into a path', async () => {
    const transport = scratch.transport();
    for (const name of ['../evil', 'a/b', 'UPPER', '', '.', 'x\u0000y']) {
      await expect(transport.put(name, envelope())).rejects.toMatchObject({ code: 'INVALID_NAME' });
      await expect(transport.open(name, recorder().handler)).rejects.toMatchObject({ code: 'INVALID_NAME' });
      await expect(transport.stats(name)).rejects.toMatchObject({ code: 'INVALID_NAME' });
    }
    expect(await names(scratch.root)).toEqual([]);
    expect(await names(scratch.dir)).toEqual([]);
  });

  it('makes a vanished inbox again on the next put', async () => {
    const transport = scratch.transport();
    await transport.put('calm-owl', envelope());
    const { rm } = await import('node:fs/promises');
    await rm(join(scratch.root, 'to-calm-owl'), { recursive: true });
    const message = envelope();
    await transport.put('calm-owl', message);
    expect(await names(join(scratch.root, 'to-calm-owl', 'inbox'))).toEqual([`${message.id}.json`]);
  });
});
