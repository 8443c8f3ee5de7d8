import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { cc2ccCommand } from './client-install.js';
import { Cc2ccError } from '../kernel/errors.js';

const MARK = '# cc2cc: refuse a commit that touches a file another agent claimed';

/**
 * `cc2cc init --git-hook`: a pre-commit hook that runs `cc2cc claims check --staged` in the
 * project. Merged: an existing hook keeps its lines, ours goes right after its `#!` line
 * (before any `exit`), once.
 */
export async function installGitHook(dir: string): Promise<string> {
  const project = resolve(dir);
  let hooksDir: string;
  try {
    hooksDir = execFileSync('git', ['rev-parse', '--git-path', 'hooks'], {
      cwd: project,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch {
    throw new Cc2ccError('BAD_INPUT', `--git-hook: ${project} is not in a git repository (run git init first)`);
  }
  const path = join(isAbsolute(hooksDir) ? hooksDir : join(project, hooksDir), 'pre-commit');
  const text = existsSync(path) ? await readFile(path, 'utf8') : '';
  if (text.includes(MARK)) return 'kept the cc2cc pre-commit hook (already there)';
  const { command, args } = cc2ccCommand(project);
  const run = [command, ...args, 'claims', 'check', '--staged'].map(quote).join(' ');
  const ours = `${MARK}\n(cd ${quote(project)} && ${run}) || exit 1\n`;
  const lines = text === '' ? ['#!/bin/sh'] : text.split('\n');
  const at = lines[0]?.startsWith('#!') ? 1 : 0;
  if (at === 0) lines.unshift('#!/bin/sh');
  lines.splice(1, 0, ours.trimEnd());
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${lines.join('\n').replace(/\n*$/, '\n')}`);
  await chmod(path, 0o755);
  return (
    `${text === '' ? 'added' : 'merged'} the cc2cc pre-commit hook (${path}): a commit ` +
    `touching another agent's claimed file is refused`
  );
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
