import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/process-helpers.js';
import { DELIVERY_TIMEOUT_MS, makeProject, selfWake, startAgent } from './support.js';

describe('one bus per repository, through real servers', () => {
  it('sessions started in a sub-package folder and at the repository root share one bus; doctor ' +
    'says which root and why', async () => {
    const repo = await makeProject();
    await mkdir(join(repo, '.git'));
    await writeFile(join(repo, 'package.json'), JSON.stringify({ name: 'mono', private: true }));
    const api = join(repo, 'packages', 'api');
    await mkdir(api, { recursive: true });
    await writeFile(join(api, 'package.json'), JSON.stringify({ name: 'api' }));

    const root = await startAgent(repo, ['--name', 'alice', '--delivery', 'push']);
    await selfWake(root);
    const sub = await startAgent(api, ['--name', 'bob', '--delivery', 'push']);
    expect((await selfWake(sub)).content).toMatch(/Online: alice\./);

    expect((await sub.call('send', { to: 'alice', text: 'from the sub-package' })).isError).toBe(false);
    await root.waitForPush((push) => push.content === 'from the sub-package', DELIVERY_TIMEOUT_MS);
    await expect(access(join(api, '.cc2cc'))).rejects.toThrow();

    const doctor = await runCli(['doctor', '--json'], api);
    const findings = JSON.parse(doctor.stdout) as Array<{ check: string; message: string }>;
    expect(findings.find((finding) => finding.check === 'project')?.message).toBe(
      `bus root ${join(repo, '.cc2cc')}: the project folder is ${repo} because no config from ` +
        `${api} up to it, and its bus folder .cc2cc exists`,
    );
  }, 120_000);
});
