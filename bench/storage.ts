import { mkdir, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where a scenario's folder lives: the disk a project sits on, or memory (tmpfs). */
export type StorageKind = 'disk' | 'tmpfs';

export interface StoragePlace {
  /** Scenario folders are made under it. */
  path: string;
  /** The file system, by statfs's magic number: ext4, xfs, tmpfs... */
  fsType: string;
}

export interface Storage {
  disk: StoragePlace;
  tmpfs: StoragePlace | { missing: string };
}

// statfs f_type values (linux/magic.h) of the file systems a project or /dev/shm is likely on.
const FS_TYPES: Record<number, string> = {
  0xef53: 'ext2/3/4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x01021994: 'tmpfs',
  0x858458f6: 'ramfs',
  0x794c7630: 'overlayfs',
  0x2fc12fc1: 'zfs',
  0x6969: 'nfs',
  0xf15f: 'ecryptfs',
  0x65735546: 'fuse',
};
const IN_MEMORY = new Set(['tmpfs', 'ramfs']);

export async function fsTypeOf(path: string): Promise<string> {
  const { type } = await statfs(path);
  return FS_TYPES[type] ?? `0x${type.toString(16)}`;
}

/**
 * The disk: the system's temporary folder, unless that is in memory (many systems mount /tmp
 * as tmpfs), then a folder in the project's dist/. Memory: /dev/shm where it is a tmpfs.
 */
export async function findStorage(repo: string): Promise<Storage> {
  let disk: StoragePlace = { path: tmpdir(), fsType: await fsTypeOf(tmpdir()) };
  if (IN_MEMORY.has(disk.fsType)) {
    const path = join(repo, 'dist', 'bench-tmp');
    await mkdir(path, { recursive: true });
    disk = { path, fsType: await fsTypeOf(path) };
  }
  const shm = '/dev/shm';
  const shmType = await fsTypeOf(shm).catch(() => undefined);
  if (shmType === undefined) return { disk, tmpfs: { missing: `${shm} does not exist on this system` } };
  if (!IN_MEMORY.has(shmType)) return { disk, tmpfs: { missing: `${shm} is ${shmType}, not a tmpfs` } };
  return { disk, tmpfs: { path: shm, fsType: shmType } };
}
