import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { Logger } from '../../kernel/logger.js';
import type { SseEvent } from '../protocol.js';
import type { LiveFeed } from './live-feed.js';

export interface StreamOptions {
  /** Unsent data (bytes) past which the stream is disconnected. */
  maxUnsentBytes: number;
  logger: Logger;
}

/** A history event holds about this much JSON: small enough to pass a slow page quickly. */
const HISTORY_EVENT_BYTES = 64 * 1024;
const KEEPALIVE_MS = 15_000;

/**
 * Each live update goes to every open stream: it is turned into JSON once, and every
 * stream's queue holds that one string.
 */
const serialized = new WeakMap<object, { text: string; bytes: number }>();
function jsonOf(data: object): { text: string; bytes: number } {
  let json = serialized.get(data);
  if (json === undefined) {
    const text = JSON.stringify(data);
    serialized.set(data, (json = { text, bytes: Buffer.byteLength(text) }));
  }
  return json;
}

/**
 * The page's live stream (format in `src/ui/protocol.ts`). The history and the live
 * subscription are taken in one synchronous step, so no update falls between them; writes
 * go out one at a time, in order. The history is turned into JSON batch by batch as the
 * page takes it, so a slow page holds one batch, not the whole history.
 *
 * A page that stops reading (a sleeping laptop, a stuck tab) would make every update wait
 * in memory: once its unsent data passes `maxUnsentBytes`, the stream is cut. A live page's
 * EventSource reconnects and gets everything again from `hello`.
 */
export function streamFeed(c: Context<{ Bindings: HttpBindings }>, feed: LiveFeed, options: StreamOptions): Response {
  return streamSSE(c, async (stream) => {
    let queue: Promise<void> = Promise.resolve();
    let unsent = 0;
    let cut = false;
    const write = (event: SseEvent, text: string) => stream.writeSSE({ event, data: text });
    const live = (event: SseEvent, data: object) => {
      if (cut) return;
      const { text, bytes } = jsonOf(data);
      if (unsent + bytes > options.maxUnsentBytes) return disconnect();
      unsent += bytes;
      queue = queue.then(async () => {
        if (!done()) await write(event, text);
        unsent -= bytes;
      });
    };
    const done = () => cut || stream.aborted || stream.closed;
    const disconnect = () => {
      cut = true;
      options.logger.warn(
        `ui: an event stream stopped reading (${Math.round(unsent / 1024)} KB unsent): ` +
          `disconnected it; a live page reconnects and loads again`,
      );
      // Destroying the socket frees what waits in it; ending the stream politely would wait for a reader that is gone.
      const outgoing = outgoingOf(c);
      if (outgoing) outgoing.destroy();
      else stream.abort();
    };

    live('hello', feed.hello);
    live('snapshot', feed.snapshot());
    // Ids only: a page that stalls in the history keeps no message alive after the log forgets it.
    const history = feed.log.ids();
    queue = queue.then(() => sendHistory(stream, history, feed, done));
    live('ready', {});
    const stopTraffic = feed.log.subscribe((update) => live('traffic', update));
    const stopSnapshots = feed.onSnapshot((snapshot) => live('snapshot', snapshot));
    // Only when nothing waits: a page stalled in the history holds one keepalive at most.
    const keepalive = setInterval(() => {
      if (unsent > 0 || done()) return;
      const line = ': keepalive\n\n';
      unsent += line.length;
      queue = queue.then(async () => {
        if (!done()) await stream.write(line);
        unsent -= line.length;
      });
    }, KEEPALIVE_MS);

    // Until the page goes away, the stream is cut, or the server stops.
    let forget = () => {};
    await new Promise<void>((resolve) => {
      stream.onAbort(resolve);
      forget = feed.onStop(resolve);
      outgoingOf(c)?.once('close', resolve);
    });
    forget();
    clearInterval(keepalive);
    stopTraffic();
    stopSnapshots();
  });
}

/** The history in events of about `HISTORY_EVENT_BYTES`, each written once the one before it left. */
async function sendHistory(
  stream: SSEStreamingApi,
  history: string[],
  feed: LiveFeed,
  done: () => boolean,
): Promise<void> {
  let batch: string[] = [];
  let bytes = 0;
  for (const id of history) {
    if (done()) return;
    const view = feed.log.get(id);
    if (!view) continue;
    const text = JSON.stringify(view);
    batch.push(text);
    bytes += Buffer.byteLength(text);
    if (bytes < HISTORY_EVENT_BYTES) continue;
    await stream.writeSSE({ event: 'messages', data: `[${batch.join(',')}]` });
    batch = [];
    bytes = 0;
  }
  if (batch.length > 0 && !done()) await stream.writeSSE({ event: 'messages', data: `[${batch.join(',')}]` });
}

function outgoingOf(c: Context<{ Bindings: HttpBindings }>): HttpBindings['outgoing'] | undefined {
  return c.env?.outgoing;
}
