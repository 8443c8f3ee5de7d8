import { describe, expect, it } from 'vitest';
import { DELIVERY_TIMEOUT_MS, makeProject } from '../mcp/support.js';
import { contextOf, runHook, sentId, startServer } from './support.js';

describe('cc2cc hook while no server of the session runs', () => {
  it('reads the inbox itself, once; the server that starts later neither pushes it again nor forgets the receipt', async () => {
    const project = await makeProject({ agents: ['alice', 'bob'] });
    const alice = await startServer(project, ['--name', 'alice'], { CLAUDE_CODE_SESSION_ID: 'a' });
    const id = sentId((await alice.call('send', { to: 'bob', text: 'queued while bob was away', receipt: true })).text);

    const env = { CLAUDE_CODE_SESSION_ID: 'b', CC2CC_NAME: 'bob' };
    const input = { hook_event_name: 'SessionStart', session_id: 'b', cwd: project, source: 'startup' };
    const context = contextOf(await runHook(project, ['session-start'], input, env));
    expect(context).toContain('you are the agent "bob"');
    expect(context).toContain(`id="${id}"`);
    expect(context).toContain('queued while bob was away');
    expect(contextOf(await runHook(project, ['session-start'], input, env))).not.toContain(id);

    const bob = await startServer(project, ['--name', 'bob'], { CLAUDE_CODE_SESSION_ID: 'b', CC2CC_NAME: 'bob' });
    const later = sentId((await alice.call('send', { to: 'bob', text: 'later' })).text);
    await bob.waitForPush((push) => push.meta.id === later, DELIVERY_TIMEOUT_MS, 'the later push');
    expect(bob.pushes.filter((push) => push.meta.id === id)).toEqual([]);
    await alice.waitForPush((push) => push.meta.correlation_id === id, DELIVERY_TIMEOUT_MS, 'the seen receipt');
    expect((await alice.call('status', { id })).text).toMatch(/bob: seen/);
  });
});
