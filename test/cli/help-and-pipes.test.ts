import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from './process-helpers.js';

let project: string;
beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'cc2cc-help-'));
});
afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

describe('cc2cc --help', () => {
  it('ends with examples and where the docs are', async () => {
    const help = await runCli(['--help'], project);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/\nExamples:\n {2}\$ npx cc2cc demo/);
    expect(help.stdout).toContain('getting-started.md');
  });

  it('gives a plugin verb a usage example too', async () => {
    await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ plugins: ['rooms'] }));
    const help = await runCli(['rooms', '--help'], project);
    expect(help.stdout).toMatch(/Added by the "rooms" plugin\.\n\nExample:\n {2}\$ cc2cc rooms/);
  });
});

describe('output into a pipe that closes early', () => {
  it('ends quietly, without an EPIPE stack', async () => {
    await writeFile(join(project, '.cc2ccrc.json'), '{}');
    // `cc2cc doctor | true`: the reader is gone before the first line is written.
    const child = spawn(process.execPath, [CLI, 'doctor'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).not.toBeNull();
  });
});
