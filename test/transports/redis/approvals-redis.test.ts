import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCli } from '../../cli/process-helpers.js';
import { waitFor } from '../../../src/testing/wait-for.js';
import { DELIVERY_TIMEOUT_MS, makeProject, selfWake, startAgent } from '../../mcp/support.js';
import { OwnRedis, skipWithoutRedisServer, uniqueNamespace } from './support.js';

const VerdictSchema = z.object({
  method: z.literal('notifications/claude/channel/permission'),
  params: z.object({ request_id: z.string(), behavior: z.enum(['allow', 'deny']) }),
});

/** The permission relay on Redis: the asking server and the person's CLI share only the Redis. */
describe.skipIf(skipWithoutRedisServer('the approvals-on-Redis test'))('approvals on the Redis transport', () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await OwnRedis.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('a request asked in one folder is answered from another, and the verdict reaches the asking session', async () => {
    const config = {
      transport: { use: 'redis', url: redis.url, namespace: uniqueNamespace('approvals') },
      plugins: ['approvals'],
      logLevel: 'warn',
    };
    const [here, there] = [await makeProject(config), await makeProject(config)];
    const ann = await startAgent(here, ['--name', 'ann']);
    await selfWake(ann);
    const verdicts: Array<{ request_id: string; behavior: string }> = [];
    ann.client.setNotificationHandler(VerdictSchema, ({ params }) => void verdicts.push(params));
    await ann.client.notification({
      method: 'notifications/claude/channel/permission_request',
      params: { request_id: 'pqrst', tool_name: 'Bash', description: 'deploy', input_preview: 'make deploy' },
    } as never);

    await waitFor(async () => (await runCli(['approvals', '--json'], there)).stdout.includes('"pqrst"'), {
      timeoutMs: DELIVERY_TIMEOUT_MS,
      intervalMs: 100,
      what: 'the request on the other side',
    });
    const denied = await runCli(['deny', 'pqrst'], there);
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout).toMatch(/denied pqrst: ann · Bash: deploy/);
    await waitFor(() => verdicts.length > 0, { timeoutMs: DELIVERY_TIMEOUT_MS, what: 'the verdict at ann' });
    expect(verdicts).toEqual([{ request_id: 'pqrst', behavior: 'deny' }]);

    await ann.close();
    const late = await runCli(['approve', 'pqrst'], there);
    expect(late.code).not.toBe(0);
    expect(late.stderr).toMatch(/APPROVAL_CLOSED: .* was already denied by human/);
  });
});
