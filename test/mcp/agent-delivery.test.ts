import { describe, expect, it } from 'vitest';
import { createEnvelope, type Envelope } from '../../src/kernel/envelope.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { ChannelSink, type ChannelNotification } from '../../src/sinks/channel-sink.js';
import { AgentDelivery, type DeliveryMode } from '../../src/mcp/delivery.js';
import { pickFreeName } from '../../src/mcp/agent-name.js';
import { isAgentName } from '../../src/kernel/names.js';

function setup(mode: DeliveryMode, maxTextChars = 16_000) {
  const pushed: ChannelNotification[] = [];
  const channel = new ChannelSink(
    async (notification) => {
      pushed.push(notification);
    },
    { maxTextChars },
  );
  void channel.start();
  const delivery = new AgentDelivery({ mode, channel, logger: silentLogger });
  const acked: string[] = [];
  const give = (envelope: Envelope) => delivery.deliver(envelope, { ack: async () => void acked.push(envelope.id) });
  return { delivery, pushed, acked, give };
}

const message = (text: string) => createEnvelope({ from: 'alice', to: 'bob', text });

describe('AgentDelivery', () => {
  it('push: delivered once pushed, nothing kept, no note', async () => {
    const { delivery, pushed, give } = setup('push');
    expect(await give(message('a'))).toBe('delivered');
    expect(pushed).toHaveLength(1);
    expect(delivery.waiting).toBe(0);
    expect(delivery.note()).toBeUndefined();
  });

  it('push: a message cut short by the length cap is kept for check_inbox, whole', async () => {
    const { delivery, pushed, acked, give } = setup('push', 200);
    const long = message('x'.repeat(300));
    expect(await give(long)).toBe('held');
    expect(pushed[0]!.meta.truncated).toBe('true');
    expect(acked).toEqual([]);
    expect(await delivery.read()).toEqual([long]);
    expect(acked).toEqual([long.id]);
  });

  it('pull: held without a push; the note repeats until read; read acks oldest first, once', async () => {
    const { delivery, pushed, acked, give } = setup('pull');
    const [a, b] = [message('a'), message('b')];
    expect(await give(a)).toBe('held');
    await give(b);
    expect(pushed).toEqual([]);
    expect(delivery.note()).toMatch(/2 messages waiting for you; call check_inbox/);
    expect(delivery.note()).toMatch(/2 messages waiting/);
    expect(await delivery.read(1)).toEqual([a]);
    expect(acked).toEqual([a.id]);
    expect(delivery.note()).toMatch(/1 message waiting for you; call check_inbox to read it/);
    expect(await delivery.read()).toEqual([b]);
    expect(await delivery.read()).toEqual([]);
    expect(delivery.note()).toBeUndefined();
  });

  it('auto: pushed and held; each message announced once; a reply marks it read', async () => {
    const { delivery, pushed, acked, give } = setup('auto');
    const [a, b] = [message('a'), message('b')];
    await give(a);
    await give(b);
    expect(pushed.map((notification) => notification.content)).toEqual(['a', 'b']);
    const note = delivery.note()!;
    expect(note).toContain(a.id);
    expect(note).toContain(b.id);
    expect(delivery.note()).toBeUndefined();
    expect(await delivery.markRead(a.id)).toBe(true);
    expect(await delivery.markRead(a.id)).toBe(false);
    expect(acked).toEqual([a.id]);
    expect(await delivery.read()).toEqual([b]);
  });

  it('auto: a failed push rejects before anything is held', async () => {
    const channel = new ChannelSink(
      async () => {
        throw new Error('broken pipe');
      },
      { maxTextChars: 16_000 },
    );
    void channel.start();
    const delivery = new AgentDelivery({ mode: 'auto', channel, logger: silentLogger });
    await expect(delivery.deliver(message('a'), { ack: async () => {} })).rejects.toThrow(/broken pipe/);
    expect(delivery.waiting).toBe(0);
  });
});

describe('pickFreeName', () => {
  it('makes a valid adjective-animal name that is not taken', () => {
    const name = pickFreeName(new Set(['brave-fox']), () => 0);
    expect(isAgentName(name)).toBe(true);
    expect(name).toMatch(/^[a-z]+-[a-z]+$/);
    expect(name).not.toBe('brave-fox');
  });

  it('still finds a name when random picks keep colliding', () => {
    const taken = new Set<string>();
    for (let i = 0; i < 900; i++) taken.add(pickFreeName(taken));
    const next = pickFreeName(taken);
    expect(taken.has(next)).toBe(false);
    expect(next).toMatch(/-2$/);
    expect(isAgentName(next)).toBe(true);
  });
});
