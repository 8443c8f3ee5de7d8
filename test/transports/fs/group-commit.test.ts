import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderSyncIo } from '../../../src/transports/fs/atomic-write.js';
import { GroupCommit } from '../../../src/transports/fs/group-commit.js';
import { envelope, Scratch, waitFor } from './helpers.js';

/** A flush that ends when the test says so. */
function controlledFlushes() {
  const started: Array<{ finish: () => void; fail: (error: Error) => void }> = [];
  const flush = () =>
    new Promise<void>((resolve, reject) => {
      started.push({ finish: resolve, fail: reject });
    });
  return { started, commit: new GroupCommit(flush) };
}

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('starts a flush at once when none runs', async () => {
    const { started, commit } = controlledFlushes();
    let done = false;
    void commit.request().then(() => (done = true));
    expect(started).toHaveLength(1);
    await settle();
    expect(done).toBe(false);
    started[0]!.finish();
    await settle();
    expect(done).toBe(true);
    expect(commit.idle).toBe(true);
  });

  it('requests made while a flush runs share one next flush, started only after it', async () => {
    const { started, commit } = controlledFlushes();
    const first = commit.request();
    const resolved: number[] = [];
    const later = [1, 2, 3, 4, 5].map((n) => commit.request().then(() => resolved.push(n)));
    await settle();
    expect(started).toHaveLength(1); // the running flush may predate their changes: they wait
    started[0]!.finish();
    await first;
    await settle();
    expect(started).toHaveLength(2);
    expect(resolved).toEqual([]);
    started[1]!.finish();
    await Promise.all(later);
    expect(resolved).toEqual([1, 2, 3, 4, 5]);
    expect(started).toHaveLength(2);
  });

  it('a failed flush rejects every request that shared it; the next request flushes afresh', async () => {
    const { started, commit } = controlledFlushes();
    const first = commit.request();
    const shared = [commit.request(), commit.request()];
    started[0]!.finish();
    await first;
    await settle();
    started[1]!.fail(new Error('EIO'));
    for (const request of shared) await expect(request).rejects.toThrow('EIO');
    const again = commit.request();
    expect(started).toHaveLength(3);
    started[2]!.finish();
    await again;
  });
});

describe('folder fsyncs of concurrent puts', () => {
  const scratch = new Scratch();
  const realFsync = folderSyncIo.fsync;
  beforeEach(() => scratch.setUp());
  afterEach(async () => {
    folderSyncIo.fsync = realFsync;
    await scratch.tearDown();
  });

  it('are shared, and each put resolves after a folder fsync that began once its file was in place', async () => {
    const count = 40;
    const inbox = join(scratch.root, 'to-calm-owl', 'inbox');
    const transport = scratch.transport({ fsync: true });
    await transport.put('calm-owl', envelope()); // the folders exist before the spy counts
    const covered = new Set<string>();
    let inboxFsyncs = 0;
    folderSyncIo.fsync = async (fd, path) => {
      if (path !== inbox) return realFsync(fd, path);
      inboxFsyncs++;
      // What this fsync covers: the names in place when it began.
      const present = readdirSync(inbox);
      // Holds the first fsync until every put has renamed its file: the rest must share one after it.
      if (inboxFsyncs === 1) await waitFor(() => readdirSync(inbox).length === count + 1, { what: 'every rename' });
      await realFsync(fd, path);
      for (const name of present) covered.add(name);
    };
    const messages = Array.from({ length: count }, () => envelope());
    const unsafe: string[] = [];
    await Promise.all(
      messages.map(async (message) => {
        await transport.put('calm-owl', message);
        if (!covered.has(`${message.id}.json`)) unsafe.push(message.id);
      }),
    );
    expect(unsafe).toEqual([]);
    expect(readdirSync(inbox)).toHaveLength(count + 1);
    expect(inboxFsyncs).toBe(2);
  });
});
