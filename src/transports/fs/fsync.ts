import { fsync, fsyncSync, statfsSync } from 'node:fs';
import { promisify } from 'node:util';

/** fsync on libuv's thread pool: the one step of a write that may wait for the disk. */
const fsyncOnPool = promisify(fsync);

/** Linux's statfs magic numbers of file systems kept in memory: their fsync never waits. */
const IN_MEMORY = new Set([0x01021994 /* tmpfs */, 0x858458f6 /* ramfs */]);
const inMemoryFolders = new Map<string, boolean>();

/** Whether `folder` lives in memory (tmpfs), asked once per folder. */
function inMemory(folder: string): boolean {
  let known = inMemoryFolders.get(folder);
  if (known === undefined) {
    try {
      known = IN_MEMORY.has(statfsSync(folder).type);
    } catch {
      known = false;
    }
    if (inMemoryFolders.size >= 1024) inMemoryFolders.clear();
    inMemoryFolders.set(folder, known);
  }
  return known;
}

/**
 * fsync a file of `folder`: on the thread pool where it may wait for a disk, as a synchronous
 * call where the folder is in memory (it returns at once there; a round trip through the
 * pool would cost more than the call).
 */
export async function fsyncIn(folder: string, fd: number): Promise<void> {
  fsyncs++;
  if (inMemory(folder)) {
    fsyncSync(fd);
    return;
  }
  syncing++;
  try {
    await fsyncOnPool(fd);
  } finally {
    syncing--;
  }
}

/** fsyncs of message files and folders this process has started (the bench divides it by messages). */
let fsyncs = 0;

export function fsyncCount(): number {
  return fsyncs;
}

/** fsyncs of this process waiting for a disk right now. */
let syncing = 0;

/**
 * Whether this process has fsyncs waiting for a disk. While a journal commit runs, a rename
 * or a create on that file system may wait for it too: as a synchronous call it would stop
 * the event loop (and every other send and delivery) meanwhile, so callers go through the pool.
 */
export function diskSyncing(): boolean {
  return syncing > 0;
}
