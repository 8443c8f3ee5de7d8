import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { Cc2cc } from '../../src/kernel/compose.js';
import type { Envelope } from '../../src/kernel/envelope.js';
import { silentLogger } from '../../src/kernel/logger.js';
import type { Sink } from '../../src/kernel/sink.js';
import { createRuntime } from '../../src/runtime.js';
import { startUiServer, type UiServer, type UiServerOptions } from '../../src/ui/server/server.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { CLI, spawnNode, type Captured } from '../cli/process-helpers.js';

/** A project folder with a JSON config; `cleanup` removes it. */
export async function makeProject(config: Record<string, unknown>): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cc2cc-ui-'));
  await writeFile(join(dir, '.cc2ccrc.json'), JSON.stringify({ transport: { use: 'fs', rescanMs: 500 }, ...config }));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The project's runtime as any verb builds it (no agent attached). */
export async function projectRuntime(dir: string): Promise<Cc2cc> {
  return createRuntime(await loadConfig({ cwd: dir }), { logger: silentLogger });
}

/** `cc2cc ui` in-process, over the project's own transport. */
export async function startUi(
  dir: string,
  options: Partial<UiServerOptions> = {},
): Promise<{ ui: UiServer; runtime: Cc2cc; close(): Promise<void> }> {
  const runtime = await projectRuntime(dir);
  const ui = await startUiServer({
    bus: runtime.bus,
    logger: silentLogger,
    project: 'test-project',
    schemes: runtime.extensions,
    ...options,
  });
  return {
    ui,
    runtime,
    async close() {
      await ui.close();
      await runtime.close();
    },
  };
}

/** A sink that acknowledges everything and remembers it. */
export class AckSink implements Sink {
  readonly name = 'ack';
  readonly received: Envelope[] = [];
  async deliver(envelope: Envelope): Promise<'delivered'> {
    this.received.push(envelope);
    return 'delivered';
  }
}

/** A running agent in this process: its own transport, attached to its inbox. */
export async function startAgent(dir: string, name: string): Promise<{ kernel: Cc2cc; sink: AckSink }> {
  const sink = new AckSink();
  const kernel = await createRuntime(await loadConfig({ cwd: dir }), { logger: silentLogger, sink });
  await kernel.bus.attach(name);
  return { kernel, sink };
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads an event stream with fetch; `events` fills as they come. */
export function readEvents(url: string): { events: SseEvent[]; status: Promise<number>; close(): void } {
  const abort = new AbortController();
  const events: SseEvent[] = [];
  let resolveStatus!: (status: number) => void;
  const status = new Promise<number>((resolve) => (resolveStatus = resolve));
  void (async () => {
    try {
      const response = await fetch(url, { signal: abort.signal });
      resolveStatus(response.status);
      if (!response.body) return;
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data: '))
            .map((line) => line.slice(6))
            .join('\n');
          if (event) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      resolveStatus(0);
    }
  })();
  return { events, status, close: () => abort.abort() };
}

/** `cc2cc ui` as a real process (needs `npm run build`); resolves once it printed its address. */
export async function startUiProcess(
  dir: string,
  args: string[] = [],
): Promise<{ run: Captured; url: string; stop(): Promise<number | null> }> {
  const run = spawnNode([CLI, 'ui', ...args], dir);
  run.child.stdin!.end();
  const url = await waitFor(
    () => run.lines.find((line) => line.startsWith('http://')) ?? (run.child.exitCode !== null ? fail(run) : undefined),
    {
      what: `cc2cc ui to print its address (stderr: ${run.stderr.join(' | ')})`,
    },
  );
  return {
    run,
    url,
    async stop() {
      if (run.child.exitCode === null) run.child.kill('SIGTERM');
      return run.exited;
    },
  };
}

function fail(run: Captured): never {
  throw new Error(`cc2cc ui exited with ${run.child.exitCode}: ${run.stderr.join('\n')}`);
}

/** Debian's chromium; CHROMIUM_PATH points elsewhere (another system's Chromium or Chrome). */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
export const builtCli = existsSync(CLI);
