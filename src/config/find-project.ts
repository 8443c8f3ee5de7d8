import { lstat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** What the search for a config found in one folder; null when that folder has none. */
export type FindConfigIn = (dir: string) => Promise<{ config: unknown; filepath: string } | null>;

export interface ProjectFolder {
  /** The project folder: the bus root (`root`, default `.cc2cc`) is resolved against it. */
  dir: string;
  /** The config found there, if any. */
  found: { config: unknown; filepath: string } | null;
  /** Why this folder, for `cc2cc doctor`. */
  why: string;
}

/** The folder cc2cc makes for the bus when the config does not say otherwise. */
const BUS_FOLDER = '.cc2cc';

/**
 * One bus per repository. From `cwd` up, the first folder that holds a cc2cc config or an
 * existing `.cc2cc` is the project. The search stops at the repository root (the nearest
 * folder with `.git`, a folder or, in a worktree or submodule, a file); when it found
 * nothing, the repository root is the project, so a sub-package without its own config
 * shares the repository's bus. Outside a repository the search stops at the first folder
 * with a `package.json` or at the home folder, and finding nothing means the working folder.
 */
export async function findProject(cwd: string, findConfigIn: FindConfigIn): Promise<ProjectFolder> {
  const repository = await repositoryRoot(cwd);
  for (let dir = cwd; ; dir = dirname(dir)) {
    const found = await findConfigIn(dir);
    if (found) return { dir, found, why: `its config ${basename(found.filepath)} is there` };
    if (await isFolder(join(dir, BUS_FOLDER)))
      return { dir, found: null, why: `no config from ${cwd} up to it, and its bus folder ${BUS_FOLDER} exists` };
    if (dir === repository)
      return {
        dir,
        found: null,
        why: `it is the repository root, and no folder from ${cwd} up to it has a config or a ${BUS_FOLDER}`,
      };
    const last =
      dirname(dir) === dir ||
      (repository === undefined && (dir === homedir() || (await exists(join(dir, 'package.json')))));
    if (last) break;
  }
  return {
    dir: cwd,
    found: null,
    why:
      `it is the working folder: not in a git repository, and no config or ${BUS_FOLDER} up to ` +
      `the first package.json or the home folder`,
  };
}

/** The nearest folder from `cwd` up with a `.git`, or undefined outside a repository. */
async function repositoryRoot(cwd: string): Promise<string | undefined> {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (await exists(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

async function isFolder(path: string): Promise<boolean> {
  return lstat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}
