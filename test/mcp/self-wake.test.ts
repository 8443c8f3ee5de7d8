import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../src/testing/wait-for.js';
import { CLI, runCli, spawnNode } from '../cli/process-helpers.js';
import { DELIVERY_TIMEOUT_MS, makeProject, selfWake, startAgent } from './support.js';

interface JsonRpcLine {
  id?: number;
  method?: string;
  params?: { content: string; meta: Record<string, string> };
}

describe('self-wake and backlog', () => {
  it('pushes nothing before notifications/initialized; then the self-wake first, naming the agent', async () => {
    const project = await makeProject({ agents: ['bob'] });
    const queued = await runCli(['send', 'bob', 'waiting for you', '--from', 'alice'], project);
    expect(queued.code).toBe(0);

    const server = spawnNode([CLI, 'serve', '--name', 'bob'], project);
    const messages = () => server.lines.map((line) => JSON.parse(line) as JsonRpcLine);
    const pushes = () => messages().filter((message) => message.method === 'notifications/claude/channel');
    const request = (id: number, method: string, params: object = {}) =>
      server.child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    const answered = (id: number) =>
      waitFor(() => messages().find((message) => message.id === id), {
        what: `answer ${id}`,
        timeoutMs: DELIVERY_TIMEOUT_MS,
      });
    try {
      request(1, 'initialize', {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'raw', version: '1' },
      });
      await answered(1);
      // The waiting message has been claimed and offered to the sink: it is held at the gate.
      await waitFor(async () => (await readdir(join(project, '.cc2cc', 'to-bob', 'cur'))).length === 1, {
        what: 'the message claimed',
        timeoutMs: DELIVERY_TIMEOUT_MS,
      });
      // Answers and pushes share stdout in order: a push written before this answer would show up first.
      request(2, 'ping');
      await answered(2);
      expect(pushes()).toEqual([]);

      server.child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
      await waitFor(() => pushes().length >= 2, { what: 'two pushes', timeoutMs: DELIVERY_TIMEOUT_MS });
      const [wake, message] = pushes();
      expect(wake!.params!.meta).toMatchObject({ kind: 'system', to: 'bob', waiting: '1' });
      expect(wake!.params!.content).toMatch(/you are bob/);
      expect(wake!.params!.content).toMatch(/1 message waiting/);
      expect(message!.params).toMatchObject({ content: 'waiting for you', meta: { from: 'alice', to: 'bob' } });
    } finally {
      server.child.stdin!.end();
      await server.exited;
    }
  });

  it('delivers messages queued while B was down, in order, right after its self-wake', async () => {
    const project = await makeProject();
    const alice = await startAgent(project, ['--name', 'alice']);
    const firstBob = await startAgent(project, ['--name', 'bob']);
    await Promise.all([selfWake(alice), selfWake(firstBob)]);
    await firstBob.close();

    const texts = ['one', 'two', 'three'];
    for (const text of texts) {
      const sent = await alice.call('send', { to: 'bob', text });
      expect(sent.text).toMatch(/bob: offline \(queued\)/);
    }

    const bob = await startAgent(project, ['--name', 'bob']);
    const pushes = await bob.waitForPushes(4, DELIVERY_TIMEOUT_MS);
    expect(pushes[0]!.meta).toMatchObject({ kind: 'system', waiting: '3', online: 'alice' });
    expect(pushes[0]!.content).toMatch(/you are bob\. Online: alice\. 3 messages waiting/);
    expect(pushes.slice(1).map((push) => push.content)).toEqual(texts);
    expect(pushes.slice(1).every((push) => push.meta.from === 'alice')).toBe(true);
  });
});
