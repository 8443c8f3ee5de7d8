import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DELIVERY_TIMEOUT_MS, makeProject, selfWake, startAgent } from '../../mcp/support.js';
import { deleteNamespace, REDIS_URL, skipWithoutRedisUrl, uniqueNamespace } from './support.js';

/**
 * Two `cc2cc serve` processes in two different project folders, as on two machines, that
 * share nothing but one Redis and one namespace, driven by the MCP SDK client.
 */
describe.skipIf(skipWithoutRedisUrl('the two-machine cc2cc serve test'))(
  'cc2cc serve on Redis from two folders',
  () => {
    const namespaces: string[] = [];
    afterEach(async () => {
      await Promise.all(namespaces.splice(0).map((namespace) => deleteNamespace(REDIS_URL!, namespace)));
    });

    it('exchanges a direct message, a room broadcast and a request/reply', async () => {
      const namespace = uniqueNamespace('machines');
      namespaces.push(namespace);
      const config = {
        transport: { use: 'redis', url: REDIS_URL, namespace },
        plugins: ['rooms', 'request-reply'],
        agents: ['alice', 'bob'],
        logLevel: 'warn',
      };
      const [folderA, folderB] = [await makeProject(config), await makeProject(config)];
      expect(folderA).not.toBe(folderB);
      const [alice, bob] = await Promise.all([
        startAgent(folderA, ['--name', 'alice']),
        startAgent(folderB, ['--name', 'bob']),
      ]);
      await Promise.all([selfWake(alice), selfWake(bob)]);

      // Direct message, and its reply.
      const sent = await alice.call('send', { to: 'bob', text: 'Can you run the tests on main?' });
      expect(sent.isError, sent.text).toBe(false);
      const direct = await bob.waitForPush(
        (push) => push.meta.from === 'alice' && push.content === 'Can you run the tests on main?',
        DELIVERY_TIMEOUT_MS,
        'the direct message at bob',
      );
      expect(direct.meta).toMatchObject({ from: 'alice', kind: 'message' });
      await bob.call('reply', { id: direct.meta.id, text: '214 passed' });
      await alice.waitForPush(
        (push) => push.meta.kind === 'reply' && push.meta.correlation_id === direct.meta.id,
        DELIVERY_TIMEOUT_MS,
        'the reply at alice',
      );

      // Room broadcast: bob's membership lives in his presence record in Redis.
      expect((await bob.call('join', { room: 'reviewers' })).isError).toBe(false);
      const broadcast = await alice.call('send', { to: 'room:reviewers', text: 'PR 7 is ready for review' });
      expect(broadcast.text).toMatch(/bob/);
      await bob.waitForPush(
        (push) => push.meta.room === 'reviewers' && push.content === 'PR 7 is ready for review',
        DELIVERY_TIMEOUT_MS,
        'the room message at bob',
      );

      // Request/reply: alice's call resolves with bob's answer.
      const request = alice.call('request', {
        to: 'bob',
        text: 'Which branch are you on?',
        timeout_ms: DELIVERY_TIMEOUT_MS,
      });
      const asked = await bob.waitForPush(
        (push) => push.meta.kind === 'request' && push.meta.from === 'alice',
        DELIVERY_TIMEOUT_MS,
        'the request at bob',
      );
      await bob.call('reply', { id: asked.meta.id, text: 'feature/login' });
      const answer = await request;
      expect(answer.isError, answer.text).toBe(false);
      expect(answer.text).toContain('feature/login');

      // Nothing went through either folder: neither has an inbox on disk.
      for (const folder of [folderA, folderB]) {
        const entries = await readdir(join(folder, '.cc2cc')).catch(() => [] as string[]);
        expect(entries.filter((entry) => entry.startsWith('to-'))).toEqual([]);
      }
      expect((await alice.call('list_agents')).text).toMatch(/bob/);
    });
  },
);
