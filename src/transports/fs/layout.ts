import type { Dirent, Stats } from 'node:fs';
import { chmod, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Cc2ccError } from '../../kernel/errors.js';
import { assertAgentName, isAgentName, type AgentName } from '../../kernel/names.js';
import { errnoCode, ioFailed, isMissing } from './fs-errors.js';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** The folders of one inbox, in the order a message moves through them. */
export const INBOX_FOLDERS = ['tmp', 'inbox', 'cur', 'done', 'dead'] as const;
export type InboxFolder = (typeof INBOX_FOLDERS)[number];

export type InboxPaths = Readonly<Record<InboxFolder, string>> & {
  readonly agent: AgentName;
  /** `to-<name>/` itself. */
  readonly dir: string;
  readonly lock: string;
};

const INBOX_PREFIX = 'to-';

/**
 * Where everything lives under the root (DESIGN §3). A name becomes a path only here,
 * and only after `assertAgentName`: nothing else in this transport joins paths from input.
 */
export class FsLayout {
  readonly agentsDir: string;
  private readonly ensured = new Map<AgentName, Promise<InboxPaths>>();

  constructor(readonly root: string) {
    if (!isAbsolute(root)) {
      throw new Cc2ccError('BAD_INPUT', `the fs transport root must be an absolute path, got ${JSON.stringify(root)}`);
    }
    this.agentsDir = join(root, 'agents');
  }

  presenceFile(name: AgentName): string {
    return join(this.agentsDir, `${assertAgentName(name)}.json`);
  }

  inbox(name: AgentName): InboxPaths {
    const agent = assertAgentName(name);
    const dir = join(this.root, `${INBOX_PREFIX}${agent}`);
    const folders = Object.fromEntries(INBOX_FOLDERS.map((folder) => [folder, join(dir, folder)])) as Record<
      InboxFolder,
      string
    >;
    return { agent, dir, lock: join(dir, 'lock'), ...folders };
  }

  /** Create (or check) every folder of an inbox. Cached: call `forget` when one vanished. */
  ensureInbox(name: AgentName): Promise<InboxPaths> {
    const paths = this.inbox(name);
    let pending = this.ensured.get(paths.agent);
    if (!pending) {
      pending = this.createInbox(paths);
      pending.catch(() => this.ensured.delete(paths.agent));
      this.ensured.set(paths.agent, pending);
    }
    return pending;
  }

  forget(name: AgentName): void {
    this.ensured.delete(name);
  }

  async ensureAgentsDir(): Promise<void> {
    await this.ensureRoot();
    await ensureDir(this.agentsDir);
  }

  /** The root may be a symlink the user chose (it comes from config); everything under it may not. */
  async ensureRoot(): Promise<void> {
    try {
      const created = await mkdir(this.root, { recursive: true, mode: DIR_MODE });
      if (created === undefined) {
        if (!(await stat(this.root)).isDirectory()) throw notAFolder(this.root);
      } else {
        await chmod(this.root, DIR_MODE);
      }
    } catch (error) {
      throw ioFailed('create the cc2cc folder', this.root, error);
    }
  }

  /** Names of every `to-<name>/` folder; bad names and symlinks are left out and reported. */
  async inboxNames(onSkip: (path: string, why: string) => void): Promise<AgentName[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.root, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw ioFailed('list', this.root, error);
    }
    const names: AgentName[] = [];
    for (const entry of entries) {
      if (!entry.name.startsWith(INBOX_PREFIX)) continue;
      const name = entry.name.slice(INBOX_PREFIX.length);
      const path = join(this.root, entry.name);
      if (!isAgentName(name)) onSkip(path, 'its name is not a valid agent name');
      else if (entry.isSymbolicLink()) onSkip(path, 'it is a symlink (never followed)');
      else if (entry.isDirectory()) names.push(name);
    }
    return names.sort();
  }

  private async createInbox(paths: InboxPaths): Promise<InboxPaths> {
    await this.ensureRoot();
    await ensureDir(paths.dir);
    for (const folder of INBOX_FOLDERS) await ensureDir(paths[folder]);
    return paths;
  }
}

/**
 * Make `path` a folder (0700) or check that it is one. A symlink, file or FIFO in its place
 * is refused with UNSAFE_PATH and never followed.
 */
export async function ensureDir(path: string): Promise<void> {
  let created = false;
  try {
    await mkdir(path, { mode: DIR_MODE });
    created = true;
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw ioFailed('create', path, error);
  }
  await checkDir(path);
  if (!created) return;
  // mkdir's mode passes through the umask; say exactly what we mean.
  try {
    await chmod(path, DIR_MODE);
  } catch (error) {
    throw ioFailed('set the mode of', path, error);
  }
}

/** True when `path` is a real folder, false when it is missing; UNSAFE_PATH for anything else. */
export async function checkDir(path: string): Promise<boolean> {
  let info: Stats;
  try {
    info = await lstat(path);
  } catch (error) {
    if (isMissing(error)) return false;
    throw ioFailed('inspect', path, error);
  }
  if (info.isSymbolicLink()) {
    throw new Cc2ccError(
      'UNSAFE_PATH',
      `${path} is a symlink; cc2cc never follows links inside its folder (remove it, and find out who planted it)`,
      { path },
    );
  }
  if (!info.isDirectory()) throw notAFolder(path);
  return true;
}

function notAFolder(path: string): Cc2ccError {
  return new Cc2ccError(
    'UNSAFE_PATH',
    `${path} should be a folder but is not; move it away so cc2cc can create the folder`,
    { path },
  );
}
