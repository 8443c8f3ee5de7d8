import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../src/testing/wait-for.js';
import { DELIVERY_TIMEOUT_MS, makeProject } from '../mcp/support.js';
import { contextOf, runHook, sentId, startServer } from './support.js';

describe('cc2cc hook while no server of the session runs', () => {
  it(
    'reads the inbox itself, once; the server that starts later neither pushes it again nor ' + 'forgets the receipt',
    async () => {
      const project = await makeProject({ agents: ['alice', 'bob'] });
      const alice = await startServer(project, ['--name', 'alice'], { CLAUDE_CODE_SESSION_ID: 'a' });
      const id = sentId(
        (await alice.call('send', { to: 'bob', text: 'queued while bob was away', receipt: true })).text,
      );

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
    },
  );
});

describe('a project deeper than a Unix socket path allows', () => {
  it('the server puts its socket in a private temp folder and the hook still reaches it', async () => {
    const top = await makeProject();
    const project = join(top, ...Array.from({ length: 8 }, () => 'a-rather-deep-folder'));
    await mkdir(project, { recursive: true });
    await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ agents: ['alice', 'bob'], delivery: 'pull' }));
    const alice = await startServer(project, ['--name', 'alice'], { CLAUDE_CODE_SESSION_ID: 'a' }, false);
    await startServer(project, ['--name', 'bob'], { CLAUDE_CODE_SESSION_ID: 'b' }, false);
    const endpoint = JSON.parse(await readFile(join(project, '.cc2cc/sessions/bob.json'), 'utf8')) as {
      socket: string;
    };
    expect(endpoint.socket.startsWith(project)).toBe(false);
    const id = sentId((await alice.call('send', { to: 'bob', text: 'deep' })).text);
    const context = await waitFor(
      async () =>
        contextOf(
          await runHook(
            project,
            ['prompt-submit'],
            { hook_event_name: 'UserPromptSubmit', cwd: project },
            { CLAUDE_CODE_SESSION_ID: 'b' },
          ),
        ),
      { what: 'the message through the temp-folder socket', timeoutMs: DELIVERY_TIMEOUT_MS, intervalMs: 50 },
    );
    expect(context).toContain(`id="${id}"`);
  });
});
