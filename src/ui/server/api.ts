import type { HttpBindings } from '@hono/node-server';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { Bus } from '../../kernel/bus.js';
import { describeError, isCc2ccError } from '../../kernel/errors.js';
import { HAND_SENT_KINDS } from '../../kernel/message-kinds.js';
import type { Logger } from '../../kernel/logger.js';
import type { DeadLetterView, ErrorBody, SendResponse } from '../protocol.js';
import type { LiveFeed } from './live-feed.js';
import { streamFeed } from './sse.js';

export interface ApiOptions {
  bus: Bus;
  feed: LiveFeed;
  /** POST api/send answers 403 unless this is set (cc2cc ui --allow-send). */
  allowSend: boolean;
  /** The sender of messages from the page. */
  sender: string;
  /** Unsent data (bytes) one event stream may hold before it is disconnected. */
  streamBytes: number;
  logger: Logger;
}

const SendBody = z.strictObject({
  to: z.string().min(1),
  text: z.string().min(1),
  kind: z.enum(HAND_SENT_KINDS).optional(),
});

/** The JSON API and the event stream, under `/<token>/api/`. Read-only except `send`. */
export function registerApi(app: Hono<{ Bindings: HttpBindings }>, options: ApiOptions): void {
  const { bus, feed } = options;

  app.get('/:token/api/events', (c) =>
    streamFeed(c, feed, { maxUnsentBytes: options.streamBytes, logger: options.logger }),
  );

  app.get('/:token/api/agents', async (c) => {
    await feed.refresh();
    return c.json(feed.snapshot());
  });

  app.get('/:token/api/messages', (c) => c.json(feed.log.all()));

  app.get('/:token/api/messages/:id', (c) => {
    const view = feed.log.get(c.req.param('id'));
    if (!view) return c.json(errorBody('NOT_FOUND', `no message ${c.req.param('id')} seen since the UI started`), 404);
    return c.json(view);
  });

  app.get('/:token/api/dead', async (c) => {
    const letters: DeadLetterView[] = [];
    for (const { name } of await bus.transport.agents()) {
      for (const letter of await bus.transport.deadLetters(name)) {
        letters.push({
          agent: name,
          id: letter.id,
          reason: letter.reason,
          ...(letter.envelope && { envelope: letter.envelope }),
        });
      }
    }
    letters.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.agent.localeCompare(b.agent)));
    return c.json(letters);
  });

  app.post('/:token/api/send', async (c) => {
    if (!options.allowSend) {
      return c.json(
        errorBody('READ_ONLY', 'this page is read-only: start it with `cc2cc ui --allow-send` to send messages'),
        403,
      );
    }
    if (!(c.req.header('content-type') ?? '').startsWith('application/json')) {
      return c.json(errorBody('BAD_INPUT', 'send a JSON body: {"to": "calm-owl", "text": "hello"}'), 415);
    }
    const parsed = SendBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
        .join('; ');
      return c.json(
        errorBody('BAD_INPUT', `bad send request (${problems}); expected {"to", "text", "kind"?: "message" | "event"}`),
        400,
      );
    }
    const result = await bus.send({ from: options.sender, ...parsed.data });
    const response: SendResponse = {
      id: result.id,
      to: result.to,
      ...(result.refused !== undefined && { refused: result.refused }),
      results: result.results.map((entry) => ({
        agent: entry.agent,
        status: entry.status,
        ...(entry.via !== undefined && { via: entry.via }),
        ...(entry.reason !== undefined && { reason: entry.reason }),
      })),
    };
    return c.json(response);
  });
}

/** A failed request: a `Cc2ccError` is the caller's mistake (400), anything else ours (500). */
export function errorResponse(error: unknown): { body: ErrorBody; status: 400 | 500 } {
  if (isCc2ccError(error)) return { body: errorBody(error.code, error.message), status: 400 };
  return { body: errorBody('INTERNAL', describeError(error)), status: 500 };
}

function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
