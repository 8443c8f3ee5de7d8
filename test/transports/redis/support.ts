import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient } from 'redis';
import { afterAll, beforeAll } from 'vitest';
import { silentLogger } from '../../../src/kernel/logger.js';
import { createRedisTransport, type RedisTransportOptions } from '../../../src/transports/redis/index.js';
import type { TransportFixture } from '../../../src/testing/transport-contract.js';
import { waitFor } from '../../../src/testing/wait-for.js';

/**
 * Where the Redis tests get their server: `CC2CC_REDIS_URL` (`.ci/run` starts one and sets
 * it). Unset, they are skipped with a notice; under `CI=true` that is a failure instead.
 */
export const REDIS_URL = process.env.CC2CC_REDIS_URL?.trim() || undefined;
const IN_CI = process.env.CI === 'true';

/** True when the tests that need `CC2CC_REDIS_URL` must be skipped (after saying why). */
export function skipWithoutRedisUrl(what: string): boolean {
  if (REDIS_URL) return false;
  if (IN_CI)
    throw new Error(
      `CI=true but CC2CC_REDIS_URL is not set: ${what} must run in CI (.ci/run starts a redis-server and sets it)`,
    );
  console.warn(
    `cc2cc: skipping ${what}: no Redis configured. Start one (redis-server --port 6379) and run ` +
      `with CC2CC_REDIS_URL=redis://127.0.0.1:6379`,
  );
  return true;
}

/** True when `redis-server` is not installed (after saying why); under `CI=true` a failure instead. */
export function skipWithoutRedisServer(what: string): boolean {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0) return false;
  if (IN_CI)
    throw new Error(
      `CI=true but redis-server is not installed: ${what} must run in CI (apt-get install -y redis-server)`,
    );
  console.warn(`cc2cc: skipping ${what}: redis-server is not installed (apt-get install -y redis-server)`);
  return true;
}

export function uniqueNamespace(label = 'test'): string {
  return `${label}-${randomBytes(6).toString('hex')}`;
}

/** A transport on `url` + `namespace` with quiet logs; options override the rest. */
export function redisTransport(url: string, namespace: string, options: Partial<RedisTransportOptions> = {}) {
  return createRedisTransport({ url, namespace, logger: silentLogger, ...options });
}

/** Deletes every key of one namespace (tests only: SCAN over the keyspace). */
export async function deleteNamespace(url: string, namespace: string): Promise<void> {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `cc2cc:${namespace}:*`, COUNT: 1000 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    await client.close();
  }
}

/**
 * The contract fixture: one namespace per test is the shared store; each connect() a new
 * "process". `url` is read when a test starts (useRedis() knows it only then).
 */
export function redisFixture(
  url: () => string,
  options: Partial<RedisTransportOptions> = {},
): () => Promise<TransportFixture> {
  return async () => {
    const namespace = uniqueNamespace('contract');
    return {
      connect: () => redisTransport(url(), namespace, options),
      cleanup: () => deleteNamespace(url(), namespace),
      // A receiver on another machine, as after this one's lock lapsed.
      async takeOver(agent) {
        const admin = await adminClient(url());
        const other = { pid: 4242, host: 'machine-b', startedAt: new Date().toISOString(), token: 'b' };
        await admin.set(`cc2cc:${namespace}:lock:${agent}`, JSON.stringify(other), { PX: 60_000 });
        await admin.close();
      },
      async dropLock(agent) {
        const admin = await adminClient(url());
        await admin.del(`cc2cc:${namespace}:lock:${agent}`);
        await admin.close();
      },
      process: {
        opener: pathToFileURL(join(import.meta.dirname, '../../fixtures/state-redis.mjs')).href,
        options: { url: url(), namespace, ...options },
      },
    };
  };
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** The first line a Redis on this loopback port answers to PING (`+PONG`, `-LOADING ...`), or undefined. */
function pingReply(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (line: string | undefined) => {
      socket.destroy();
      resolve(line);
    };
    socket.setTimeout(1000, () => finish(undefined));
    socket.on('error', () => finish(undefined));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) finish(reply.slice(0, reply.indexOf('\r\n')));
    });
  });
}

/**
 * A redis-server of the test's own on a free loopback port, with append-only persistence
 * in a temporary folder, so that it can be stopped and started again mid-run. `args` are
 * added to the command line on every start (e.g. `--busy-reply-threshold 100`).
 */
export class OwnRedis {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
  ) {}

  /** `port`: one chosen before (a server started later on a port clients already try); default a free one. */
  static async start(args: string[] = [], port?: number): Promise<OwnRedis> {
    const redis = new OwnRedis(port ?? (await freePort()), await mkdtemp(join(tmpdir(), 'cc2cc-redis-')), args);
    await redis.startServer();
    return redis;
  }

  /** The running server's process id (a restart changes it). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * Stop (SIGTERM: the append-only file is written out) and start again. With
   * `untilLoading`, returns as soon as the new server answers at all, which is -LOADING
   * while it reads a large data set back.
   */
  async restart(options: { untilLoading?: boolean } = {}): Promise<void> {
    await this.stopServer();
    await this.startServer(
      options.untilLoading ? (reply) => reply.startsWith('-LOADING') || reply === '+PONG' : undefined,
    );
  }

  /** SIGSTOP: the process freezes; the kernel still accepts connections and buffers what clients write. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT: it runs on, and executes what was written to it meanwhile. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** The server is gone (SIGTERM) until `startAgain`; its data stays in the folder. */
  async halt(): Promise<void> {
    await this.stopServer();
  }

  async startAgain(): Promise<void> {
    await this.startServer();
  }

  async stop(): Promise<void> {
    this.resume();
    await this.stopServer();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async startServer(ready: (reply: string) => boolean = (reply) => reply === '+PONG'): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--logfile',
      join(this.dir, 'redis.log'),
      ...this.args,
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) return true;
        const reply = await pingReply(this.port);
        return reply !== undefined && ready(reply);
      },
      { what: `redis-server on port ${this.port}`, intervalMs: 25, timeoutMs: 30_000 },
    );
    if (child.exitCode !== null)
      throw new Error(
        `redis-server on port ${this.port} exited with ${child.exitCode}; see ${join(this.dir, 'redis.log')}`,
      );
  }

  /** SIGTERM: Redis writes the append-only file out and exits. */
  private async stopServer(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    // A server stuck in a script (a BUSY test that failed early) never obeys SIGTERM.
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** A plain client for the test's own commands (CONFIG SET, XRANGE, SCRIPT KILL); the caller closes it. */
export async function adminClient(url: string) {
  const client = createClient({ url, socket: { reconnectStrategy: 100 } });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * Inside a describe: the Redis its tests use, CC2CC_REDIS_URL when set, else a redis-server
 * of the suite's own, started before its tests and stopped after them. Read `url` in tests.
 */
export function useRedis(): { readonly url: string } {
  let own: OwnRedis | undefined;
  const redis = { url: '' };
  beforeAll(async () => {
    if (REDIS_URL) redis.url = REDIS_URL;
    else {
      own = await OwnRedis.start();
      redis.url = own.url;
    }
  });
  afterAll(async () => {
    await own?.stop();
  });
  return redis;
}
