import { z } from 'zod';
import {
  Cc2ccError,
  definePlugin,
  drop,
  isAgentName,
  messageRecord,
  MessageRecordSchema,
  tokens,
  type Bus,
  type Envelope,
  type RequestOptions,
  type Requests,
} from '../../src/plugin.js';

export interface RequestReplyOptions {
  /** Wait this long for a reply when the caller gives no timeout. */
  defaultTimeoutMs?: number;
}

interface Pending {
  resolve(reply: Envelope): void;
  reject(error: Error): void;
}

/**
 * Request/reply correlation. A request is a `kind: request` envelope; the first reply
 * whose `correlationId` is the request's id resolves the waiting call and is acked there
 * (not pushed as well). A reply that comes after the timeout is a normal message.
 */
export const requestReply = definePlugin((options: RequestReplyOptions = {}) => {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 60_000;
  const pending = new Map<string, Pending>();

  const requests: Requests = {
    async request(
      bus: Bus,
      to: string,
      text: string,
      { timeoutMs = defaultTimeoutMs, queueIfOffline = false, data }: RequestOptions,
    ) {
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
        throw new Cc2ccError('BAD_INPUT', `timeout must be a positive number of ms, got ${timeoutMs}`);
      if (!queueIfOffline && isAgentName(to)) {
        const target = (await bus.agents()).find((agent) => agent.name === to);
        if (target && target.state !== 'online') {
          throw new Cc2ccError(
            'NO_RECIPIENTS',
            `${to} is ${target.state}: a request would wait for nobody (set queue_if_offline to queue it)`,
            { to },
          );
        }
      }
      const sent = await bus.send({ to, text, kind: 'request', ...(data !== undefined && { data }) });
      if (sent.refused) throw new Cc2ccError('BAD_INPUT', `request refused: ${sent.refused}`);
      const stored = sent.results.filter((result) => result.status !== 'refused');
      if (stored.length === 0)
        throw new Cc2ccError(
          'NO_RECIPIENTS',
          `request to ${to} reached nobody: ${sent.results.map((r) => `${r.agent}: ${r.reason}`).join('; ')}`,
        );
      if (!queueIfOffline && !stored.some((result) => result.status === 'queued' || result.status === 'delivered')) {
        throw new Cc2ccError(
          'NO_RECIPIENTS',
          `no recipient of ${to} is online; the request stays queued for ` +
            `${stored.map((r) => r.agent).join(', ')}, but nobody will answer now`,
        );
      }
      return new Promise<Envelope>((resolve, reject) => {
        const started = Date.now();
        const timer = setTimeout(() => {
          pending.delete(sent.id);
          reject(
            new Cc2ccError(
              'TIMEOUT',
              `no reply from ${to} after ${Date.now() - started} ms (timeout ${timeoutMs} ms) to ` +
                `request ${sent.id}; a late reply will arrive as a normal message`,
              {
                to,
                id: sent.id,
                timeoutMs,
              },
            ),
          );
        }, timeoutMs);
        const settle = () => {
          clearTimeout(timer);
          pending.delete(sent.id);
        };
        pending.set(sent.id, {
          resolve(reply) {
            settle();
            resolve(reply);
          },
          reject(error) {
            settle();
            reject(error);
          },
        });
      });
    },
  };

  return {
    name: 'request-reply',
    setup(ctx) {
      ctx.provide(tokens.REQUESTS, requests);

      ctx.onReceive((envelope) => {
        if (envelope.kind !== 'reply' || !envelope.correlationId) return;
        const waiting = pending.get(envelope.correlationId);
        if (!waiting) return; // late or unrelated: a normal message
        waiting.resolve(envelope);
        return drop('answered a waiting request', { then: 'ack' });
      });

      ctx.addTool({
        name: 'request',
        description:
          'Ask an agent (or room/topic) and wait for its reply; returns the reply as a <channel> ' +
          'message. The other side answers with "reply".',
        input: {
          to: z.string().describe('agent name, room:<name> or topic:<a.b>'),
          text: z.string().describe('the question'),
          timeout_ms: z
            .number()
            .int()
            .positive()
            .max(3_600_000)
            .optional()
            .describe(`how long to wait (default ${defaultTimeoutMs})`),
          queue_if_offline: z.boolean().optional().describe('queue for an offline agent instead of failing at once'),
        },
        output: { reply: MessageRecordSchema.describe('the reply; text whole and unescaped') },
        async run({ to, text, timeout_ms, queue_if_offline }, { bus, frame }) {
          const reply = await bus.request(to, text, {
            ...(timeout_ms !== undefined && { timeoutMs: timeout_ms }),
            ...(queue_if_offline !== undefined && { queueIfOffline: queue_if_offline }),
          });
          return { text: replyText(frame(reply)), structured: { reply: messageRecord(reply) } };
        },
      });

      ctx.onStop(() => {
        // A stopped agent cannot receive the reply: fail the waiting calls now.
        const stopping = new Cc2ccError(
          'TIMEOUT',
          'the agent stopped while waiting for a reply; a reply will still land in its inbox',
        );
        for (const waiting of [...pending.values()]) waiting.reject(stopping);
      });
    },
  };
});

/**
 * The request tool's text: the reply framed and escaped like a push (the host's frame), so its text
 * cannot add a message or change its sender.
 */
export function replyText(framedReply: string): string {
  return `The reply:\n${framedReply}`;
}
