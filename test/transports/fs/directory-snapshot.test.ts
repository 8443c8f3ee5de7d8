import { mkdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectorySnapshot } from '../../../src/transports/fs/directory-snapshot.js';
import { Scratch } from './helpers.js';
import { waitFor } from '../../../src/testing/wait-for.js';

describe('DirectorySnapshot, by mtimes (watch off)', () => {
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
    snapshot = new DirectorySnapshot([folder], async () => ++loads, { watch: false });
  });
  afterEach(() => scratch.tearDown());

  it('reads once while the folder is unchanged', async () => {
    await utimes(folder, minuteAgo(), minuteAgo());
    expect(await snapshot.read()).toBe(1);
    expect(await snapshot.read()).toBe(1);
    expect(loads).toBe(1);
  });

  it.each([
    [
      'a file renamed in',
      async (dir: string) => {
        await writeFile(join(dir, '.tmp'), '{}');
        await rename(join(dir, '.tmp'), join(dir, 'a.json'));
      },
    ],
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
    const watching = new DirectorySnapshot([later], async () => ++loads, { watch: false });
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

describe('DirectorySnapshot, watched', () => {
  let scratch: Scratch;
  let folder: string;
  let loads: number;
  let snapshot: DirectorySnapshot<number>;

  beforeEach(async () => {
    scratch = await new Scratch().setUp();
    folder = join(scratch.dir, 'agents');
    await mkdir(folder);
    loads = 0;
    snapshot = new DirectorySnapshot([folder], async () => ++loads);
  });
  afterEach(async () => {
    snapshot.close();
    await scratch.tearDown();
  });

  it('reads once while nothing changes, even right after a change (no timestamp tick to wait out)', async () => {
    await writeFile(join(folder, 'a.json'), '{}');
    expect(await snapshot.read()).toBe(1);
    expect(await snapshot.read()).toBe(1);
    expect(await snapshot.read()).toBe(1);
  });

  it('sees a change made just before the read, by rename or removal', async () => {
    await writeFile(join(folder, 'old.json'), '{}');
    await snapshot.read();
    await writeFile(join(folder, '.tmp'), '{}');
    await rename(join(folder, '.tmp'), join(folder, 'a.json'));
    expect(await snapshot.read()).toBe(2);
    await rm(join(folder, 'old.json'));
    expect(await snapshot.read()).toBe(3);
  });

  it('keeps seeing changes after the folder is removed and made again', async () => {
    await snapshot.read();
    await rm(folder, { recursive: true });
    await mkdir(folder);
    const afterRecreate = await snapshot.read();
    expect(afterRecreate).toBeGreaterThan(1);
    await writeFile(join(folder, 'b.json'), '{}');
    expect(await snapshot.read()).toBe(afterRecreate + 1);
  });

  it('starts one set of watchers for reads side by side, and loads once for them', async () => {
    const values = await Promise.all(Array.from({ length: 10 }, () => snapshot.read()));
    expect(new Set(values).size).toBe(1);
    expect(await snapshot.read()).toBe(values[0]);
    await writeFile(join(folder, 'a.json'), '{}');
    expect(await snapshot.read()).toBe(values[0]! + 1);
  });

  it(
    'never hands a read a value loaded before a change that finished before the read began, with ' + 'loads in flight',
    async () => {
      let release: () => void = () => {};
      let gate = Promise.resolve();
      const started: number[] = [];
      const gated = new DirectorySnapshot([folder], async () => {
        const value = ++loads;
        started.push(value);
        await gate;
        return value;
      });
      try {
        // One watch event per change: each file is written outside and renamed in.
        const renameIn = async (name: string) => {
          await writeFile(join(scratch.dir, name), '{}');
          await rename(join(scratch.dir, name), join(folder, name));
        };
        expect(await gated.read()).toBe(1);
        gate = new Promise((resolve) => (release = resolve));
        await renameIn('a.json');
        const first = gated.read(); // starts load 2, held at the gate
        await waitFor(() => started.includes(2), { what: 'load 2 to start' });
        const joined = gated.read(); // same generation: shares load 2, never the kept 1
        await renameIn('b.json');
        const later = gated.read(); // after a change: load 2 began too early for it
        await waitFor(() => started.includes(3), { what: 'load 3 to start' });
        release();
        expect(await Promise.all([first, joined, later])).toEqual([2, 2, 3]);
        expect(await gated.read()).toBe(3);
      } finally {
        release();
        gated.close();
      }
    },
  );

  it('falls back to mtimes while the folder does not exist, and watches once it does', async () => {
    const later = join(scratch.dir, 'later');
    const waiting = new DirectorySnapshot([later], async () => ++loads);
    await waiting.read();
    await waiting.read();
    expect(loads).toBe(1); // "missing" is a stamp like any other
    await mkdir(later);
    await writeFile(join(later, 'a.json'), '{}');
    expect(await waiting.read()).toBe(2);
    expect(await waiting.read()).toBe(2);
    await writeFile(join(later, 'b.json'), '{}');
    expect(await waiting.read()).toBe(3);
    waiting.close();
  });
});
