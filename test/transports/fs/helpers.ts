import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelope, type Envelope } from '../../../src/kernel/envelope.js';
import type { Logger } from '../../../src/kernel/logger.js';
import type { Delivery } from '../../../src/kernel/transport.js';
import { FsTransport, type FsTransportOptions } from '../../../src/transports/fs/index.js';

/** Poll a condition until it holds, bounded: tests wait for events, they never sleep. */
export { waitFor } from '../../../src/testing/wait-for.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (message: string) => void lines.push({ level, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A fresh folder per test, removed afterwards; `root` is the `.cc2cc` inside it. */
export class Scratch {
  private readonly cleanups: Array<() => Promise<void>> = [];
  dir = '';
  root = '';

  async setUp(): Promise<this> {
    this.dir = await mkdtemp(join(tmpdir(), 'cc2cc-fs-'));
    this.root = join(this.dir, '.cc2cc');
    return this;
  }

  /** A transport on this root that is closed after the test. */
  transport(options: Partial<FsTransportOptions> = {}): FsTransport & { logger: ReturnType<typeof recordingLogger> } {
    const logger = recordingLogger();
    const transport = new FsTransport({ root: this.root, logger, rescanMs: 200, ...options });
    this.onCleanup(() => transport.close());
    return Object.assign(transport, { logger });
  }

  onCleanup(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  async tearDown(): Promise<void> {
    for (const cleanup of this.cleanups.reverse()) await cleanup().catch(() => {});
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

let sequence = 0;
export function envelope(text = `hello ${++sequence}`, extra: { to?: string; from?: string } = {}): Envelope {
  return createEnvelope({ from: extra.from ?? 'brave-fox', to: extra.to ?? 'calm-owl', text });
}

/** Names in a folder, sorted; [] when it does not exist. */
export async function names(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).sort();
  } catch {
    return [];
  }
}

/** Every path under `dir` with its type, mode, size and mtime: to prove nothing changed. */
export async function snapshot(dir: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (path: string, relative: string): Promise<void> => {
    for (const name of await names(path)) {
      const full = join(path, name);
      const info = await lstat(full);
      const kind = info.isDirectory() ? 'd' : info.isSymbolicLink() ? 'l' : 'f';
      lines.push(`${kind} ${relative}${name} ${(info.mode & 0o777).toString(8)} ${info.size} ${info.mtimeMs}`);
      if (info.isDirectory()) await walk(full, `${relative}${name}/`);
    }
  };
  await walk(dir, '');
  return lines;
}

/** A handler that records deliveries and settles each as `settle` says (ack by default). */
export function recorder(settle: (delivery: Delivery) => Promise<void> | void = (delivery) => delivery.ack()) {
  const deliveries: Delivery[] = [];
  let running = 0;
  let maxConcurrent = 0;
  const handler = async (delivery: Delivery) => {
    running++;
    maxConcurrent = Math.max(maxConcurrent, running);
    deliveries.push(delivery);
    try {
      await settle(delivery);
    } finally {
      running--;
    }
  };
  return {
    handler,
    deliveries,
    ids: () => deliveries.map((delivery) => delivery.envelope.id),
    maxConcurrent: () => maxConcurrent,
  };
}

export function modeOf(info: { mode: number }): string {
  return (info.mode & 0o777).toString(8);
}
