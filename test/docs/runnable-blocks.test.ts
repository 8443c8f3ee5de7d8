import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, docFiles, runnableBlocks, type CodeBlock } from './markdown.js';
import { cliPath } from '../../src/package-root.js';

// Every ```sh runnable block of README.md and docs/*.md (the marker is described in
// markdown.ts), run as a new user would, in a fresh project that installed cc2cc.

const CLI = cliPath(REPO);
/** Bounds one block: `npx cc2cc demo` starts three servers on a loaded 2-core machine. */
const BLOCK_TIMEOUT_MS = 120_000;

interface Project {
  dir: string;
  env: NodeJS.ProcessEnv;
}

/**
 * A temporary project as `npm install --save-dev cc2cc` leaves it: `node_modules/cc2cc` is
 * this package (its dist/ must be built), `node_modules/.bin/cc2cc` runs its CLI. That bin
 * folder is on the PATH, so `cc2cc` works, and `npx cc2cc` finds it there without the
 * registry (npm is also told to stay offline). Claude Code is not needed by any runnable
 * block; a stand-in `claude` answers `claude --version`, so `cc2cc doctor` says the same
 * on every machine.
 */
async function makeProject(): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), 'cc2cc-docs-'));
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'my-project', private: true, type: 'module' }, null, 2)}\n`,
  );
  const bin = join(dir, 'node_modules', '.bin');
  await mkdir(bin, { recursive: true });
  await symlink(REPO, join(dir, 'node_modules', 'cc2cc'), 'dir');
  await shim(join(bin, 'cc2cc'), `exec "${process.execPath}" "${CLI}" "$@"`);
  const fakes = join(dir, '.test-bin');
  await mkdir(fakes);
  await shim(join(fakes, 'claude'), 'echo "2.1.80 (Claude Code)"');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [bin, fakes, process.env.PATH ?? ''].join(delimiter),
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    NO_COLOR: '1',
  };
  delete env.ANTHROPIC_API_KEY;
  delete env.CC2CC_NAME;
  return { dir, env };
}

async function shim(path: string, body: string): Promise<void> {
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
}

function runBlock(block: CodeBlock, project: Project): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `set -euo pipefail\n${block.code}`], {
      cwd: project.dir,
      env: project.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[killed after ${BLOCK_TIMEOUT_MS} ms]`;
      child.kill('SIGKILL');
    }, BLOCK_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const pages = docFiles()
  .map((file) => ({ file, blocks: runnableBlocks(file) }))
  .filter(({ blocks }) => blocks.length > 0);

describe('runnable command blocks of the docs', () => {
  it('finds them: the README and the pages a newcomer follows have some', () => {
    const files = pages.map(({ file }) => file);
    expect(files).toEqual(
      expect.arrayContaining(['README.md', 'docs/getting-started.md', 'docs/cli.md', 'docs/concepts.md']),
    );
    expect(pages.reduce((sum, { blocks }) => sum + blocks.length, 0)).toBeGreaterThanOrEqual(10);
  });

  for (const { file, blocks } of pages) {
    describe(file, () => {
      let project: Project;
      beforeAll(async () => {
        project = await makeProject();
      });
      afterAll(async () => {
        if (project) await rm(project.dir, { recursive: true, force: true });
      });

      for (const block of blocks) {
        const firstLine =
          block.code.split('\n').find((line) => line.trim() !== '' && !line.trim().startsWith('#')) ?? '';
        it(`line ${block.line}: ${firstLine.slice(0, 70)}`, { timeout: BLOCK_TIMEOUT_MS + 10_000 }, async () => {
          const { code, output } = await runBlock(block, project);
          expect(code, `${file}:${block.line} exited ${code}:\n${block.code}\n--- output ---\n${output}`).toBe(0);
        });
      }
    });
  }
});
