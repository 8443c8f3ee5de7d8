import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createEnvelope, type Envelope } from '../../../src/kernel/envelope.js';
import { Cc2ccError } from '../../../src/kernel/errors.js';
import type { Logger } from '../../../src/kernel/logger.js';
import type { Transport } from '../../../src/kernel/transport.js';
import { RedisKeys } from '../../../src/transports/redis/keys.js';
import { waitFor } from '../../../src/testing/wait-for.js';
import { DELIVERY_TIMEOUT_MS, makeProject, selfWake, startAgent } from '../../mcp/support.js';
import { FaultTable } from '../../reliability/support/faults.js';
import { adminClient, freePort, OwnRedis, redisTransport, skipWithoutRedisServer, uniqueNamespace } from './support.js';

/**
 * Faults of the Redis transport (issue 15), on a redis-server of the test's own: what a
 * sender is told when Redis is stopped, down or answers "not now" is the truth. A send
 * reported as not queued never shows up in the inbox later, one whose answer was lost is
 * reported as unknown, a send in a known outage fails at once with a reason, and a
 * `cc2cc serve` started while Redis is down connects and says so. Each scenario adds a
 * row to the faults table of docs/reliability.md (scenario `faults-redis`).
 */
const FAULTS = [
  'Redis stopped (SIGSTOP) while a send waits for its answer',
  'Redis down (stopped, then started again) during sends',
  'Redis loading its data set after a restart (LOADING)',
  'Redis busy in a long script (BUSY)',
  'Redis at maxmemory with noeviction (OOM)',
  'Redis down when `cc2cc serve` starts',
  'an ack refused after the push (`push` mode)',
] as const;
const table = new FaultTable([...FAULTS]);

afterAll(async () => {
  await table.record(
    'faults-redis',
    'Faults around the Redis transport',
    [
      'Each row is a fault done to a real redis-server (SIGSTOP, SIGTERM and a restart, a slow ' +
        'load, a spinning script, maxmemory, an ACL that refuses the ack) while transports and ' +
        '`cc2cc serve` processes use it.',
      '"messages" counts the sends that were not refused as not queued (queued, or reported ' +
        'unknown); nothing is lost, and "pushed twice" counts messages handed over more than once ' +
        '(there must be none).',
    ],
    'npm run build && npx vitest run test/transports/redis/faults.test.ts',
  );
});

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function ownRedis(args: string[] = []): Promise<OwnRedis> {
  const redis = await OwnRedis.start(args);
  cleanups.push(() => redis.stop());
  return redis;
}

async function connect(...args: Parameters<typeof redisTransport>): Promise<Transport> {
  const transport = await redisTransport(...args);
  cleanups.push(() => transport.close());
  return transport;
}

async function admin(url: string) {
  const client = await adminClient(url);
  cleanups.push(() => client.close());
  return client;
}

function message(text: string): Envelope {
  return createEnvelope({ from: 'brave-fox', to: 'calm-owl', text });
}

/** The envelope ids in an inbox stream, in order. */
async function streamIds(url: string, namespace: string): Promise<string[]> {
  const client = await admin(url);
  const entries = await client.xRange(new RedisKeys(namespace).inbox('calm-owl'), '-', '+');
  return (entries ?? []).map((entry) => (JSON.parse(entry.message.envelope as string) as Envelope).id);
}

/** Sends until one is queued; each failure must say it was not queued (so it cannot show up later). */
async function sendOnceBack(
  sender: Transport,
  envelope: Envelope,
  notNow = /^(TRANSPORT_UNAVAILABLE|REDIS_LOADING)$/,
): Promise<void> {
  await waitFor(
    async () => {
      try {
        await sender.put('calm-owl', envelope);
        return true;
      } catch (error) {
        expect(error).toMatchObject({ code: expect.stringMatching(notNow) });
        return false;
      }
    },
    { timeoutMs: 30_000, what: 'a send to succeed once Redis is back' },
  );
}

/** Opens the inbox of calm-owl and returns the ids delivered once `count` have come. */
async function receiveAll(url: string, namespace: string, count: number): Promise<string[]> {
  const received: string[] = [];
  const receiver = await connect(url, namespace);
  await receiver.open('calm-owl', async (delivery) => {
    received.push(delivery.envelope.id);
    await delivery.ack();
  });
  await waitFor(() => received.length >= count, { what: `${count} delivered` });
  return received;
}

/** How many ids were handed over more than once. */
function twice(ids: string[]): number {
  return ids.length - new Set(ids).size;
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (text: string) => lines.push(`${level}: ${text}`);
  return { lines, debug() {}, info: log('info'), warn: log('warn'), error: log('error') };
}

describe.skipIf(skipWithoutRedisServer('the Redis outcome tests'))(
  'redis transport: honest outcomes when Redis is stopped, down or busy',
  () => {
    it(
      'Redis stopped (SIGSTOP) during a send: "unknown", later sends fail at once unsent, and ' +
        'after SIGCONT the message is in the stream once',
      async () => {
        const redis = await ownRedis();
        const namespace = uniqueNamespace('stopped');
        const sender = await connect(redis.url, namespace, { opTimeoutMs: 1000 });
        const before = message('before the stop');
        await sender.put('calm-owl', before);

        redis.pause();
        const stuck = message('sent while Redis is stopped');
        const unknown = await sender.put('calm-owl', stuck).catch((error: unknown) => error);
        expect(unknown).toMatchObject({ code: 'OUTCOME_UNKNOWN', retryable: false });
        expect((unknown as Error).message).toContain(
          `message ${stuck.id} may or may not have been queued for "calm-owl"`,
        );
        expect((unknown as Error).message).toContain('Do not send it again blindly');

        // Redis has not answered the first one: the next send is not even written, so "not queued" is certain.
        const refused = await sender
          .put('calm-owl', message('sent while the first is unanswered'))
          .catch((error: unknown) => error);
        expect(refused).toMatchObject({ code: 'TRANSPORT_UNAVAILABLE', data: { attempts: 0 } });
        expect((refused as Error).message).toMatch(
          /did not run.*has not answered a command for [\d.]+ s \(is redis-server stopped/,
        );

        redis.resume();
        const after = message('after SIGCONT');
        await sendOnceBack(sender, after);
        // The unknown one did run (Redis read it before it stopped answering); the refused one never did.
        expect(await streamIds(redis.url, namespace)).toEqual([before.id, stuck.id, after.id]);

        const received: string[] = [];
        const receiver = await connect(redis.url, namespace);
        await receiver.open('calm-owl', async (delivery) => {
          received.push(delivery.envelope.id);
          await delivery.ack();
        });
        await waitFor(() => received.length === 3, { what: 'the three queued messages' });
        expect(received).toEqual([before.id, stuck.id, after.id]);
        table.add(
          FAULTS[0],
          '`unknown: … may or may not have been queued` for that send (it was, and is delivered ' +
            'once); later sends fail at once as not queued until Redis answers',
          3,
          new Set(received).size,
          twice(received),
        );
      },
    );

    it(
      'Redis down: a send is refused as not queued and never runs when Redis is back (no offline ' +
        'queue); later sends in the outage fail at once; logs give the reason',
      async () => {
        const redis = await ownRedis();
        const namespace = uniqueNamespace('down');
        const logger = recordingLogger();
        const senderLog = recordingLogger();
        const sender = await connect(redis.url, namespace, { opTimeoutMs: 1000, logger: senderLog });
        const receiver = await connect(redis.url, namespace, { logger });
        const received: string[] = [];
        await receiver.open('calm-owl', async (delivery) => {
          received.push(delivery.envelope.id);
          await delivery.ack();
        });
        const before = message('before the outage');
        await sender.put('calm-owl', before);
        await waitFor(() => received.length === 1, { what: 'the first message' });

        await redis.halt();
        // A send racing the close itself would be written to a dying socket: "unknown" would be the honest answer then.
        await waitFor(() => senderLog.lines.some((line) => line.includes('lost the connection to Redis')), {
          what: 'the sender to notice the outage',
        });
        const lost = message('sent while Redis is down');
        const refused = await sender.put('calm-owl', lost).catch((error: unknown) => error);
        expect(refused).toMatchObject({ code: 'TRANSPORT_UNAVAILABLE', retryable: true });
        expect((refused as Error).message).toContain(
          `could not queue message ${lost.id} for "calm-owl" (it did not run: nothing was changed)`,
        );
        expect((refused as Error).message).toMatch(
          /is unreachable( for [\d.]+ s)? \(\S[^)]*\); cc2cc reconnects in the background/,
        );

        // The outage has already lasted opTimeoutMs: the next send does not wait again.
        const fast = await sender.put('calm-owl', message('later in the outage')).catch((error: unknown) => error);
        expect(fast).toMatchObject({ code: 'TRANSPORT_UNAVAILABLE', data: { attempts: 0 } });
        expect((fast as Error).message).toMatch(/is unreachable for [\d.]+ s \(\S/);

        await waitFor(() => logger.lines.some((line) => line.includes('receiving for "calm-owl" failed')), {
          what: 'the receiver to report the outage',
        });
        for (const line of logger.lines.filter((entry) => entry.includes('failed:')))
          expect(line).toMatch(/failed: \S.*; trying again$/);

        await redis.startAgain();
        const after = message('after the outage');
        await sendOnceBack(sender, after);
        await waitFor(() => received.length === 2, { what: 'the message sent after the outage' });
        expect(received).toEqual([before.id, after.id]);
        expect(await streamIds(redis.url, namespace)).toEqual([]);
        expect(await receiver.stats('calm-owl')).toMatchObject({ queued: 0, claimed: 0, done: 2 });
        table.add(
          FAULTS[1],
          '`refused: TRANSPORT_UNAVAILABLE … (it did not run)` with the reason, after opTimeoutMs ' +
            'for the first send and at once for the rest; never run later',
          2,
          new Set(received).size,
          twice(received),
        );
      },
    );

    it('Redis loading its data after a restart: LOADING becomes REDIS_LOADING (retryable), and a ' +
      'send with time to wait gets through once loaded', async () => {
      // 12,000 keys at 250 µs each: the restarted server answers -LOADING for a few seconds, and
      // answers at all every KiB loaded (by default only every 2 MB: it would look stopped).
      const redis = await ownRedis(['--key-load-delay', '250', '--loading-process-events-interval-bytes', '1024']);
      const namespace = uniqueNamespace('loading');
      const setup = await admin(redis.url);
      await setup.eval("for i = 1, 12000 do redis.call('SET', 'filler:' .. i, 'x') end", { keys: [], arguments: [] });
      const rewrites = async () => {
        const info = await setup.info('persistence');
        return /aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)
          ? Number(/aof_rewrites:(\d+)/.exec(info)![1])
          : -1;
      };
      const before = await rewrites();
      await setup.sendCommand(['BGREWRITEAOF']);
      await waitFor(async () => (await rewrites()) > before, {
        what: 'the append-only file rewritten with the filler keys',
      });
      const impatient = await connect(redis.url, namespace, { opTimeoutMs: 200 });
      const patient = await connect(redis.url, namespace, { opTimeoutMs: 60_000 });

      await redis.restart({ untilLoading: true });

      // Until its client has reconnected a send is refused as not queued; then Redis says LOADING.
      let loading: unknown;
      let early: Envelope;
      await waitFor(
        async () => {
          early = message('sent while loading, no time to wait');
          loading = await impatient.put('calm-owl', early).then(
            () => 'queued',
            (error: unknown) => error,
          );
          return !(
            loading instanceof Cc2ccError &&
            loading.code === 'TRANSPORT_UNAVAILABLE' &&
            loading.message.includes('it did not run')
          );
        },
        { what: 'an answer from the restarted Redis' },
      );
      expect(loading).toMatchObject({ code: 'REDIS_LOADING', retryable: true });
      expect((loading as Error).message).toContain(
        `could not queue message ${early!.id} for "calm-owl": Redis at ${redis.url} is loading its data set`,
      );

      const waited = message('sent while loading, with time to wait');
      await patient.put('calm-owl', waited);
      expect(await streamIds(redis.url, namespace)).toEqual([waited.id]);
      const received = await receiveAll(redis.url, namespace, 1);
      expect(received).toEqual([waited.id]);
      table.add(
        FAULTS[2],
        'a send waits up to opTimeoutMs, then `refused: REDIS_LOADING … wait for it`',
        1,
        new Set(received).size,
        twice(received),
      );
    }, 60_000);

    it(
      'Redis busy in a long script: BUSY becomes REDIS_BUSY (retryable), and a waiting send gets ' +
        'through after SCRIPT KILL, once',
      async () => {
        const redis = await ownRedis(['--lua-time-limit', '50']); // busy-reply-threshold since Redis 7
        const namespace = uniqueNamespace('busy');
        const impatient = await connect(redis.url, namespace, { opTimeoutMs: 200 });
        const patient = await connect(redis.url, namespace, { opTimeoutMs: 60_000 });
        const spinner = await admin(redis.url);
        const killer = await admin(redis.url);
        const spinning = spinner
          .eval('while true do end', { keys: [], arguments: [] })
          .catch((error: Error) => error.message);
        await waitFor(async () => /^BUSY/.test(await killer.ping().catch((error: Error) => error.message)), {
          what: 'Redis to answer BUSY',
        });

        const early = message('sent while busy, no time to wait');
        const busy = await impatient.put('calm-owl', early).catch((error: unknown) => error);
        expect(busy).toMatchObject({ code: 'REDIS_BUSY', retryable: true });
        expect((busy as Error).message).toContain('is busy running a long script or function (BUSY)');
        expect((busy as Error).message).toContain('SCRIPT KILL');

        const waited = message('sent while busy, with time to wait');
        const sending = patient.put('calm-owl', waited);
        await killer.sendCommand(['SCRIPT', 'KILL']);
        expect(await spinning).toMatch(/killed/i);
        await sending;
        expect(await streamIds(redis.url, namespace)).toEqual([waited.id]);
        const received = await receiveAll(redis.url, namespace, 1);
        expect(received).toEqual([waited.id]);
        table.add(
          FAULTS[3],
          'a send waits up to opTimeoutMs, then `refused: REDIS_BUSY … SCRIPT KILL`',
          1,
          new Set(received).size,
          twice(received),
        );
      },
    );

    it(
      'Redis at maxmemory (noeviction): OOM becomes REDIS_OUT_OF_MEMORY with what to do, ' +
        'receivers still drain the inbox, and sends work once maxmemory is raised',
      async () => {
        const redis = await ownRedis();
        const namespace = uniqueNamespace('oom');
        const sender = await connect(redis.url, namespace);
        const setup = await admin(redis.url);
        // A receiver that is already running holds every message until Redis is full.
        const received: string[] = [];
        let open!: () => void;
        const gate = new Promise<void>((resolve) => (open = resolve));
        const receiver = await connect(redis.url, namespace);
        await receiver.open('calm-owl', async (delivery) => {
          received.push(delivery.envelope.id);
          await gate;
          await delivery.ack();
        });
        const queued: string[] = [];
        for (let i = 0; i < 3; i++) {
          const envelope = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: `${i} ${'x'.repeat(20_000)}` });
          await sender.put('calm-owl', envelope);
          queued.push(envelope.id);
        }
        // Now it is full: maxmemory far below what it uses (a failed check must not leave the handler waiting).
        cleanups.push(async () => open());
        await setup.configSet({ 'maxmemory-policy': 'noeviction', maxmemory: '1' });
        const refused = await sender.put('calm-owl', message('one too many')).catch((error: unknown) => error);
        expect(refused, String(refused)).toMatchObject({ code: 'REDIS_OUT_OF_MEMORY', retryable: true });
        expect((refused as Error).message).toMatch(/reached its maxmemory and refuses writes \(OOM.*Raise maxmemory/);

        // Acks at maxmemory still go through: nothing queued is stuck.
        open();
        await waitFor(() => received.length === queued.length, { what: 'every queued message delivered at maxmemory' });
        expect(received).toEqual(queued);
        await waitFor(async () => (await receiver.stats('calm-owl')).done === queued.length, {
          what: 'every message acked at maxmemory',
        });
        // What the message says to do: with more room, sends go through again.
        await setup.configSet({ maxmemory: '0' });
        const again = message('after maxmemory was raised');
        await sender.put('calm-owl', again);
        await waitFor(() => received.includes(again.id), { what: 'a send after the drain' });
        table.add(
          FAULTS[4],
          '`refused: REDIS_OUT_OF_MEMORY … Raise maxmemory` at once; running receivers still drain their inboxes',
          queued.length + 1,
          new Set(received).size,
          twice(received),
        );
      },
    );
  },
);

describe.skipIf(skipWithoutRedisServer('the Redis serve fault tests'))(
  'cc2cc serve on Redis: start-up outage, a refused ack',
  () => {
    it('Redis down at start-up: serve connects to its client, tells the agent the bus is ' +
      'unreachable, and works once Redis is started', async () => {
      const port = await freePort();
      const url = `redis://127.0.0.1:${port}`;
      const namespace = uniqueNamespace('late');
      const project = await makeProject({
        agents: ['calm-owl', 'brave-fox'],
        transport: { use: 'redis', url, namespace, connectTimeoutMs: 500 },
      });

      // No redis-server yet: the MCP connection still comes up (it used to close at once).
      const agent = await startAgent(project, ['--name', 'calm-owl']);
      const wake = await selfWake(agent);
      expect(wake.meta).toMatchObject({ kind: 'system', bus: 'unreachable' });
      expect(wake.content).toContain('cc2cc: you are calm-owl. the message bus is unreachable');
      expect(wake.content).toContain(`cannot reach Redis at ${url}`);
      const early = await agent.call('send', { to: 'brave-fox', text: 'too early' });
      expect(early.isError).toBe(true);
      expect(early.text).toMatch(
        /TRANSPORT_UNAVAILABLE: nothing was done: the message bus is unreachable \(.*cannot reach Redis/,
      );
      expect((await agent.call('list_agents')).text).toContain('cc2cc: the message bus is unreachable');

      const redis = await OwnRedis.start([], port);
      cleanups.push(() => redis.stop());
      const back = await agent.waitForPush(
        (push) => push.content.includes('reachable again'),
        DELIVERY_TIMEOUT_MS,
        'the "bus is back" push',
      );
      expect(back.meta).toMatchObject({ kind: 'system', to: 'calm-owl' });

      const sender = await connect(url, namespace);
      const envelope = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: 'now it works' });
      await sender.put('calm-owl', envelope);
      const delivered = await agent.waitForPush(
        (push) => push.meta.id === envelope.id,
        DELIVERY_TIMEOUT_MS,
        'the message sent once Redis is up',
      );
      expect(delivered.content).toBe('now it works');
      const sent = await agent.call('send', { to: 'brave-fox', text: 'and back' });
      expect(sent.isError).toBe(false);
      expect(sent.text).toMatch(/brave-fox: offline \(queued\)/);
      expect(sent.text).not.toContain('unreachable');
      const pushed = agent.pushes.filter((push) => push.meta.kind !== 'system').map((push) => push.meta.id!);
      table.add(
        FAULTS[5],
        'the self-wake and every tool result say the bus is unreachable and why; a push says when it is back',
        1,
        pushed.length,
        twice(pushed),
      );
    }, 60_000);

    it('push mode, the ack refused after the push (an ACL denies the done set): each message is ' +
      'pushed once, acked once allowed, no failed receipt', async () => {
      const redis = await ownRedis();
      const namespace = uniqueNamespace('ack');
      const prefix = `cc2cc:${namespace}:`;
      const acl = await admin(redis.url);
      // The server of bob may read its done set but not write it: every ack fails (NOPERM, before anything ran).
      await acl.sendCommand([
        'ACL',
        'SETUSER',
        'bob',
        'on',
        '>secret',
        'resetkeys',
        `~${prefix}inbox:*`,
        `~${prefix}dead:*`,
        `~${prefix}lock:*`,
        `~${prefix}presence:*`,
        `~${prefix}agents`,
        `%R~${prefix}done:*`,
        '&*',
        '+@all',
      ]);
      const project = await makeProject({
        agents: ['bob', 'alice'],
        retryDelayMs: 50,
        maxAttempts: 2,
        transport: { use: 'redis', url: `redis://bob:secret@127.0.0.1:${redis.port}`, namespace },
      });
      const bob = await startAgent(project, ['--name', 'bob', '--delivery', 'push']);
      await selfWake(bob);
      const sender = await connect(redis.url, namespace);
      const sent: Envelope[] = [];
      for (const text of ['one', 'two', 'three']) {
        const envelope = createEnvelope({ from: 'alice', to: 'bob', text });
        await sender.put('bob', envelope);
        sent.push(envelope);
      }
      // Before the fix: pushed again until maxAttempts, then dead-lettered with a "failed" receipt to alice.
      await waitFor(
        async () =>
          (bob.stderr.match(/could not acknowledge/g)?.length ?? 0) >= 3 || (await sender.stats('bob')).dead > 0,
        {
          what: 'three failed acks',
          timeoutMs: DELIVERY_TIMEOUT_MS,
        },
      );
      await acl.sendCommand(['ACL', 'SETUSER', 'bob', `~${prefix}done:*`]);
      await waitFor(
        async () => {
          const stats = await sender.stats('bob');
          return stats.done === 3 || stats.dead > 0;
        },
        { what: 'all three acknowledged', timeoutMs: DELIVERY_TIMEOUT_MS },
      );
      expect(await sender.stats('bob')).toMatchObject({ queued: 0, claimed: 0, done: 3, dead: 0 });
      const pushed = bob.pushes.filter((push) => push.meta.kind !== 'system');
      expect(pushed.map((push) => push.content)).toEqual(['one', 'two', 'three']);
      expect(bob.stderr).toContain('NOPERM');
      // No "failed" receipt went to the sender.
      expect(await sender.stats('alice')).toMatchObject({ queued: 0, claimed: 0 });
      const ids = pushed.map((push) => push.meta.id!);
      expect(ids).toEqual(sent.map((envelope) => envelope.id));
      table.add(
        FAULTS[6],
        'a warning on stderr per failed ack (with the NOPERM reason); each message is pushed once ' +
          'and acked once Redis takes it; no `failed` receipt',
        3,
        ids.length,
        twice(ids),
      );
    }, 60_000);
  },
);
