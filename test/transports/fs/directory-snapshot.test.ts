import { mkdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectorySnapshot } from '../../../src/transports/fs/directory-snapshot.js';
import { Scratch } from './helpers.js';

describe('DirectorySnapshot', () => {
  let scratch: Scratch;
  let folder: string;
  let loads: number;
  let snapshot: DirectorySnapshot<number>;
  const minuteAgo = () => new Date(Date.now() - 60_000);

  beforeEach(async () => {
    scratch = await new Scratch().setUp();
    folder = join(scratch.dir, 'agents');
    await mkdir(folder);
    loads = 0;
    snapshot = new DirectorySnapshot([folder], async () => ++loads);
  });
  afterEach(() => scratch.tearDown());

  it('reads once while the folder is unchanged', async () => {
    await utimes(folder, minuteAgo(), minuteAgo());
    expect(await snapshot.read()).toBe(1);
    expect(await snapshot.read()).toBe(1);
    expect(loads).toBe(1);
  });

  it.each([
    ['a file renamed in', async (dir: string) => {
      await writeFile(join(dir, '.tmp'), '{}');
      await rename(join(dir, '.tmp'), join(dir, 'a.json'));
    }],
    ['a file removed', async (dir: string) => rm(join(dir, 'old.json'))],
  ])('reads again after %s', async (_what, change) => {
    await writeFile(join(folder, 'old.json'), '{}');
    await utimes(folder, minuteAgo(), minuteAgo());
    await snapshot.read();
    await change(folder);
    expect(await snapshot.read()).toBe(2);
  });

  it('does not keep a snapshot taken in the same clock tick as a change (the racy case)', async () => {
    await writeFile(join(folder, 'a.json'), '{}'); // the folder's mtime is now
    await snapshot.read();
    await snapshot.read();
    expect(loads).toBe(2);
  });

  it('notices a folder that appears, and one replaced by another', async () => {
    const later = join(scratch.dir, 'later');
    const watching = new DirectorySnapshot([later], async () => ++loads);
    await watching.read();
    await mkdir(later);
    await utimes(later, minuteAgo(), minuteAgo());
    await watching.read();
    await rm(later, { recursive: true });
    await mkdir(later);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await utimes(later, twoMinutesAgo, twoMinutesAgo);
    await watching.read();
    expect(loads).toBe(3);
  });
});
