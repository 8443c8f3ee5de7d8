import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCli } from '../cli/process-helpers.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { DELIVERY_TIMEOUT_MS, makeProject, processGone, selfWake, startAgent } from './support.js';
import type { StdioAgent } from '../../src/demo/stdio-agent.js';

const PERMISSION_REQUEST = 'notifications/claude/channel/permission_request';
const VerdictSchema = z.object({
  method: z.literal('notifications/claude/channel/permission'),
  params: z.object({ request_id: z.string(), behavior: z.enum(['allow', 'deny']) }),
});
type Verdict = z.infer<typeof VerdictSchema>['params'];

/** A served agent whose client records every verdict the server sends it, as Claude Code would take it. */
async function agentWithVerdicts(project: string, name: string): Promise<{ agent: StdioAgent; verdicts: Verdict[] }> {
  const agent = await startAgent(project, ['--name', name]);
  await selfWake(agent);
  const verdicts: Verdict[] = [];
  agent.client.setNotificationHandler(VerdictSchema, ({ params }) => void verdicts.push(params));
  return { agent, verdicts };
}

function ask(
  agent: StdioAgent,
  id: string,
  tool = 'Bash',
  description = 'run the tests',
  preview = 'npm test',
): Promise<void> {
  return agent.client.notification({
    method: PERMISSION_REQUEST,
    params: { request_id: id, tool_name: tool, description, input_preview: preview },
  } as never);
}

async function pending(
  project: string,
): Promise<Array<{ id: string; agent: string; tool: string; status: string; preview: string }>> {
  const run = await runCli(['approvals', '--json'], project);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Array<{ id: string; agent: string; tool: string; status: string; preview: string }>;
}

const waitForPending = (project: string, id: string) =>
  waitFor(async () => (await pending(project)).find((record) => record.id === id), {
    timeoutMs: DELIVERY_TIMEOUT_MS,
    intervalMs: 100,
    what: `request ${id} in cc2cc approvals`,
  });

describe('approvals: the permission relay through a real cc2cc serve', () => {
  it('declares claude/channel/permission only with the plugin on', async () => {
    const without = await startAgent(await makeProject({}), ['--name', 'ann']);
    expect(without.client.getServerCapabilities()?.experimental).toEqual({ 'claude/channel': {} });
    const withIt = await startAgent(await makeProject({ plugins: ['approvals'] }), ['--name', 'ann']);
    expect(withIt.client.getServerCapabilities()?.experimental).toEqual({
      'claude/channel': {},
      'claude/channel/permission': {},
    });
  });

  it(
    'a request shows in cc2cc approvals; approve sends allow, deny sends deny, each to the ' + 'asking session',
    async () => {
      const project = await makeProject({ plugins: ['approvals'] });
      const { agent: ann, verdicts: annVerdicts } = await agentWithVerdicts(project, 'ann');
      const { agent: bob, verdicts: bobVerdicts } = await agentWithVerdicts(project, 'bob');
      await ask(ann, 'abcde');
      await ask(bob, 'fghij', 'Write', 'write src/a.ts', 'export const a = 1;');
      expect(await waitForPending(project, 'abcde')).toMatchObject({
        agent: 'ann',
        tool: 'Bash',
        status: 'pending',
        preview: 'npm test',
      });
      expect(await waitForPending(project, 'fghij')).toMatchObject({ agent: 'bob', tool: 'Write', status: 'pending' });
      expect(annVerdicts).toEqual([]); // nothing is approved by default

      const approved = await runCli(['approve', 'abcde'], project);
      expect(approved.code, approved.stderr).toBe(0);
      expect(approved.stdout).toMatch(/allowed abcde: ann · Bash/);
      await waitFor(() => annVerdicts.length > 0, { timeoutMs: DELIVERY_TIMEOUT_MS, what: 'the allow verdict' });
      expect(annVerdicts).toEqual([{ request_id: 'abcde', behavior: 'allow' }]);

      const denied = await runCli(['deny', 'fghij'], project);
      expect(denied.code, denied.stderr).toBe(0);
      expect(denied.stdout).toMatch(/denied fghij: bob · Write/);
      await waitFor(() => bobVerdicts.length > 0, { timeoutMs: DELIVERY_TIMEOUT_MS, what: 'the deny verdict' });
      expect(bobVerdicts).toEqual([{ request_id: 'fghij', behavior: 'deny' }]);
      expect(annVerdicts).toHaveLength(1);
      expect(await pending(project)).toEqual([]);

      const again = await runCli(['approve', 'abcde'], project);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(
        /APPROVAL_CLOSED: permission request ann\/abcde \(Bash\) was already allowed by human/,
      );
      const history = JSON.parse((await runCli(['approvals', '--all', '--json'], project)).stdout) as Array<{
        id: string;
        status: string;
        answeredBy: string;
        relayedAt?: string;
      }>;
      expect(history.map(({ id, status, answeredBy }) => ({ id, status, answeredBy }))).toEqual(
        expect.arrayContaining([
          { id: 'abcde', status: 'allowed', answeredBy: 'human' },
          { id: 'fghij', status: 'denied', answeredBy: 'human' },
        ]),
      );
    },
  );

  it('refuses a wrong id and an expired one: the session ended, or nobody answered in time', async () => {
    const project = await makeProject({ plugins: [['approvals', { pendingTtlMs: 60_000 }]] });
    const { agent: ann, verdicts } = await agentWithVerdicts(project, 'ann');
    await ask(ann, 'qwert');
    await waitForPending(project, 'qwert');

    const wrong = await runCli(['approve', 'zzzzz'], project);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/NOT_FOUND: no permission request "zzzzz" \(pending: ann\/qwert/);

    await ann.close(); // the session ends: its pending request can no longer be answered
    const expired = await runCli(['approve', 'qwert'], project);
    expect(expired.code).not.toBe(0);
    expect(expired.stderr).toMatch(
      /APPROVAL_CLOSED: permission request ann\/qwert \(Bash\) has expired: the session ended/,
    );
    expect(verdicts).toEqual([]);
    const all = JSON.parse((await runCli(['approvals', '--all', '--json'], project)).stdout) as Array<{
      id: string;
      status: string;
    }>;
    expect(all).toEqual([expect.objectContaining({ id: 'qwert', status: 'expired' })]);
  });

  it('the requests of a server that died (SIGKILL: it could not mark them) are expired by its liveness', async () => {
    const project = await makeProject({ plugins: ['approvals'] });
    const { agent: ann } = await agentWithVerdicts(project, 'ann');
    await ask(ann, 'zxcvb');
    await waitForPending(project, 'zxcvb');
    const pid = ann.pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => processGone(pid), { timeoutMs: DELIVERY_TIMEOUT_MS, what: 'the server to die' });
    expect(await pending(project)).toEqual([]);
    const dead = await runCli(['approve', 'zxcvb'], project);
    expect(dead.code).not.toBe(0);
    expect(dead.stderr).toMatch(/has expired: the session ended/);
  });

  it('a request nobody answers within pendingTtlMs expires and is refused', async () => {
    const project = await makeProject({ plugins: [['approvals', { pendingTtlMs: 300 }]] });
    const { agent: ann } = await agentWithVerdicts(project, 'ann');
    await ask(ann, 'asdfg');
    await waitFor(async () => (await runCli(['approvals', '--all', '--json'], project)).stdout.includes('"expired"'), {
      timeoutMs: DELIVERY_TIMEOUT_MS,
      intervalMs: 100,
      what: 'the request to expire',
    });
    const late = await runCli(['deny', 'asdfg'], project);
    expect(late.code).not.toBe(0);
    expect(late.stderr).toMatch(/has expired: nobody answered in time/);
  });

  it('agents answer only when named as approvers (off by default), never their own request', async () => {
    const plain = await startAgent(await makeProject({ plugins: ['approvals'] }), ['--name', 'ann']);
    expect((await plain.tools()).map((tool) => tool.name)).not.toContain('answer_permission');

    const project = await makeProject({ plugins: [['approvals', { approvers: ['human', 'reviewer'] }]] });
    const { agent: ann, verdicts } = await agentWithVerdicts(project, 'ann');
    const { agent: reviewer } = await agentWithVerdicts(project, 'reviewer');
    await ask(ann, 'mnbvc');
    await waitForPending(project, 'mnbvc');
    const own = await ann.call('answer_permission', { id: 'mnbvc', behavior: 'allow' });
    expect(own).toMatchObject({ isError: true });
    expect(own.text).toMatch(/"ann" is not an approver/);
    await ask(reviewer, 'lkjhg');
    await waitForPending(project, 'lkjhg');
    const self = await reviewer.call('answer_permission', { id: 'lkjhg', behavior: 'allow' });
    expect(self.text).toMatch(/reviewer cannot answer its own permission request lkjhg/);

    const answered = await reviewer.call('answer_permission', { id: 'mnbvc', behavior: 'allow' });
    expect(answered).toMatchObject({ isError: false });
    await waitFor(() => verdicts.length > 0, {
      timeoutMs: DELIVERY_TIMEOUT_MS,
      what: 'the verdict of the agent approver',
    });
    expect(verdicts).toEqual([{ request_id: 'mnbvc', behavior: 'allow' }]);
    const history = JSON.parse((await runCli(['approvals', '--all', '--json'], project)).stdout) as Array<{
      id: string;
      answeredBy?: string;
    }>;
    expect(history.find((record) => record.id === 'mnbvc')?.answeredBy).toBe('reviewer');
  });
});
