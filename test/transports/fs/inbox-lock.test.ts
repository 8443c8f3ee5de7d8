import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireInboxLock } from '../../../src/transports/fs/inbox-lock.js';
import { thisProcess } from '../../../src/transports/fs/process-identity.js';
import { envelope, names, recorder, recordingLogger, Scratch, waitFor } from './helpers.js';

/** A real process that has exited: its pid is free (and very unlikely to be reused at once). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

describe('inbox lock', () => {
  const scratch = new Scratch();
  const children: ChildProcess[] = [];
  beforeEach(() => scratch.setUp());
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await scratch.tearDown();
  });

  const lockPath = () => join(scratch.root, 'to-calm-owl', 'lock');

  async function writeLock(holder: Record<string, unknown>): Promise<void> {
    await mkdir(join(scratch.root, 'to-calm-owl'), { recursive: true });
    await writeFile(lockPath(), JSON.stringify(holder));
  }

  it('writes pid, host and start time into the lock and removes it on close', async () => {
    const transport = scratch.transport();
    const inbox = await transport.open('calm-owl', recorder().handler);
    const holder = JSON.parse(await readFile(lockPath(), 'utf8')) as Record<string, unknown>;
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), startedAt: expect.any(String) });
    await inbox.close();
    expect(await names(join(scratch.root, 'to-calm-owl'))).not.toContain('lock');
  });

  it('takes over a lock whose process is gone, and delivers', async () => {
    const pid = await deadPid();
    await writeLock({ pid, host: hostname(), startedAt: '2020-01-01T00:00:00.000Z' });
    const transport = scratch.transport();
    const message = envelope();
    await transport.put('calm-owl', message);
    const seen = recorder();
    await transport.open('calm-owl', seen.handler);
    await waitFor(() => seen.ids().includes(message.id));
    expect(JSON.parse(await readFile(lockPath(), 'utf8'))).toMatchObject({ pid: process.pid });
    expect(transport.logger.lines.some((line) => line.level === 'warn' && line.message.includes(`pid ${pid}`))).toBe(
      true,
    );
    expect((await names(join(scratch.root, 'to-calm-owl'))).filter((name) => name.startsWith('lock.'))).toEqual([]);
  });

  it('refuses a lock held by a live process, naming its pid and host, until it exits', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    children.push(child);
    await writeLock({ pid: child.pid, host: hostname(), startedAt: new Date().toISOString() });
    const transport = scratch.transport();
    await expect(transport.open('calm-owl', recorder().handler)).rejects.toMatchObject({
      code: 'INBOX_LOCKED',
      message: expect.stringMatching(new RegExp(`pid ${child.pid} on this host \\(${hostname()}\\)`)),
      data: expect.objectContaining({ pid: child.pid, host: hostname() }),
    });
    child.kill('SIGKILL');
    await once(child, 'exit');
    await transport.open('calm-owl', recorder().handler);
  });

  it('refuses a lock from another host: it cannot check that process', async () => {
    await writeLock({ pid: 4242, host: 'some-other-machine', startedAt: new Date().toISOString() });
    await expect(scratch.transport().open('calm-owl', recorder().handler)).rejects.toMatchObject({
      code: 'INBOX_LOCKED',
      message: expect.stringContaining('pid 4242 on host some-other-machine'),
    });
  });

  it(
    'takes over a lock naming this very process that this process does not hold (an earlier ' + 'process had our pid)',
    async () => {
      await writeLock({
        pid: process.pid,
        host: hostname(),
        startedAt: '2020-01-01T00:00:00.000Z',
        token: 'from-before',
      });
      const logger = recordingLogger();
      const lock = await acquireInboxLock(lockPath(), 'calm-owl', logger);
      expect(JSON.parse(await readFile(lockPath(), 'utf8'))).toMatchObject({ token: lock.holder.token });
      expect(logger.lines.some((line) => line.message.includes('earlier process with the same pid'))).toBe(true);
    },
  );

  it.skipIf(process.platform !== 'linux')(
    'records boot id, pid namespace and start time; a pid reused by a later process is stale',
    async () => {
      await mkdir(join(scratch.root, 'to-calm-owl'), { recursive: true });
      const lock = await acquireInboxLock(lockPath(), 'calm-owl', recordingLogger());
      const me = thisProcess();
      expect(lock.holder).toMatchObject({ boot: me.boot, pidNs: me.pidNs, procStart: expect.stringMatching(/^\d+$/) });
      await lock.release();
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
      children.push(child);
      await once(child, 'spawn');
      await writeLock({
        pid: child.pid,
        host: hostname(),
        startedAt: 'then',
        token: 'old',
        boot: me.boot,
        pidNs: me.pidNs,
        procStart: '1',
      });
      await acquireInboxLock(lockPath(), 'calm-owl', recordingLogger());
      // A lock from before this boot (same host name) is stale; one from another boot and host is not ours to judge.
      await writeLock({
        pid: child.pid,
        host: hostname(),
        startedAt: 'then',
        token: 'old',
        boot: 'another-boot',
        pidNs: me.pidNs,
      });
      await acquireInboxLock(lockPath(), 'calm-owl', recordingLogger());
      await writeLock({
        pid: child.pid,
        host: 'elsewhere',
        startedAt: 'then',
        token: 'old',
        boot: 'another-boot',
        pidNs: me.pidNs,
      });
      await expect(acquireInboxLock(lockPath(), 'calm-owl', recordingLogger())).rejects.toMatchObject({
        code: 'INBOX_LOCKED',
      });
    },
  );

  it('takes over an unreadable lock only once it is old enough not to be half-written', async () => {
    await writeLock({});
    const { utimes } = await import('node:fs/promises');
    const past = new Date(Date.now() - 60_000);
    await utimes(lockPath(), past, past);
    await scratch.transport().open('calm-owl', recorder().handler);
    expect(JSON.parse(await readFile(lockPath(), 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('refuses a symlink planted as the lock', async () => {
    await mkdir(join(scratch.root, 'to-calm-owl'), { recursive: true });
    await writeFile(join(scratch.dir, 'target'), '{}');
    await symlink(join(scratch.dir, 'target'), lockPath());
    await expect(scratch.transport().open('calm-owl', recorder().handler)).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
    });
  });

  it('does not remove a lock that another process took over', async () => {
    await mkdir(join(scratch.root, 'to-calm-owl'), { recursive: true });
    const logger = recordingLogger();
    const lock = await acquireInboxLock(lockPath(), 'calm-owl', logger);
    const usurper = JSON.stringify({ pid: 1, host: hostname(), startedAt: 'now', token: 'theirs' });
    await writeFile(lockPath(), usurper);
    await lock.release();
    expect(await readFile(lockPath(), 'utf8')).toBe(usurper);
    expect(logger.lines.some((line) => line.message.includes('taken over'))).toBe(true);
  });

  it('lets exactly one of many racing takeovers win', async () => {
    const pid = await deadPid();
    await writeLock({ pid, host: hostname(), startedAt: '2020-01-01T00:00:00.000Z' });
    const logger = recordingLogger();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => acquireInboxLock(lockPath(), 'calm-owl', logger)),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'INBOX_LOCKED' });
    }
    const holder = JSON.parse(await readFile(lockPath(), 'utf8')) as { token: string };
    expect(holder.token).toBe(
      (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireInboxLock>>>).value.holder.token,
    );
  });
});
