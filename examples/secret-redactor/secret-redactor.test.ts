import { afterEach, describe, expect, it } from 'vitest';
import {
  MemorySpace,
  MemoryTransport,
  QueueSink,
  compose,
  resolveConfig,
  silentLogger,
  type Cc2cc,
  type Plugin,
} from 'cc2cc';
import { waitFor } from 'cc2cc/testing';
import { secretRedactor } from './index.js';

const TOKEN = `ghp_${'a1B2'.repeat(9)}`;
const AWS = 'AKIAIOSFODNN7EXAMPLE';

const running: Cc2cc[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((kernel) => kernel.close()));
});

/** Two agents over one in-memory space, each with its own plugins. */
async function agents(senderPlugins: Plugin[], receiverPlugins: Plugin[]) {
  const space = new MemorySpace();
  const config = resolveConfig({ agents: ['ci-bot', 'reviewer'] }, { projectDir: process.cwd() });
  const inbox = new QueueSink();
  const sender = await compose({
    config,
    transport: new MemoryTransport(space),
    plugins: senderPlugins,
    logger: silentLogger,
  });
  const receiver = await compose({
    config,
    transport: new MemoryTransport(space),
    sink: inbox,
    plugins: receiverPlugins,
    logger: silentLogger,
  });
  running.push(sender, receiver);
  await receiver.bus.attach('reviewer');
  const received = async () => {
    await waitFor(() => inbox.size > 0, { what: 'a message at reviewer' });
    return (await inbox.take())[0]!;
  };
  return { sender: sender.bus, received };
}

describe('the secret-redactor example plugin', () => {
  it('redacts secrets in text and data before they leave, and says what it did in meta', async () => {
    const { sender, received } = await agents([secretRedactor()], []);
    const result = await sender.send({
      from: 'ci-bot',
      to: 'reviewer',
      text: `deploy failed; token was ${TOKEN}`,
      data: { env: { AWS_ACCESS_KEY_ID: AWS }, attempts: 2 },
    });
    // What was stored is already clean: the secret never reached the inbox.
    expect(result.envelope.text).toBe('deploy failed; token was [redacted:github-token]');
    const message = await received();
    expect(message.text).toBe('deploy failed; token was [redacted:github-token]');
    expect(message.data).toEqual({ env: { AWS_ACCESS_KEY_ID: '[redacted:aws-access-key]' }, attempts: 2 });
    expect(message.meta).toEqual({ redacted: 'github-token:1,aws-access-key:1' });
  });

  it('cleans what arrives from an agent that does not run it, and leaves clean messages alone', async () => {
    const { sender, received } = await agents(
      [],
      [secretRedactor({ patterns: { 'internal-token': /\bitk_[a-z0-9]{16}\b/g } })],
    );
    await sender.send({ from: 'ci-bot', to: 'reviewer', text: 'use itk_0123456789abcdef for staging' });
    expect((await received()).text).toBe('use [redacted:internal-token] for staging');
    await sender.send({ from: 'ci-bot', to: 'reviewer', text: 'all green' });
    const clean = await received();
    expect(clean.text).toBe('all green');
    expect(clean.meta).toBeUndefined();
  });

  it('refuses a pattern without the g flag when it is set up', () => {
    expect(() => secretRedactor({ patterns: { bad: /x/ } })).toThrow(/pattern "bad" needs the g flag/);
  });
});
