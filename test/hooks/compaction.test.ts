import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../src/testing/wait-for.js';
import { DELIVERY_TIMEOUT_MS, makeProject } from '../mcp/support.js';
import { contextOf, runHook, sentId, startServer } from './support.js';

describe('session start after a compaction or /clear', () => {
  it('brings back the open state: requests waiting for an answer, rooms', async () => {
    const project = await makeProject({ agents: ['alice', 'bob'], plugins: ['rooms'] });
    const alice = await startServer(project, ['--name', 'alice'], { CLAUDE_CODE_SESSION_ID: 'a' });
    const bob = await startServer(
      project,
      ['--name', 'bob'],
      { CLAUDE_CODE_SESSION_ID: 'b', CC2CC_PUSH_CONFIRM_MS: '0' },
      false,
    );
    expect((await bob.call('join', { room: 'backend' })).isError).toBe(false);
    const transcript = join(project, 'b.jsonl');
    await writeFile(transcript, '');
    const env = { CLAUDE_CODE_SESSION_ID: 'b' };
    const base = { session_id: 'b', cwd: project, transcript_path: transcript };
    const id = sentId((await alice.call('send', { to: 'bob', text: 'please review the patch', kind: 'request' })).text);
    await waitFor(
      async () =>
        contextOf(
          await runHook(project, ['prompt-submit'], { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'x' }, env),
        ),
      {
        what: 'the request in context',
        timeoutMs: DELIVERY_TIMEOUT_MS,
        intervalMs: 50,
      },
    );

    const compacted = { ...base, hook_event_name: 'SessionStart', source: 'compact' };
    const context = contextOf(await runHook(project, ['session-start'], compacted, env));
    expect(context).toContain(`Requests waiting for your answer (reply with their id): ${id} from alice`);
    expect(context).toContain('Addresses that reach you: room:backend.');
    // A plain start of a session says nothing of it.
    expect(
      contextOf(await runHook(project, ['session-start'], { ...compacted, source: 'startup' }, env)),
    ).not.toContain('Requests waiting');

    await bob.call('reply', { id, text: 'done' });
    expect(contextOf(await runHook(project, ['session-start'], { ...compacted, source: 'clear' }, env))).not.toContain(
      id,
    );
  });
});
