import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/kernel/check.js';
import { assertSharedTransport } from '../../src/cli/shared-transport.js';
import { isCc2ccError } from '../../src/kernel/errors.js';
import { MemoryTransport } from '../../src/transports/memory/memory-transport.js';
import { runCli } from './process-helpers.js';

let project: string;
beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'cc2cc-local-'));
  await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ transport: 'memory', agents: ['bob'] }));
});
afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

const REASON =
  /PROCESS_LOCAL_TRANSPORT: the transport "memory" keeps messages inside one process.*no other agent would ever see it/;

describe('a config that names a process-local transport', () => {
  it('is refused by cc2cc send, with the reason and what to use instead', async () => {
    const result = await runCli(['send', 'bob', 'hello', '--from', 'alice'], project);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(''); // no "offline (queued)" for a message that would vanish
    expect(result.stderr).toMatch(REASON);
    expect(result.stderr).toMatch(/use "fs" \(the default, one machine\) or "redis"/);
  });

  it('is refused by cc2cc serve before it speaks MCP', async () => {
    const result = await runCli(['serve', '--name', 'bob'], project);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(REASON);
  });

  it('is flagged by cc2cc doctor', async () => {
    const result = await runCli(['doctor', '--json'], project);
    expect(result.code).toBe(1);
    const findings = JSON.parse(result.stdout) as Finding[];
    const transport = findings.find((finding) => finding.check === 'transport');
    expect(transport).toMatchObject({
      level: 'fail',
      message: expect.stringMatching(/keeps messages inside one process/),
    });
    expect(transport?.fix).toMatch(/CC2CC_ALLOW_PROCESS_LOCAL=1/);
  });
});

describe('assertSharedTransport', () => {
  it('passes shared transports and, with CC2CC_ALLOW_PROCESS_LOCAL=1, a process-local one', () => {
    expect(() => assertSharedTransport({ kind: 'fs', scope: 'machine' }, {})).not.toThrow();
    expect(() => assertSharedTransport({ kind: 'custom' }, {})).not.toThrow();
    expect(() => assertSharedTransport(new MemoryTransport(), { CC2CC_ALLOW_PROCESS_LOCAL: '1' })).not.toThrow();
  });

  it('refuses a transport that declares scope "process"', () => {
    let caught: unknown;
    try {
      assertSharedTransport({ kind: 'map', scope: 'process' }, {});
    } catch (error) {
      caught = error;
    }
    expect(isCc2ccError(caught, 'PROCESS_LOCAL_TRANSPORT')).toBe(true);
    expect((caught as Error).message).toMatch(/"map" keeps messages inside one process/);
  });
});

describe('cc2cc doctor on a config that fails to load', () => {
  it('names the failure instead of pointing at a field', async () => {
    await rm(join(project, '.cc2ccrc.json'));
    await writeFile(
      join(project, 'cc2cc.config.mjs'),
      "import { guard } from './missing-guard.js';\nexport default { plugins: [guard] };\n",
    );
    const result = await runCli(['doctor', '--json'], project);
    const findings = JSON.parse(result.stdout) as Finding[];
    const config = findings.find((finding) => finding.check === 'config');
    expect(config).toMatchObject({ level: 'fail', message: expect.stringMatching(/CONFIG_LOAD_FAILED|missing-guard/) });
    expect(config?.fix).toMatch(/failed to load/);
    expect(config?.fix).not.toMatch(/field named above/);
  });
});
