import { describe, expect, it } from 'vitest';
import { DELIVERY_TIMEOUT_MS, makeProject } from '../mcp/support.js';
import { sentId, startServer } from './support.js';

describe('two sessions of one agent (auto delivery)', () => {
  it(
    'what the first session read, had named in a tool result, or pushed, the second does not ' + 'push in full again',
    async () => {
      const project = await makeProject({ agents: ['alice', 'bob'] });
      const alice = await startServer(project, ['--name', 'alice'], { CLAUDE_CODE_SESSION_ID: 'a' });
      const first = await startServer(project, ['--name', 'bob'], { CLAUDE_CODE_SESSION_ID: 'b1' });
      const read = sentId((await alice.call('send', { to: 'bob', text: 'read me through check_inbox' })).text);
      const named = sentId((await alice.call('send', { to: 'bob', text: 'named in a tool result' })).text);
      const event = sentId((await alice.call('send', { to: 'bob', text: 'an event, pushed', kind: 'event' })).text);
      for (const id of [read, named, event])
        await first.waitForPush((push) => push.meta.id === id, DELIVERY_TIMEOUT_MS, `push ${id}`);

      const inbox = await first.call('check_inbox', { limit: 1 });
      expect(inbox.text).toContain('read me through check_inbox');
      // The note at the end of a tool result names the other two by id.
      expect(inbox.text).toContain(named);
      expect(inbox.text).toContain(event);
      await first.close();

      const second = await startServer(project, ['--name', 'bob'], { CLAUDE_CODE_SESSION_ID: 'b2' });
      const later = sentId((await alice.call('send', { to: 'bob', text: 'new in the second session' })).text);
      // Inbox order: the earlier ones were offered before this one was pushed.
      await second.waitForPush((push) => push.meta.id === later, DELIVERY_TIMEOUT_MS, 'the new message');
      const again = second.pushes.filter((push) => [read, named, event].includes(push.meta.id ?? ''));
      expect(again).toEqual([]);

      // Named by id in one short line, never in full; check_inbox still has them whole.
      const note = await second.call('list_agents');
      expect(note.text).toMatch(new RegExp(`pushed to you \\(${named} from alice; ${event} from alice`));
      expect(note.text).not.toContain('named in a tool result');
      const whole = await second.call('check_inbox');
      expect(whole.text).toContain('named in a tool result');
      expect(whole.text).toContain('an event, pushed');
      expect(whole.text).not.toContain('read me through check_inbox');
    },
  );
});
