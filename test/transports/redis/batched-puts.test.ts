import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, type Envelope } from '../../../src/kernel/envelope.js';
import { isCc2ccError } from '../../../src/kernel/errors.js';
import type { Transport } from '../../../src/kernel/transport.js';
import type { RedisTransportOptions } from '../../../src/transports/redis/index.js';
import { waitFor } from '../../../src/testing/wait-for.js';
import {
  adminClient,
  deleteNamespace,
  OwnRedis,
  redisTransport,
  skipWithoutRedisServer,
  uniqueNamespace,
  useRedis,
} from './support.js';

const message = (text: string, from = 'brave-fox', to = 'calm-owl'): Envelope => createEnvelope({ from, to, text });

/** Issue 18: puts made together share one script call; putMany queues one envelope for many inboxes. */
describe('redis transport: batched puts and putMany', () => {
  const redis = useRedis();
  const namespaces: string[] = [];
  const opened: Transport[] = [];
  const connect = async (namespace: string, options: Partial<RedisTransportOptions> = {}) => {
    const transport = await redisTransport(redis.url, namespace, options);
    opened.push(transport);
    return transport;
  };
  const fresh = () => {
    const namespace = uniqueNamespace('batch');
    namespaces.push(namespace);
    return namespace;
  };
  /** Opens `agent` and collects what arrives, acking each. */
  const receive = async (transport: Transport, agent: string) => {
    const texts: string[] = [];
    await transport.open(agent, async (delivery) => {
      texts.push(delivery.envelope.text);
      await delivery.ack();
    });
    return texts;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((transport) => transport.close()));
    await Promise.all(namespaces.splice(0).map((namespace) => deleteNamespace(redis.url, namespace)));
  });

  it('putMany queues one envelope in each inbox; a bad name, full inbox or wrong key type refuses one', async () => {
    const namespace = fresh();
    const sender = await connect(namespace, { maxLen: 2 });
    await sender.put('full-owl', message('one'));
    await sender.put('full-owl', message('two'));
    const admin = await adminClient(redis.url);
    await admin.set(`cc2cc:${namespace}:inbox:wrong-owl`, 'not a stream');
    await admin.close();

    const envelope = message('to the room');
    const outcomes = await sender.putMany!(['calm-owl', 'full-owl', 'Bad-Name', 'wrong-owl', 'quiet-owl'], envelope);
    const statuses = outcomes.map((outcome) => outcome.status);
    expect(statuses).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    const reasons = outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as Error) : undefined));
    expect(isCc2ccError(reasons[1], 'INBOX_FULL')).toBe(true);
    expect(reasons[1]!.message).toContain(`message ${envelope.id} was not queued`);
    expect(isCc2ccError(reasons[2], 'INVALID_NAME')).toBe(true);
    expect(reasons[3]!.message).toMatch(/^WRONGTYPE/);
    expect(await sender.stats('full-owl')).toMatchObject({ queued: 2 });

    const receiver = await connect(namespace);
    const calm = await receive(receiver, 'calm-owl');
    const quiet = await receive(receiver, 'quiet-owl');
    await waitFor(() => calm.length === 1 && quiet.length === 1, { what: 'one copy in each inbox that took it' });
    expect([calm, quiet]).toEqual([['to the room'], ['to the room']]);
  });

  it('puts made together are checked one by one: a full inbox refuses the later, a too large one itself', async () => {
    const namespace = fresh();
    const sender = await connect(namespace, { maxLen: 3, maxBytes: 2048 });
    const texts = ['a', 'b', 'x'.repeat(4000), 'c', 'd', 'e'];
    const outcomes = await Promise.allSettled(texts.map((text) => sender.put('calm-owl', message(text))));
    const code = (outcome: PromiseSettledResult<void>) => (outcome.status === 'rejected' ? outcome.reason.code : 'ok');
    const codes = outcomes.map(code);
    expect(codes).toEqual(['ok', 'ok', 'ENVELOPE_TOO_LARGE', 'ok', 'INBOX_FULL', 'INBOX_FULL']);

    const received = await receive(await connect(namespace), 'calm-owl');
    await waitFor(() => received.length === 3, { what: 'the three that fitted' });
    expect(received).toEqual(['a', 'b', 'c']);
  });

  it('many concurrent puts from several transports arrive exactly once, each sender in order', async () => {
    const namespace = fresh();
    const names = ['brave-fox', 'bold-fox', 'keen-fox'];
    const senders = await Promise.all(names.map(async (name) => ({ name, transport: await connect(namespace) })));
    const perSender = 150;
    // Some puts leave at once, others while a batch is on its way: both paths are taken.
    await Promise.all(
      senders.map(async ({ name, transport }) => {
        const puts: Array<Promise<void>> = [];
        for (let i = 0; i < perSender; i++) {
          puts.push(transport.put('calm-owl', message(`${name} ${i}`, name)));
          if (i % 40 === 39) await puts[puts.length - 1];
        }
        await Promise.all(puts);
      }),
    );
    const received = await receive(await connect(namespace), 'calm-owl');
    await waitFor(() => received.length >= perSender * senders.length, { what: 'every message' });
    expect(new Set(received).size).toBe(received.length);
    for (const { name } of senders) {
      const own = received.filter((text) => text.startsWith(`${name} `)).map((text) => Number(text.split(' ')[1]));
      expect(own).toEqual(Array.from({ length: perSender }, (_, i) => i));
    }
  });
});

const ownServer = skipWithoutRedisServer('the batched puts on a server of their own');
describe.skipIf(ownServer)('redis transport: batched puts on a redis-server of its own', () => {
  let own: OwnRedis;
  beforeAll(async () => {
    own = await OwnRedis.start();
  });
  afterAll(async () => {
    await own?.stop();
  });

  /** Calls of one command on this server since the last CONFIG RESETSTAT (commandstats). */
  const calls = (stats: string, command: string) =>
    Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  /** Script calls and XADDs since the last CONFIG RESETSTAT. */
  const counted = async (admin: Awaited<ReturnType<typeof adminClient>>) => {
    const stats = await admin.info('commandstats');
    return { scripts: calls(stats, 'evalsha') + calls(stats, 'eval'), written: calls(stats, 'xadd') };
  };

  it('50 puts made at once and a putMany to 20 inboxes each cost one script call', async () => {
    const transport = await redisTransport(own.url, uniqueNamespace('trips'));
    const admin = await adminClient(own.url);
    try {
      await transport.put('calm-owl', message('first: the server learns the script'));
      await admin.configResetStat();

      const agent = (i: number) => (i % 2 ? 'calm-owl' : 'quiet-owl');
      await Promise.all(Array.from({ length: 50 }, (_, i) => transport.put(agent(i), message(`m${i}`))));
      expect(await counted(admin)).toEqual({ scripts: 1, written: 50 });

      await admin.configResetStat();
      const room = Array.from({ length: 20 }, (_, i) => `member-${i}`);
      const outcomes = await transport.putMany!(room, message('to the room', 'brave-fox', 'room:team'));
      expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
      expect(await counted(admin)).toEqual({ scripts: 1, written: 20 });
    } finally {
      await admin.close();
      await transport.close();
    }
  });

  it('Redis stopped while a batch waits for its answer: each sender hears its own message may be queued', async () => {
    const namespace = uniqueNamespace('stopped');
    const transport = await redisTransport(own.url, namespace, { opTimeoutMs: 1000 });
    const admin = await adminClient(own.url);
    try {
      await transport.put('calm-owl', message('before the stop'));
      own.pause();
      const single = message('one put');
      const room = message('to the room', 'brave-fox', 'room:team');
      const [put, many] = await Promise.all([
        transport.put('calm-owl', single).catch((error: unknown) => error as Error),
        transport.putMany!(['quiet-owl', 'bold-fox'], room),
      ]);
      const errors = [put as Error, ...many.map((outcome) => (outcome as PromiseRejectedResult).reason as Error)];
      expect(errors.map((error) => (error as { code?: string }).code)).toEqual(Array(3).fill('OUTCOME_UNKNOWN'));
      expect(errors.map((error) => error.message.split(':')[0])).toEqual([
        `message ${single.id} may or may not have been queued for "calm-owl"`,
        `message ${room.id} may or may not have been queued for "quiet-owl"`,
        `message ${room.id} may or may not have been queued for "bold-fox"`,
      ]);
      own.resume();
      // Redis runs what it was sent once it goes on: all three are queued, once each.
      await waitFor(async () => (await transport.stats('bold-fox')).queued === 1, { what: 'the batch after SIGCONT' });
      const inbox = (agent: string) => `cc2cc:${namespace}:inbox:${agent}`;
      const lengths = await Promise.all(['calm-owl', 'quiet-owl', 'bold-fox'].map((agent) => admin.xLen(inbox(agent))));
      expect(lengths).toEqual([2, 1, 1]);
    } finally {
      own.resume();
      await admin.close();
      await transport.close();
    }
  });

  it('agents listed by 16 callers at once cost one read; one asked after a put or an announce shows it', async () => {
    const transport = await redisTransport(own.url, uniqueNamespace('trips'));
    const admin = await adminClient(own.url);
    try {
      await transport.put('calm-owl', message('first'));
      await transport.agents(); // the server learns the script
      await admin.configResetStat();
      const listings = await Promise.all(Array.from({ length: 16 }, () => transport.agents()));
      expect(listings.every((listing) => listing.map((agent) => agent.name).join() === 'calm-owl')).toBe(true);
      expect(calls(await admin.info('commandstats'), 'evalsha')).toBe(1);

      await transport.put('new-owl', message('to a new inbox', 'brave-fox', 'new-owl'));
      expect((await transport.agents()).map((agent) => agent.name)).toEqual(['calm-owl', 'new-owl']);
      const lastSeen = new Date().toISOString();
      const record = { name: 'calm-owl', state: 'online', pid: 1, host: 'here', data: {} } as const;
      await transport.announce({ ...record, startedAt: lastSeen, lastSeen });
      expect((await transport.agents()).find((agent) => agent.name === 'calm-owl')?.presence?.lastSeen).toBe(lastSeen);
    } finally {
      await admin.close();
      await transport.close();
    }
  });
});
