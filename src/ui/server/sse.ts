import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { SseEvent } from '../protocol.js';
import type { LiveFeed } from './live-feed.js';

const HISTORY_BATCH = 500;
const KEEPALIVE_MS = 15_000;

/**
 * The page's live stream (format in `src/ui/protocol.ts`). The history and the live
 * subscription are taken in one synchronous step, so no update falls between them or
 * comes twice; writes go out one at a time, in order.
 */
export function streamFeed(c: Context, feed: LiveFeed): Response {
  return streamSSE(c, async (stream) => {
    let queue: Promise<void> = Promise.resolve();
    const send = (event: SseEvent, data: unknown) => {
      const text = JSON.stringify(data);
      queue = queue.then(() => (stream.aborted || stream.closed ? undefined : stream.writeSSE({ event, data: text })));
    };

    send('hello', feed.hello);
    send('snapshot', feed.snapshot());
    const history = feed.log.all();
    for (let start = 0; start < history.length; start += HISTORY_BATCH) send('messages', history.slice(start, start + HISTORY_BATCH));
    send('ready', {});
    const stopTraffic = feed.log.subscribe((update) => send('traffic', update));
    const stopSnapshots = feed.onSnapshot((snapshot) => send('snapshot', snapshot));
    const keepalive = setInterval(() => {
      queue = queue.then(async () => {
        if (!stream.aborted && !stream.closed) await stream.write(': keepalive\n\n');
      });
    }, KEEPALIVE_MS);

    // Until the page goes away or the server stops.
    let forget = () => {};
    await new Promise<void>((resolve) => {
      stream.onAbort(resolve);
      forget = feed.onStop(resolve);
    });
    forget();
    clearInterval(keepalive);
    stopTraffic();
    stopSnapshots();
  });
}
