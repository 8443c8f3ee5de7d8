import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/process-helpers.js';
import { makeProject } from '../mcp/support.js';

describe('cc2cc demo', () => {
  it('runs three real servers, every step arrives, and it exits 0', async () => {
    const cwd = await makeProject();
    const run = await runCli(['demo'], cwd);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /1\. direct message\n[\s\S]*bob +⇐ alice \(message\): "Can you run the test suite on main\?" +\d+ ms/,
    );
    expect(run.stdout).toMatch(/2\. reply\n[\s\S]*alice +⇐ bob \(reply\)/);
    expect(run.stdout).toMatch(/✓ all \d steps arrived/);
    // The temporary project is gone.
    const folder = /processes in (\S+)/.exec(run.stdout)![1]!;
    await expect(import('node:fs/promises').then(({ access }) => access(folder))).rejects.toThrow();
  });
});
