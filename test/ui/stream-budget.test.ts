import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrafficUpdate } from '../../src/ui/protocol.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { makeProject, readEvents, startUi } from './helpers.js';

let project: { dir: string; cleanup(): Promise<void> };
const closers: Array<() => unknown> = [];

beforeEach(async () => {
  project = await makeProject({ agents: ['calm-owl'], transport: { use: 'fs', rescanMs: 500, fsync: false } });
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await project.cleanup();
});

describe('cc2cc ui: an event stream that stops reading', () => {
  it('is disconnected once its unsent data passes the budget, while a page that reads stays', async () => {
    const started = await startUi(project.dir, { streamBytes: 64 * 1024, previewChars: 60_000 });
    closers.push(() => started.close());
    const { ui, runtime } = started;
    const reader = readEvents(`${ui.url}api/events`);
    closers.push(() => reader.close());
    await waitFor(() => reader.events.some((event) => event.event === 'ready'), { what: 'the healthy stream' });

    // Opened, then never read: the server's writes pile up behind it.
    const socket = connect(ui.port, '127.0.0.1');
    let received = '';
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    socket.on('connect', () => {
      socket.write(`GET /${ui.token}/api/events HTTP/1.1\r\nHost: 127.0.0.1:${ui.port}\r\n\r\n`);
      socket.pause();
    });
    closers.push(() => socket.destroy());

    // 400 updates of 60 KB: 24 MB, more than the kernel's socket buffers hold.
    const ids: string[] = [];
    for (let i = 0; i < 400; i += 10) {
      const sent = await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          runtime.bus.send({ from: 'brave-fox', to: 'calm-owl', text: `${i + j} `.padEnd(60_000, 'x') }),
        ),
      );
      ids.push(...sent.map((result) => result.id));
      await waitFor(
        () =>
          ids.every((id) =>
            reader.events.some((event) => event.event === 'traffic' && (event.data as TrafficUpdate).id === id),
          ),
        { timeoutMs: 60_000, what: `updates up to ${i + 10}` },
      );
    }

    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.resume();
    await closed;
    const delivered = ids.filter((id) => received.includes(`"id":"${id}"`));
    expect(received.startsWith('HTTP/1.1 200')).toBe(true);
    expect(delivered.length).toBeLessThan(ids.length);

    // The page that reads got everything and is still connected.
    const more = await runtime.bus.send({ from: 'brave-fox', to: 'calm-owl', text: 'after the cut' });
    await waitFor(
      () => reader.events.some((event) => event.event === 'traffic' && (event.data as TrafficUpdate).id === more.id),
      { what: 'an update after the cut' },
    );
    expect(reader.events.filter((event) => event.event === 'hello')).toHaveLength(1);
  });
});
