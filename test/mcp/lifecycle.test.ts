import { describe, expect, it } from 'vitest';
import { waitFor } from '../../src/testing/wait-for.js';
import { runCli } from '../cli/process-helpers.js';
import { DELIVERY_TIMEOUT_MS, makeProject, presenceOf, processGone, selfWake, startAgent } from './support.js';

describe('server lifecycle', () => {
  it('closing the client stdin ends the server within a second, releases its lock and marks it offline', async () => {
    const project = await makeProject();
    const bob = await startAgent(project, ['--name', 'bob']);
    await selfWake(bob);
    const pid = bob.pid!;
    expect((await presenceOf(project, 'bob')).state).toBe('online');

    const started = performance.now();
    // The SDK ends stdin, then waits up to 2 s for the exit before it sends SIGTERM.
    await bob.close();
    const took = performance.now() - started;
    expect(processGone(pid)).toBe(true);
    expect(took).toBeLessThan(1000);
    expect((await presenceOf(project, 'bob')).state).toBe('offline');

    // The inbox lock is free: the same name starts again at once.
    const again = await startAgent(project, ['--name', 'bob']);
    expect((await selfWake(again)).content).toMatch(/you are bob/);
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('stops on %s, marking itself offline', async (signal) => {
    const project = await makeProject();
    const bob = await startAgent(project, ['--name', 'bob']);
    await selfWake(bob);
    const pid = bob.pid!;
    process.kill(pid, signal);
    await waitFor(() => processGone(pid), { what: `exit after ${signal}`, timeoutMs: DELIVERY_TIMEOUT_MS });
    expect((await presenceOf(project, 'bob')).state).toBe('offline');
  });

  it(
    'a second server for the same name serves under a derived name, naming the holder, and ' + 'leaves the first alone',
    async () => {
      const project = await makeProject();
      const bob = await startAgent(project, ['--name', 'bob']);
      await selfWake(bob);
      const second = await startAgent(project, ['--name', 'bob']);
      expect((await selfWake(second)).content).toContain(`bob is held by another live session, pid ${bob.pid} since `);
      await waitFor(() => /bob is held by another live session.*; you are bob-2/.test(second.stderr), {
        what: 'the note on stderr',
        timeoutMs: DELIVERY_TIMEOUT_MS,
      });
      // The first one was not disturbed.
      expect((await presenceOf(project, 'bob')).state).toBe('online');
      expect((await bob.call('list_agents')).text).toMatch(/bob\s+online\s+\(you\)/);
    },
  );

  it('refuses an invalid --name with the naming rule, before touching the bus', async () => {
    const project = await makeProject();
    const run = await runCli(['serve', '--name', '../Bad_Name'], project);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /INVALID_NAME: invalid --name "\.\.\/Bad_Name": an agent name is 1–32 characters of lowercase/,
    );
    expect(run.stdout).toBe('');
  });

  it('without --name, takes a free adjective-animal name and keeps it', async () => {
    const project = await makeProject({ agents: ['brave-fox'] });
    const agent = await startAgent(project);
    const wake = await selfWake(agent);
    const name = wake.meta.to!;
    expect(name).toMatch(/^[a-z]+-[a-z]+(-\d+)?$/);
    expect(name).not.toBe('brave-fox');
    expect((await agent.call('list_agents')).text).toMatch(new RegExp(`${name}\\s+online\\s+\\(you\\)`));
  });
});
