import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/load.js';
import { createEnvelope } from '../../../src/kernel/envelope.js';
import { isCc2ccError } from '../../../src/kernel/errors.js';
import { silentLogger } from '../../../src/kernel/logger.js';
import type { Transport } from '../../../src/kernel/transport.js';
import { createTransport } from '../../../src/transports/registry.js';
import { runCli, spawnNode, startReceiver, type Captured } from '../../cli/process-helpers.js';
import { waitFor } from '../../../src/testing/wait-for.js';
import { REDIS_TRANSPORT_DEFAULTS } from '../../../src/transports/redis/options.js';
import { adminClient, freePort, OwnRedis, redisTransport, skipWithoutRedisServer, uniqueNamespace } from './support.js';

const SENDER = resolve(import.meta.dirname, '../../fixtures/sender.mjs');
const DIST_REDIS = pathToFileURL(resolve(import.meta.dirname, '../../../dist/src/transports/redis/index.js')).href;

const folders: string[] = [];
const children: Captured[] = [];
const transports: Transport[] = [];

async function tempFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cc2cc-redis-test-'));
  folders.push(dir);
  return dir;
}

async function connect(...args: Parameters<typeof redisTransport>): Promise<Transport> {
  const transport = await redisTransport(...args);
  transports.push(transport);
  return transport;
}

afterEach(async () => {
  for (const { child } of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('redis transport: Redis unreachable at start', () => {
  it('fails within the connect bound with TRANSPORT_UNAVAILABLE naming the URL, never its password', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await redisTransport(`redis://cc2cc:s3cret@127.0.0.1:${port}`, 'unreachable', {
      connectTimeoutMs: 1000,
    }).catch((caught: unknown) => caught);
    expect(isCc2ccError(error, 'TRANSPORT_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain(`cannot reach Redis at redis://cc2cc:***@127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain('s3cret');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('says so through the config and the command line', async () => {
    const project = await tempFolder();
    const url = `redis://127.0.0.1:${await freePort()}`;
    const transport = { use: 'redis', url, connectTimeoutMs: 1000 };
    const config = resolveConfig({ transport }, { projectDir: project });
    await expect(createTransport(config, silentLogger)).rejects.toMatchObject({
      code: 'TRANSPORT_UNAVAILABLE',
      message: expect.stringContaining(url),
    });

    await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ agents: ['calm-owl'], transport }));
    const sent = await runCli(['send', 'calm-owl', 'hi', '--from', 'brave-fox'], project);
    expect(sent.code).not.toBe(0);
    expect(sent.stderr).toContain(`TRANSPORT_UNAVAILABLE: cannot reach Redis at ${url}`);
  });
});

describe.skipIf(skipWithoutRedisServer('the Redis failure tests'))(
  'redis transport: failures, on a redis-server of its own',
  () => {
    let redis: OwnRedis;
    beforeAll(async () => {
      redis = await OwnRedis.start();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('rides out a Redis restart (append-only on): every message whose put succeeded is delivered', async () => {
      const namespace = uniqueNamespace('restart');
      const receiver = await connect(redis.url, namespace, { opTimeoutMs: 30_000 });
      const sender = await connect(redis.url, namespace, { opTimeoutMs: 30_000 });
      const received = new Set<string>();
      await receiver.open('calm-owl', async (delivery) => {
        received.add(delivery.envelope.id);
        await delivery.ack();
      });
      const total = 300;
      const succeeded: string[] = [];
      const failed: string[] = [];
      // The sender stops at message 100 until the server is down, so puts happen both before
      // and after the restart on any machine (a fast sender could otherwise finish first).
      let serverDown!: () => void;
      const down = new Promise<void>((resolve) => (serverDown = resolve));
      const sending = (async () => {
        for (let i = 0; i < total; i++) {
          if (i === 100) await down;
          const envelope = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: `n${i}` });
          try {
            await sender.put('calm-owl', envelope);
            succeeded.push(envelope.id);
          } catch (error) {
            failed.push(`${envelope.id}: ${String(error)}`);
          }
        }
      })();
      await waitFor(() => succeeded.length >= 100, { what: '100 messages before the restart' });
      const before = redis.pid;
      await redis.halt();
      const sentBeforeRestart = succeeded.length;
      serverDown();
      await redis.startAgain();
      await sending;

      // The restart really was mid-run: a new server process, and puts before and after it.
      expect(redis.pid).not.toBe(before);
      expect(sentBeforeRestart).toBe(100);
      expect(succeeded.length).toBe(total);
      expect(failed).toEqual([]);
      await waitFor(() => succeeded.every((id) => received.has(id)), {
        timeoutMs: 30_000,
        what: 'every message whose put succeeded',
      });
      await waitFor(
        async () => {
          const stats = await sender.stats('calm-owl');
          return stats.queued === 0 && stats.claimed === 0 && stats.done === total;
        },
        { what: 'an empty inbox and every id done' },
      );
    });

    it(
      'a receiving process killed with SIGKILL mid-run, then restarted: 1,000 sent, 1,000 delivered, 0 lost; ' +
        'repeated only what was handed over and not yet recorded as done (at most the ack window)',
      async () => {
        const namespace = uniqueNamespace('sigkill');
        const project = await tempFolder();
        await writeFile(
          join(project, '.cc2ccrc.json'),
          JSON.stringify({
            agents: ['calm-owl', 'brave-fox'],
            transport: { use: 'redis', url: redis.url, namespace },
            logLevel: 'warn',
          }),
        );
        const receiver = () => {
          const started = startReceiver(project, 'calm-owl');
          children.push(started);
          return started;
        };
        const first = receiver();
        expect(await first.ready()).toMatchObject({ event: 'ready' });
        const sender = spawnNode([SENDER, project, 'brave-fox', 'calm-owl', '1000'], project);
        children.push(sender);
        await waitFor(() => first.messages().length >= 200, {
          timeoutMs: 60_000,
          what: '200 messages at the first receiver',
        });
        first.child.kill('SIGKILL');
        await first.exited;
        // Every line the first receiver printed before it died (its pipe may still hold some).
        if (!first.child.stdout!.closed) await once(first.child.stdout!, 'close');
        await new Promise((resolveLater) => setImmediate(resolveLater));
        // What Redis had recorded as done when the receiver died: only messages handed over and
        // not yet recorded may come again, and the ack window bounds how many those are.
        const admin = await adminClient(redis.url);
        const doneAtKill = new Set(await admin.zRange(`cc2cc:${namespace}:done:calm-owl`, 0, -1));
        await admin.close();
        const handedOverAtKill = new Set(first.messages().map((message) => String(message.id)));
        const unrecorded = [...handedOverAtKill].filter((id) => !doneAtKill.has(id));
        expect(unrecorded.length).toBeLessThanOrEqual(REDIS_TRANSPORT_DEFAULTS.ackWindow);

        const second = receiver();
        expect(await second.ready()).toMatchObject({ event: 'ready' });
        expect(await sender.exited).toBe(0);
        const ids = () => new Set([...first.messages(), ...second.messages()].map((message) => message.id));
        await waitFor(() => ids().size === 1000, {
          timeoutMs: 60_000,
          what: '1,000 distinct messages over both receivers',
        });
        const texts = new Set([...first.messages(), ...second.messages()].map((message) => message.text));
        expect(texts).toEqual(new Set(Array.from({ length: 1000 }, (_, i) => `brave-fox-${i}`)));
        // Handed over twice: only what the first receiver had handed over and Redis had not recorded as done.
        const repeated = second.messages().filter((message) => handedOverAtKill.has(String(message.id)));
        expect(repeated.map((message) => String(message.id)).filter((id) => doneAtKill.has(id))).toEqual([]);
        expect(repeated.length).toBeLessThanOrEqual(unrecorded.length);
        const observer = await connect(redis.url, namespace);
        await waitFor(
          async () => {
            const stats = await observer.stats('calm-owl');
            return stats.queued === 0 && stats.claimed === 0 && stats.done === 1000;
          },
          { what: 'every message acked' },
        );
      },
    );

    it(
      'a consumer killed mid-delivery on "another machine": its entry is claimed after minIdleMs ' +
        'and delivered first',
      async () => {
        const namespace = uniqueNamespace('claim');
        const minIdleMs = 1500;
        const dir = await tempFolder();
        const script = join(dir, 'holder.mjs');
        await writeFile(
          script,
          `import { createRedisTransport } from ${JSON.stringify(DIST_REDIS)};
const [url, namespace, minIdleMs] = process.argv.slice(2);
const logger = { debug() {}, info() {}, warn() {}, error: (m) => process.stderr.write(m + '\\n') };
const transport = await createRedisTransport({
  url, namespace, logger, consumer: 'machine-a', minIdleMs: Number(minIdleMs),
});
await transport.open('calm-owl', async (delivery) => process.stdout.write('claimed ' + delivery.envelope.id + '\\n'));
process.stdout.write('ready\\n');
`,
        );
        const local = await connect(redis.url, namespace, { consumer: 'machine-b', minIdleMs });
        const first = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: 'taken by machine-a' });
        await local.put('calm-owl', first);

        const holder = spawn(process.execPath, [script, redis.url, namespace, String(minIdleMs)], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        const lines: string[] = [];
        createInterface({ input: holder.stdout! }).on('line', (line) => lines.push(line));
        await waitFor(() => lines.includes(`claimed ${first.id}`), { what: 'machine-a to take the message' });
        const claimedAt = Date.now();
        holder.kill('SIGKILL');
        await once(holder, 'exit');

        const second = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: 'queued after' });
        await local.put('calm-owl', second);
        const offers: Array<{ id: string; attempt: number; at: number }> = [];
        await local.open('calm-owl', async (delivery) => {
          offers.push({ id: delivery.envelope.id, attempt: delivery.attempt, at: Date.now() });
          await delivery.ack();
        });
        await waitFor(() => offers.length === 2, { what: 'both messages at machine-b' });
        expect(offers.map((offer) => [offer.id, offer.attempt])).toEqual([
          [first.id, 2],
          [second.id, 1],
        ]);
        // Redis measures idle time from machine-a's read, a little before we saw its line.
        expect(offers[0]!.at - claimedAt).toBeGreaterThanOrEqual(minIdleMs - 250);
        expect(await local.stats('calm-owl')).toMatchObject({ queued: 0, claimed: 0, done: 2 });
      },
    );
  },
);
