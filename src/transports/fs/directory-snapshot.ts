import { lstat } from 'node:fs/promises';
import { ioFailed, isMissing } from './fs-errors.js';

/**
 * A change within this long before a snapshot was taken might share its timestamp tick
 * (file times come from a coarse clock, a few ms per tick): such a snapshot is not kept.
 */
const RACY_MARGIN_NS = 50_000_000n;

/**
 * What was read from some folders, kept until one of them changes. Every send needs the
 * directory (who exists, who is in which room); reading every presence record per send
 * cost a file read per agent. A folder's mtime moves whenever an entry is created,
 * renamed or removed, and presence records are only ever replaced by rename, so one
 * `lstat` per folder tells whether the snapshot still holds. As in git's "racy" index
 * check, a snapshot taken in the same clock tick as a change is not trusted.
 */
export class DirectorySnapshot<T> {
  private kept: { stamp: string; value: T } | undefined;

  constructor(
    private readonly folders: readonly string[],
    private readonly load: () => Promise<T>,
  ) {}

  async read(): Promise<T> {
    const startedNs = BigInt(Date.now()) * 1_000_000n;
    const stamps = await Promise.all(this.folders.map(stampOf));
    const stamp = stamps.map((entry) => entry.text).join('|');
    if (this.kept?.stamp === stamp) return this.kept.value;
    const value = await this.load();
    const settled = stamps.every((entry) => entry.mtimeNs < startedNs - RACY_MARGIN_NS);
    this.kept = settled ? { stamp, value } : undefined;
    return value;
  }

  /** Drop what is kept (the owner changed something it cannot see through mtimes). */
  forget(): void {
    this.kept = undefined;
  }
}

async function stampOf(path: string): Promise<{ text: string; mtimeNs: bigint }> {
  try {
    const info = await lstat(path, { bigint: true });
    return { text: `${info.dev}:${info.ino}:${info.mtimeNs}:${info.mode}`, mtimeNs: info.mtimeNs };
  } catch (error) {
    if (isMissing(error)) return { text: 'missing', mtimeNs: 0n };
    throw ioFailed('inspect', path, error);
  }
}
