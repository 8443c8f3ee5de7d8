import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../src/testing/wait-for.js';
import { runCli } from '../cli/process-helpers.js';
import { DELIVERY_TIMEOUT_MS, makeProject, presenceOf, selfWake, startAgent } from './support.js';

/** This process's environment without a chosen name or a client session id: a made-up name each time. */
function unnamed(): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >;
  delete env.CLAUDE_CODE_SESSION_ID;
  return { ...env, CC2CC_NAME: '' };
}

async function listed(project: string): Promise<string[]> {
  const run = await runCli(['agents', '--json'], project);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as Array<{ name: string }>).map((agent) => agent.name);
}

async function files(project: string, agent: string, folder: string): Promise<string[]> {
  return (await readdir(join(project, '.cc2cc', `to-${agent}`, folder)).catch(() => [] as string[])).filter((file) =>
    file.endsWith('.json'),
  );
}

describe('agents that outlive nothing: health checks, retirement, forget', () => {
  it('three health-check connections (connect, tools/list, close) without a name leave no agent behind', async () => {
    const project = await makeProject();
    const names: string[] = [];
    for (let check = 0; check < 3; check++) {
      const agent = await startAgent(project, [], { env: unnamed(), takesPushes: false });
      expect((await agent.tools()).map((tool) => tool.name)).toContain('send');
      await agent.close();
    }
    for (const file of await readdir(join(project, '.cc2cc', 'agents'))) names.push(file.replace(/\.json$/, ''));
    expect(names).toHaveLength(3);
    for (const name of names)
      expect((await presenceOf(project, name)) as unknown).toMatchObject({
        state: 'offline',
        data: { retired: { reason: expect.stringMatching(/never called a tool/) } },
      });
    expect(await listed(project)).toEqual([]);

    const sender = await startAgent(project, ['--name', 'alice']);
    await selfWake(sender);
    const everyone = await sender.call('send', { to: '*', text: 'anyone?' });
    expect(everyone).toMatchObject({ isError: true, text: expect.stringMatching(/NO_RECIPIENTS/) });
    for (const name of names) expect(await files(project, name, 'inbox')).toEqual([]);
  }, 120_000);

  it('a made-up agent offline longer than retireAfterMs disappears; a named one stays', async () => {
    const project = await makeProject({ retireAfterMs: 1000 });
    const named = await startAgent(project, ['--name', 'aaa']);
    await selfWake(named);
    await named.close();
    const made = await startAgent(project, [], { env: unnamed() });
    const name = (await selfWake(made)).meta.to!;
    expect((await made.call('list_agents')).text).toContain(name); // it did something: not a passer-by
    await made.close();
    expect(await listed(project)).toEqual(['aaa', name].sort());

    // A running server looks for idle made-up agents at start and every retireAfterMs.
    const sweeper = await startAgent(project, ['--name', 'zed']);
    await selfWake(sweeper);
    await waitFor(async () => !(await listed(project)).includes(name), {
      timeoutMs: DELIVERY_TIMEOUT_MS,
      what: `${name} retired`,
    });
    // aaa went offline before the made-up agent: the pass that retired that one judged aaa too.
    expect(await listed(project)).toEqual(['aaa', 'zed']);
    const record = JSON.parse(await readFile(join(project, '.cc2cc', 'agents', `${name}.json`), 'utf8')) as {
      data: { retired?: { reason: string } };
    };
    expect(record.data.retired?.reason).toMatch(/with nothing queued \(retireAfterMs 1000\)/);
    expect(await sweeper.call('send', { to: name, text: 'still there?' })).toMatchObject({
      isError: true,
      text: expect.stringMatching(/UNKNOWN_RECIPIENT/),
    });
  }, 120_000);

  it('cc2cc agents forget refuses while messages wait, a live agent and a configured one; --force ' +
    'moves them to dead letters', async () => {
    const project = await makeProject({ agents: ['ops'], plugins: ['rooms'] });
    const alice = await startAgent(project, ['--name', 'alice']);
    await selfWake(alice);
    const carol = await startAgent(project, ['--name', 'carol']);
    await selfWake(carol);
    expect((await carol.call('join', { room: 'dev' })).isError).toBe(false);
    await carol.close();
    expect((await alice.call('send', { to: 'carol', text: 'while you were out' })).text).toMatch(
      /carol: offline \(queued\)/,
    );

    const waiting = await runCli(['agents', 'forget', 'carol'], project);
    expect(waiting.code).toBe(1);
    expect(waiting.stderr).toMatch(/MESSAGES_WAITING: 1 message\(s\) wait for "carol"/);
    expect(await listed(project)).toContain('carol');
    const live = await runCli(['agents', 'forget', 'alice'], project);
    expect(live.stderr).toMatch(/AGENT_LIVE: "alice" is served by a live session/);
    const configured = await runCli(['agents', 'forget', 'ops'], project);
    expect(configured.stderr).toMatch(/configured agents are never retired/);

    const forced = await runCli(['agents', 'forget', 'carol', '--force'], project);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(
      /^forgot carol; 1 queued message\(s\) moved to its dead letters; dropped agent\/carol\/rooms/,
    );
    const dead = await files(project, 'carol', 'dead');
    expect(dead).toHaveLength(1);
    expect(
      await readFile(join(project, '.cc2cc', 'to-carol', 'dead', dead[0]!.replace('.json', '.reason')), 'utf8'),
    ).toMatch(/retired: forgotten with cc2cc agents forget --force/);

    expect(await listed(project)).toEqual(['alice', 'ops']);
    expect(await alice.call('send', { to: 'carol', text: 'gone?' })).toMatchObject({
      isError: true,
      text: expect.stringMatching(/UNKNOWN_RECIPIENT/),
    });
    expect((await alice.call('send', { to: '*', text: 'all' })).text).not.toMatch(/carol/);
    expect(await alice.call('send', { to: 'room:dev', text: 'dev?' })).toMatchObject({
      isError: true,
      text: expect.stringMatching(/NO_RECIPIENTS/),
    });

    // A session that starts again under the name brings it back, without its old rooms.
    const back = await startAgent(project, ['--name', 'carol']);
    await selfWake(back);
    expect(await listed(project)).toEqual(['alice', 'carol', 'ops']);
  }, 120_000);
});
