import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCc2ccError } from '../../../src/kernel/errors.js';
import { silentLogger } from '../../../src/kernel/logger.js';
import { FsState } from '../../../src/transports/fs/state-store.js';

/** The pid of a process that has exited: a lock it left is stale on this host. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

const holder = (pid: number, host: string, token: string, at = Date.now()) => JSON.stringify({ pid, host, token, at });

describe('FsState key locks: who may take over a lock left behind', () => {
  let dir: string;
  let stateDir: string;
  let locks: string;
  const open = (options: { lockWaitMs?: number; staleLockMs?: number } = {}) =>
    new FsState({ dir: stateDir, ensureParent: async () => {}, logger: silentLogger, lockWaitMs: 300, ...options });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cc2cc-state-lock-'));
    stateDir = join(dir, 'state');
    locks = join(stateDir, 'locks');
    await mkdir(join(stateDir, 'tmp'), { recursive: true });
    await mkdir(locks, { recursive: true });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes over the lock of a process that is gone from this host, and leaves no lock behind', async () => {
    await writeFile(join(locks, 'agent~ann~rooms'), holder(deadPid(), hostname(), 'aaaaaaaaaaaaaaaa'));
    expect((await open().set('agent/ann/rooms', ['backend'])).ok).toBe(true);
    expect(await readdir(locks)).toEqual([]);
  });

  it('waits for a live holder on this host and gives up with TIMEOUT, leaving its lock alone', async () => {
    await writeFile(join(locks, 'counter'), holder(process.pid, hostname(), 'bbbbbbbbbbbbbbbb'));
    await expect(open().set('counter', 1)).rejects.toSatisfy(
      (error) => isCc2ccError(error, 'TIMEOUT') && /pid \d+ on /.test((error as Error).message),
    );
    expect(await readdir(locks)).toEqual(['counter']);
    expect(await open().get('counter')).toBeUndefined();
  });

  it('takes over a lock of another host only once it is older than staleLockMs', async () => {
    await writeFile(join(locks, 'counter'), holder(4242, 'some-other-host', 'cccccccccccccccc'));
    await expect(open().set('counter', 1)).rejects.toSatisfy((error) => isCc2ccError(error, 'TIMEOUT'));
    await writeFile(join(locks, 'counter'), holder(4242, 'some-other-host', 'cccccccccccccccc', Date.now() - 60_000));
    expect((await open({ staleLockMs: 30_000 }).set('counter', 1)).ok).toBe(true);
  });

  it('a taker that died in the middle of a takeover does not block the key for ever', async () => {
    const dead = deadPid();
    await writeFile(join(locks, 'counter'), holder(dead, hostname(), 'dddddddddddddddd'));
    await writeFile(join(locks, 'counter@dddddddddddddddd'), holder(dead, hostname(), 'eeeeeeeeeeeeeeee'));
    expect((await open().set('counter', 1)).ok).toBe(true);
    expect(await readdir(locks)).toEqual([]);
  });

  it('a live taker at work on a stale lock is waited for, not raced', async () => {
    await writeFile(join(locks, 'counter'), holder(deadPid(), hostname(), 'ffffffffffffffff'));
    await writeFile(join(locks, 'counter@ffffffffffffffff'), holder(process.pid, hostname(), '0123456789abcdef'));
    await expect(open().set('counter', 1)).rejects.toSatisfy((error) => isCc2ccError(error, 'TIMEOUT'));
    expect((await readdir(locks)).sort()).toEqual(['counter', 'counter@ffffffffffffffff']);
  });

  it('a lock file that is not a lock record turns stale by its age', async () => {
    const path = join(locks, 'counter');
    await writeFile(path, 'garbage');
    await expect(open().set('counter', 1)).rejects.toSatisfy((error) => isCc2ccError(error, 'TIMEOUT'));
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    expect((await open({ staleLockMs: 30_000 }).set('counter', 1)).ok).toBe(true);
  });
});
