import { decodeEnvelope, type Envelope } from '../../kernel/envelope.js';
import { describeError } from '../../kernel/errors.js';
import { isAgentName } from '../../kernel/names.js';
import type { Logger } from '../../kernel/logger.js';
import type { TrafficEvent, TrafficState } from '../../kernel/transport.js';
import { closeClient, connectClient } from './connection.js';
import type { RedisKeys } from './keys.js';

const STATES: ReadonlySet<string> = new Set<TrafficState>(['queued', 'claimed', 'done', 'dead']);
const ENVELOPE_CACHE = 1000;

export interface ObserveOptions {
  url: string;
  keys: RedisKeys;
  connectTimeoutMs: number;
  logger: Logger;
  listener: (event: TrafficEvent) => void;
}

/**
 * Read-only traffic watch: a subscription to the namespace's traffic channel on its own
 * connection. Writers publish each state change together with the change itself (in the
 * same script), so events come in the order things happened. It claims, acks and stores
 * nothing; like the folder transport's observer, it reports changes from now on.
 */
export async function observeTraffic({
  url,
  keys,
  connectTimeoutMs,
  logger,
  listener,
}: ObserveOptions): Promise<() => Promise<void>> {
  const subscriber = await connectClient({
    url,
    connectTimeoutMs,
    logger,
    role: 'observer',
    name: `cc2cc:${keys.namespace}:observer`,
  });
  const envelopes = new Map<string, Envelope>();
  const remember = (envelope: Envelope) => {
    envelopes.delete(envelope.id);
    envelopes.set(envelope.id, envelope);
    if (envelopes.size > ENVELOPE_CACHE) envelopes.delete(envelopes.keys().next().value!);
  };
  let stopped = false;
  try {
    await subscriber.subscribe(keys.traffic, (message: string) => {
      if (stopped) return;
      const event = parseEvent(message, logger);
      if (!event) return;
      if (event.envelope) remember(event.envelope);
      else {
        const known = envelopes.get(event.id);
        if (known) event.envelope = known;
      }
      try {
        listener(event);
      } catch (error) {
        logger.warn(`a traffic listener threw: ${describeError(error)}`);
      }
    });
  } catch (error) {
    await closeClient(subscriber);
    throw error;
  }
  return async () => {
    if (stopped) return;
    stopped = true;
    await subscriber.unsubscribe(keys.traffic).catch(() => {});
    await closeClient(subscriber);
  };
}

/** A published event, checked like everything read from Redis; a bad one is reported and skipped. */
function parseEvent(message: string, logger: Logger): TrafficEvent | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(message) as Record<string, unknown>;
  } catch {
    logger.warn('skipping a traffic event that is not JSON');
    return undefined;
  }
  const { agent, state, id, reason, envelope } = value ?? {};
  if (!isAgentName(agent) || typeof state !== 'string' || !STATES.has(state) || typeof id !== 'string') {
    logger.warn(`skipping a malformed traffic event: ${message.slice(0, 200)}`);
    return undefined;
  }
  const event: TrafficEvent = { agent, state: state as TrafficState, id };
  if (typeof reason === 'string' && reason !== '') event.reason = reason;
  if (typeof envelope === 'string' && envelope !== '') {
    try {
      event.envelope = decodeEnvelope(envelope);
    } catch {
      // Dead letters are often unreadable envelopes: the event still says what happened.
    }
  }
  return event;
}
