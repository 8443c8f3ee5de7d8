import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createClient } from 'redis';

export type BenchRedis = { url: string; source: string; stop(): Promise<void> } | { missing: string };

/**
 * The Redis of the Redis scenarios: CC2CC_REDIS_URL when set, else a redis-server of the
 * bench's own (loopback, a free port, append-only in a temporary folder, as .ci/run starts
 * one), else none, with the reason.
 */
export async function benchRedis(): Promise<BenchRedis> {
  const url = process.env.CC2CC_REDIS_URL?.trim();
  if (url) return { url, source: 'CC2CC_REDIS_URL', stop: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'cc2cc-bench-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const failed = once(child, 'error').then(([error]) => error as NodeJS.ErrnoException);
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(dir, { recursive: true, force: true });
  };
  const answered = await Promise.race([answersPing(`redis://127.0.0.1:${port}`, child), failed]);
  if (answered === true) {
    return { url: `redis://127.0.0.1:${port}`, source: `a redis-server of the bench's own on port ${port}`, stop };
  }
  await stop();
  const notInstalled = answered !== false && answered.code === 'ENOENT';
  const failure = notInstalled ? 'redis-server is not installed' : answered !== false ? answered.message : undefined;
  const why = failure ?? 'it did not answer PING within 10 s';
  return { missing: `no CC2CC_REDIS_URL, and no redis-server could be started: ${why}` };
}

async function answersPing(url: string, child: ChildProcess): Promise<boolean> {
  for (let attempt = 0; attempt < 100 && child.exitCode === null; attempt++) {
    const client = createClient({ url, socket: { reconnectStrategy: false } });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      return true;
    } catch {
      await delay(100);
    } finally {
      if (client.isOpen) await client.close();
    }
  }
  return false;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
