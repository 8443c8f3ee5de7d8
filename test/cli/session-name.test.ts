import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../src/testing/wait-for.js';
import { makeProject, processGone, selfWake, startAgent } from '../mcp/support.js';

const environment = (extra: Record<string, string>) => ({
  ...(Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >),
  CC2CC_NAME: '',
  ...extra,
});

/** `cc2cc serve` without a name, as Claude Code starts it for session `sessionId`; resolves with the name it took. */
async function serveSession(project: string, sessionId: string, extra: Record<string, string> = {}) {
  const agent = await startAgent(project, [], { env: environment({ CLAUDE_CODE_SESSION_ID: sessionId, ...extra }) });
  const wake = await selfWake(agent);
  const name = /^cc2cc: you are ([a-z0-9-]+)\./.exec(wake.content)?.[1];
  if (!name) throw new Error(`no name in the self-wake push: ${wake.content}`);
  return { agent, name };
}

describe('cc2cc serve: a session without a chosen name keeps its generated name across --resume', () => {
  it(
    'gives the same session id the same name after a stop and after a crash; another session ' + 'gets another name',
    async () => {
      const project = await makeProject();
      const session = randomUUID();
      const first = await serveSession(project, session);
      expect(first.name).toMatch(/^[a-z]+-[a-z]+(-\d+)?$/);
      await first.agent.close();

      const resumed = await serveSession(project, session);
      expect(resumed.name).toBe(first.name);
      const other = await serveSession(project, randomUUID());
      expect(other.name).not.toBe(first.name);

      const pid = resumed.agent.pid!;
      process.kill(pid, 'SIGKILL');
      await waitFor(() => processGone(pid), { what: 'the killed server to end' });
      const afterCrash = await serveSession(project, session);
      expect(afterCrash.name).toBe(first.name);
    },
  );

  it('a name chosen with CC2CC_NAME wins and does not replace the name the session had', async () => {
    const project = await makeProject();
    const session = randomUUID();
    const generated = await serveSession(project, session);
    await generated.agent.close();
    const named = await serveSession(project, session, { CC2CC_NAME: 'backend' });
    expect(named.name).toBe('backend');
    await named.agent.close();
    expect((await serveSession(project, session)).name).toBe(generated.name);
  });
});
