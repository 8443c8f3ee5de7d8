import { hostname } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { createEnvelope, encodeEnvelope, type Envelope } from '../../../src/kernel/envelope.js';
import { isCc2ccError } from '../../../src/kernel/errors.js';
import type { Delivery, TrafficEvent, Transport } from '../../../src/kernel/transport.js';
import type { RedisTransportOptions } from '../../../src/transports/redis/index.js';
import { waitFor } from '../../../src/testing/wait-for.js';
import { deleteNamespace, REDIS_URL, redisTransport, skipWithoutRedisUrl, uniqueNamespace } from './support.js';
import { compose } from '../../../src/kernel/compose.js';
import { silentLogger } from '../../../src/kernel/logger.js';
import { kernelConfig, RecordingSink } from '../../kernel/helpers.js';

const message = (text: string, to = 'calm-owl'): Envelope => createEnvelope({ from: 'brave-fox', to, text });

describe.skipIf(skipWithoutRedisUrl('the Redis transport tests'))('redis transport', () => {
  const url = REDIS_URL!;
  let redis: ReturnType<typeof createClient>;
  let namespace: string;
  const namespaces: string[] = [];
  const opened: Transport[] = [];
  const connect = async (options: Partial<RedisTransportOptions> = {}, ns = namespace) => {
    const transport = await redisTransport(url, ns, options);
    opened.push(transport);
    return transport;
  };
  const key = (rest: string, ns = namespace) => `cc2cc:${ns}:${rest}`;

  beforeAll(async () => {
    redis = createClient({ url });
    redis.on('error', () => {});
    await redis.connect();
  });
  afterAll(async () => {
    await redis.close();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((transport) => transport.close()));
    await Promise.all(namespaces.splice(0).map((ns) => deleteNamespace(url, ns)));
  });
  const fresh = () => {
    namespace = uniqueNamespace('redis');
    namespaces.push(namespace);
    return namespace;
  };

  it('keeps two namespaces on one Redis apart', async () => {
    const other = fresh();
    const ours = fresh();
    const a = await connect({}, ours);
    const b = await connect({}, other);
    await a.put('calm-owl', message('only for namespace a'));
    expect((await a.agents()).map((agent) => agent.name)).toEqual(['calm-owl']);
    expect(await b.agents()).toEqual([]);
    expect(await b.stats('calm-owl')).toEqual({ queued: 0, claimed: 0, done: 0, dead: 0 });
    const keys = await redis.keys(`cc2cc:${ours}:*`);
    expect(keys.sort()).toEqual([key('agents', ours), key('inbox:calm-owl', ours)]);
  });

  it('takes a message out of the stream on ack (XACK + XDEL) and keeps a bounded set of done ids', async () => {
    fresh();
    const transport = await connect({ maxDone: 5 });
    const seen: string[] = [];
    await transport.open('calm-owl', async (delivery) => {
      seen.push(delivery.envelope.text);
      await delivery.ack();
    });
    const sent = Array.from({ length: 8 }, (_, i) => message(`m${i}`));
    for (const envelope of sent) await transport.put('calm-owl', envelope);
    await waitFor(() => seen.length === 8, { what: '8 deliveries' });
    await waitFor(async () => (await redis.xLen(key('inbox:calm-owl'))) === 0, { what: 'an empty stream' });
    expect(await redis.zRange(key('done:calm-owl'), 0, -1)).toEqual(sent.slice(3).map((envelope) => envelope.id));
    expect(await transport.stats('calm-owl')).toEqual({ queued: 0, claimed: 0, done: 5, dead: 0 });

    // A copy of an id acked earlier, even by another receiver, is acked again and not handed over.
    const again = await connect();
    await transport.close();
    const later: string[] = [];
    await again.open('calm-owl', async (delivery) => {
      later.push(delivery.envelope.text);
      await delivery.ack();
    });
    await again.put('calm-owl', sent[7]!);
    await again.put('calm-owl', message('new'));
    await waitFor(() => later.includes('new'));
    expect(later).toEqual(['new']);
  });

  it('refuses a put past maxLen with INBOX_FULL instead of trimming what is queued', async () => {
    fresh();
    const transport = await connect({ maxLen: 3 });
    for (let i = 0; i < 3; i++) await transport.put('calm-owl', message(`m${i}`));
    const error = await transport.put('calm-owl', message('one too many')).catch((caught: unknown) => caught);
    expect(isCc2ccError(error, 'INBOX_FULL')).toBe(true);
    expect((error as Error).message).toMatch(/inbox of "calm-owl" already holds 3 unsettled messages \(maxLen\)/);
    expect(await transport.stats('calm-owl')).toMatchObject({ queued: 3 });
  });

  it('dead-letters an entry that is not a readable envelope, with the reason, and keeps delivering', async () => {
    fresh();
    const transport = await connect({ maxBytes: 2048 });
    const seen: string[] = [];
    await transport.open('calm-owl', async (delivery) => {
      seen.push(delivery.envelope.text);
      await delivery.ack();
    });
    const future = { ...JSON.parse(encodeEnvelope(message('v2'))), v: 2 } as Record<string, unknown>;
    await redis.xAdd(key('inbox:calm-owl'), '*', { envelope: '{"v":1,"id":' });
    await redis.xAdd(key('inbox:calm-owl'), '*', { envelope: JSON.stringify(future) });
    await redis.xAdd(key('inbox:calm-owl'), '*', { other: 'field' });
    await redis.xAdd(key('inbox:calm-owl'), '*', { envelope: encodeEnvelope(message('x'.repeat(3000))) });
    await transport.put('calm-owl', message('good'));
    await waitFor(() => seen.includes('good'), { what: 'the good message' });
    const dead = await waitFor(
      async () => {
        const letters = await transport.deadLetters('calm-owl');
        return letters.length === 4 ? letters : undefined;
      },
      { what: 'four dead letters' },
    );
    expect(dead.map((letter) => letter.reason)).toEqual([
      expect.stringMatching(/not valid JSON/),
      expect.stringMatching(/version 2 is not supported/),
      expect.stringMatching(/has no "envelope" field/),
      expect.stringMatching(/bytes, over the limit of 2048 bytes/),
    ]);
    expect(dead[1]!.id).toBe(future.id);
    expect(seen).toEqual(['good']);
    expect(await transport.stats('calm-owl')).toEqual({ queued: 0, claimed: 0, done: 1, dead: 4 });
  });

  it(
    'counts deliveries across receivers, and dead-letters a message handed out past maxAttempts ' +
      '+ 1 times unsettled',
    async () => {
      fresh();
      const sender = await connect();
      const poison = message('kills its receiver');
      await sender.put('calm-owl', poison);
      const attempts: number[] = [];
      for (let round = 0; round < 2; round++) {
        const receiver = await connect({ maxAttempts: 1 });
        const held: Delivery[] = [];
        const inbox = await receiver.open('calm-owl', async (delivery) => {
          held.push(delivery);
          attempts.push(delivery.attempt);
        });
        await waitFor(() => held.length === 1, { what: `offer ${round + 1}` });
        await inbox.abort(); // dies before settling
      }
      expect(attempts).toEqual([1, 2]);
      const third = await connect({ maxAttempts: 1 });
      const offered: string[] = [];
      await third.open('calm-owl', async (delivery) => {
        offered.push(delivery.envelope.text);
        await delivery.ack();
      });
      const [letter] = await waitFor(
        async () => {
          const letters = await third.deadLetters('calm-owl');
          return letters.length === 1 ? letters : undefined;
        },
        { what: 'the dead letter' },
      );
      expect(letter).toMatchObject({
        id: poison.id,
        reason: expect.stringMatching(/^failed: handed to a receiver 3 times without being settled \(maxAttempts 1\)/),
      });
      expect(letter!.envelope).toEqual(poison);
      expect(offered).toEqual([]);
    },
  );

  it(
    'on a clean close, gives back what it had read but not offered: the next receiver offers it ' + 'as attempt 1',
    async () => {
      fresh();
      const first = await connect();
      for (const text of ['a', 'b', 'c']) await first.put('calm-owl', message(text));
      let finish: () => void = () => {};
      const inHandler = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const offered: string[] = [];
      const inbox = await first.open('calm-owl', async (delivery) => {
        offered.push(delivery.envelope.text);
        await inHandler; // 'b' and 'c' were read in the same batch and wait behind 'a'
        await delivery.ack();
      });
      await waitFor(() => offered.length === 1);
      const closing = inbox.close();
      finish();
      await closing;
      expect(offered).toEqual(['a']);
      expect(await first.stats('calm-owl')).toMatchObject({ claimed: 2, done: 1 });

      const second = await connect();
      const next: Array<[string, number]> = [];
      await second.open('calm-owl', async (delivery) => {
        next.push([delivery.envelope.text, delivery.attempt]);
        await delivery.ack();
      });
      await waitFor(() => next.length === 2);
      expect(next).toEqual([
        ['b', 1],
        ['c', 1],
      ]);
    },
  );

  it('offers a held message that is retried later again at once, cutting a long blocking read short', async () => {
    fresh();
    const transport = await connect({ blockMs: 60_000 });
    const offers: Array<[string, number]> = [];
    const held: Delivery[] = [];
    await transport.open('calm-owl', async (delivery) => {
      offers.push([delivery.envelope.text, delivery.attempt]);
      if (delivery.attempt === 1) held.push(delivery);
      else await delivery.ack();
    });
    await transport.put('calm-owl', message('later'));
    await waitFor(() => held.length === 1);
    // The receiver is idle now, blocked in XREADGROUP for up to a minute.
    const receiverName = key('receiver:calm-owl');
    await waitFor(
      async () =>
        (await redis.clientList()).some((client) => client.name === receiverName && client.cmd === 'xreadgroup'),
      {
        what: 'the receiver blocked in XREADGROUP',
      },
    );
    await held[0]!.retry('the sink was busy', 0);
    await waitFor(() => offers.length === 2, { what: 'the retried message', timeoutMs: 10_000 });
    expect(offers).toEqual([
      ['later', 1],
      ['later', 2],
    ]);
  });

  it('keeps presence as a key with a TTL that each announce renews', async () => {
    fresh();
    const transport = await connect({ presenceTtlMs: 60_000 });
    const now = new Date().toISOString();
    const record = {
      name: 'brave-fox',
      state: 'online' as const,
      pid: process.pid,
      host: hostname(),
      startedAt: now,
      lastSeen: now,
      data: { rooms: ['backend'] },
    };
    await transport.announce(record);
    const ttl = await redis.pTTL(key('presence:brave-fox'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await redis.pExpire(key('presence:brave-fox'), 5000);
    await transport.announce({ ...record, lastSeen: new Date().toISOString() });
    expect(await redis.pTTL(key('presence:brave-fox'))).toBeGreaterThan(5000);
    expect(await redis.sMembers(key('agents'))).toEqual(['brave-fox']);

    // An expired record leaves the name known (it may have an inbox), without presence.
    await redis.del(key('presence:brave-fox'));
    expect(await transport.agents()).toEqual([{ name: 'brave-fox' }]);
  });

  it(
    'announces an agent again as soon as it finds its inbox lock gone (Redis lost its data), not at ' +
      'its next heartbeat, and goes on receiving',
    async () => {
      fresh();
      const sink = new RecordingSink();
      const kernel = await compose({
        config: kernelConfig({ heartbeatMs: 3_600_000 }), // no heartbeat within this test
        transport: await connect({ minIdleMs: 600 }), // the lock is looked at every 200 ms
        sink,
        logger: silentLogger,
      });
      try {
        await kernel.bus.attach('calm-owl');
        const other = await connect();
        const online = async () =>
          (await other.agents()).some(({ name, presence }) => name === 'calm-owl' && presence?.state === 'online');
        expect(await online()).toBe(true);

        await deleteNamespace(url, namespace); // every key: presence, lock, inbox stream
        expect(await online()).toBe(false);
        await waitFor(online, { what: 'calm-owl announced again' });
        await other.put('calm-owl', message('after the data loss'));
        await waitFor(() => sink.received.length === 1, { what: 'delivery after the data loss' });
        expect(sink.received[0]!.text).toBe('after the data loss');
      } finally {
        await kernel.close();
      }
    },
  );

  it('lets an observer see every state with the envelope, without claiming anything', async () => {
    fresh();
    const watcher = await connect();
    const events: TrafficEvent[] = [];
    const stop = await watcher.observe((event) => events.push(event));
    const writer = await connect();
    const good = message('watched');
    await writer.put('calm-owl', good);
    await waitFor(() => events.length === 1);
    expect(await redis.xInfoGroups(key('inbox:calm-owl'))).toEqual([]); // no consumer group: nobody claimed it
    const poison = message('refused');
    await writer.put('calm-owl', poison);
    await writer.open('calm-owl', async (delivery) => {
      if (delivery.envelope.id === poison.id) await delivery.deadLetter('refused: test');
      else await delivery.ack();
    });
    await waitFor(() => events.filter((event) => event.state === 'done' || event.state === 'dead').length === 2, {
      what: 'done and dead events',
    });
    const of = (id: string) =>
      events.filter((event) => event.id === id).map((event) => [event.state, event.envelope?.text, event.reason]);
    expect(of(good.id)).toEqual([
      ['queued', 'watched', undefined],
      ['claimed', 'watched', undefined],
      ['done', 'watched', undefined],
    ]);
    expect(of(poison.id)).toEqual([
      ['queued', 'refused', undefined],
      ['claimed', 'refused', undefined],
      ['dead', 'refused', 'refused: test'],
    ]);
    await stop();
  });

  it('refuses the inbox while a receiver on another host holds it, and takes it once that lock lapses', async () => {
    fresh();
    const holder = { pid: 4242, host: 'other-machine', startedAt: new Date().toISOString(), token: 'x' };
    await redis.set(key('lock:calm-owl'), JSON.stringify(holder), { PX: 1500 });
    const transport = await connect({ minIdleMs: 1500 });
    const error = await transport
      .open('calm-owl', async (delivery) => delivery.ack())
      .catch((caught: unknown) => caught);
    expect(isCc2ccError(error, 'INBOX_LOCKED')).toBe(true);
    expect((error as Error).message).toMatch(
      /held by pid 4242 on host other-machine .* its lock lapses within 1500 ms/,
    );
    const inbox = await waitFor(() => transport.open('calm-owl', async (delivery) => delivery.ack()), {
      what: 'the lapsed lock',
      intervalMs: 100,
    });
    const lock = JSON.parse((await redis.get(key('lock:calm-owl')))!) as { pid: number; host: string };
    expect(lock).toMatchObject({ pid: process.pid, host: hostname() });
    await inbox.close();
    expect(await redis.exists(key('lock:calm-owl'))).toBe(0);
  });
});
