import { lstat, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { waitFor } from '../../../src/testing/wait-for.js';

/** A throwaway project folder with a `.cc2ccrc.json`; `.cc2cc/` inside it is the bus. */
export class Project {
  dir = '';

  async create(config: Record<string, unknown>): Promise<this> {
    this.dir = await mkdtemp(join(tmpdir(), 'cc2cc-reliability-'));
    await this.configure(config);
    return this;
  }

  configure(config: Record<string, unknown>): Promise<void> {
    return writeFile(join(this.dir, '.cc2ccrc.json'), JSON.stringify(config));
  }

  get root(): string {
    return join(this.dir, '.cc2cc');
  }

  /** A folder of an agent's inbox: tmp, inbox, cur, done, dead. */
  box(agent: string, folder: 'tmp' | 'inbox' | 'cur' | 'done' | 'dead' | '' = 'inbox'): string {
    return join(this.root, `to-${agent}`, folder);
  }

  async remove(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** Names in a folder, sorted; [] when it does not exist. */
export async function names(path: string): Promise<string[]> {
  return (await readdir(path).catch(() => [] as string[])).sort();
}

/** The ids of the message files (`<id>.json`) in a folder. */
export async function messageIds(path: string): Promise<string[]> {
  return (await names(path)).filter((name) => /^[0-9A-Z]{26}\.json$/.test(name)).map((name) => name.slice(0, 26));
}

/** Every path under `dir` with its kind and mode, for permission checks. */
export async function walk(
  dir: string,
): Promise<Array<{ path: string; kind: 'dir' | 'file' | 'other'; mode: number }>> {
  const found: Array<{ path: string; kind: 'dir' | 'file' | 'other'; mode: number }> = [];
  const visit = async (path: string): Promise<void> => {
    const info = await lstat(path);
    const kind = info.isDirectory() ? 'dir' : info.isFile() ? 'file' : 'other';
    found.push({ path, kind, mode: info.mode & 0o777 });
    if (kind === 'dir') for (const name of await names(path)) await visit(join(path, name));
  };
  await visit(dir);
  return found;
}

/** Counts how often each value occurs. */
export function tally<T>(values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
