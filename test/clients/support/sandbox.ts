import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { endProcessesWithHome } from './processes.js';

/**
 * One client run's world: its own HOME (so the user's real configuration is neither read nor
 * changed) and a project folder that is a git repository, both removed by `cleanup`, which
 * first ends every process that ran with that HOME.
 */
export interface Sandbox {
  root: string;
  home: string;
  project: string;
  /**
   * The environment a client starts with: a small, known set, not the caller's (a test run inside a
   * client must not leak its session).
   */
  env: Record<string, string>;
  writeJson(path: string, value: unknown): Promise<void>;
  cleanup(): Promise<void>;
}

export async function makeSandbox(label: string): Promise<Sandbox> {
  // Short paths: tmux sockets live here, and a Unix socket path has a 107-byte limit.
  const root = await mkdtemp(join(tmpdir(), `cc2cc-${label}-`));
  const home = join(root, 'home');
  const project = join(root, 'project');
  mkdirSync(home);
  mkdirSync(project);
  execFileSync('git', ['init', '-q', project]);
  const env: Record<string, string> = {
    HOME: home,
    PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin'}`,
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    SHELL: '/bin/bash',
    USER: process.env['USER'] ?? 'root',
    TMPDIR: join(root, 'tmp'),
  };
  mkdirSync(env['TMPDIR']!);
  return {
    root,
    home,
    project,
    env,
    async writeJson(path, value) {
      mkdirSync(dirname(path), { recursive: true });
      await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
    },
    async cleanup() {
      await endProcessesWithHome(home);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Files under `dir` whose names match, at any depth, oldest first (by modification time). */
export function findFiles(dir: string, name: RegExp): string[] {
  const found: Array<{ path: string; mtime: number }> = [];
  const walk = (at: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (name.test(entry.name)) found.push({ path, mtime: statSync(path).mtimeMs });
    }
  };
  walk(dir);
  return found.sort((a, b) => a.mtime - b.mtime).map((file) => file.path);
}
