import { assertAgentName, type AgentName } from '../../kernel/names.js';
import { ErrorReply } from 'redis';
import { Cc2ccError, isCc2ccError } from '../../kernel/errors.js';
import { decodeEnvelope, encodeForPut, prepareForPut, type Envelope } from '../../kernel/envelope.js';
import type {
  DeadLetter,
  DeliveryHandler,
  Inbox,
  InboxStats,
  TrafficEvent,
  Transport,
} from '../../kernel/transport.js';
import type { PresenceRecord } from '../../kernel/presence.js';
import type { Finding } from '../../kernel/check.js';
import { assertServerVersion, connectClient, isServerReply, RedisLink, type RedisClient } from './connection.js';
import { acquireRedisLock } from './inbox-lock.js';
import { diagnoseRedis } from './diagnose.js';
import { RedisInboxReader } from './inbox-reader.js';
import { InboxStream } from './inbox-stream.js';
import { RedisKeys } from './keys.js';
import { observeTraffic } from './observer.js';
import { resolveSettings, type RedisSettings, type RedisTransportOptions } from './options.js';
import { RedisPresence } from './presence-store.js';
import { PutBatcher, type QueuedPut } from './put-batcher.js';
import { runScript } from './script-call.js';
import { PUT_MANY } from './scripts.js';
import { serverStateError } from './server-replies.js';
import { RedisState } from './state-store.js';
import { WakeableWaits } from './wakeable-waits.js';

/** A batch stays small enough to keep Redis responsive while its script runs. */
const BATCH_LIMITS = { maxItems: 128, maxChars: 1024 * 1024 };
const MAY_BE_QUEUED = 'may or may not have been queued';

/**
 * The Redis Streams transport (DESIGN §8): one stream per inbox with one consumer group,
 * XADD to queue, XREADGROUP to receive, XACK + XDEL once settled, XAUTOCLAIM for what a
 * receiver that went away had taken; presence keys with a TTL. Several machines share a
 * bus by sharing a Redis and a namespace.
 */
export class RedisTransport implements Transport {
  readonly kind = 'redis';
  readonly keys: RedisKeys;
  private readonly presence: RedisPresence;
  /** Bus state under `cc2cc:<ns>:state:` (state-store.ts). */
  readonly busState: RedisState;
  private readonly inboxes = new Set<Inbox>();
  private readonly observers = new Set<() => Promise<void>>();
  private readonly batcher = new PutBatcher((batch) => this.writeBatch(batch), BATCH_LIMITS);
  private closed = false;

  private constructor(
    private readonly settings: RedisSettings,
    private readonly link: RedisLink,
  ) {
    this.keys = new RedisKeys(settings.namespace);
    this.presence = new RedisPresence(link, this.keys, settings.presenceTtlMs, settings.logger);
    this.busState = new RedisState(link, this.keys.prefix);
  }

  /** Connects (bounded by connectTimeoutMs): an unreachable Redis fails with TRANSPORT_UNAVAILABLE naming the URL. */
  static async connect(options: RedisTransportOptions): Promise<RedisTransport> {
    const settings = resolveSettings(options);
    const client = await connectClient({
      url: settings.url,
      connectTimeoutMs: settings.connectTimeoutMs,
      logger: settings.logger,
      role: 'commands',
      name: `cc2cc:${settings.namespace}:commands`,
    });
    const link = new RedisLink(client, settings.url, settings.opTimeoutMs);
    try {
      await assertServerVersion(client, link.where);
    } catch (error) {
      await link.close();
      throw error;
    }
    const transport = new RedisTransport(settings, link);
    settings.logger.debug(`redis transport: ${transport.link.where}, namespace "${settings.namespace}"`);
    return transport;
  }

  /** Where this transport keeps its data, for logs: the URL (without password) and the namespace. */
  get where(): string {
    return `${this.link.where} namespace ${this.settings.namespace}`;
  }

  async put(to: AgentName, envelope: Envelope): Promise<void> {
    this.assertOpen();
    const { name, text } = prepareForPut(to, envelope, this.settings.maxBytes);
    await this.batcher.put({ name, id: envelope.id, text });
  }

  /**
   * One envelope for several inboxes (a room, a broadcast): checked and encoded once, sent
   * once, queued by one script call with the puts made meanwhile. Each recipient gets its
   * own outcome: a bad name or a full inbox refuses that copy only.
   */
  async putMany(recipients: readonly AgentName[], envelope: Envelope): Promise<Array<PromiseSettledResult<void>>> {
    this.assertOpen();
    const text = encodeForPut(envelope, this.settings.maxBytes);
    const queue = async (to: AgentName) =>
      this.batcher.put({ name: assertAgentName(to, 'recipient name'), id: envelope.id, text });
    return Promise.allSettled(recipients.map(queue));
  }

  async open(agent: AgentName, handler: DeliveryHandler): Promise<Inbox> {
    this.assertOpen();
    const name = assertAgentName(agent);
    const { settings } = this;
    const lock = await acquireRedisLock(this.link, this.keys.lock(name), name, settings.minIdleMs, settings.logger);
    let blocking: RedisClient | undefined;
    try {
      const stream = new InboxStream(this.link, this.keys, name, settings.consumer, {
        doneMs: settings.doneMs,
        maxDone: settings.maxDone,
      });
      await stream.ensureGroup();
      blocking = await connectClient({
        url: settings.url,
        connectTimeoutMs: settings.connectTimeoutMs,
        logger: settings.logger,
        role: `receiver of ${name}`,
        name: `cc2cc:${settings.namespace}:receiver:${name}`,
      });
      const reader = new RedisInboxReader(
        name,
        stream,
        lock,
        new WakeableWaits(blocking, (clientId) => this.link.client.clientUnblock(clientId)),
        handler,
        settings,
        settings.logger,
        (closed) => this.inboxes.delete(closed),
      );
      this.inboxes.add(reader);
      reader.start();
      return reader;
    } catch (error) {
      blocking?.destroy();
      await lock.release();
      throw error;
    }
  }

  async announce(record: PresenceRecord): Promise<void> {
    this.assertOpen();
    await this.presence.write(record);
  }

  async agents(): Promise<Array<{ name: AgentName; presence?: PresenceRecord }>> {
    return this.presence.all();
  }

  async stats(agent: AgentName): Promise<InboxStats> {
    const name = assertAgentName(agent);
    const [length, done, dead] = await this.link.run(`count the messages of "${name}"`, (client) =>
      Promise.all([
        client.xLen(this.keys.inbox(name)),
        client.zCard(this.keys.done(name)),
        client.xLen(this.keys.dead(name)),
      ]),
    );
    let claimed = 0;
    try {
      claimed = (
        await this.link.run(`count the claimed messages of "${name}"`, (client) =>
          client.xPending(this.keys.inbox(name), this.keys.group(name)),
        )
      ).pending;
    } catch (error) {
      // No group yet: nobody ever opened this inbox, so nothing is claimed.
      if (!(isServerReply(error) && error.message.startsWith('NOGROUP'))) throw error;
    }
    return { queued: Math.max(0, length - claimed), claimed, done, dead };
  }

  async deadLetters(agent: AgentName): Promise<DeadLetter[]> {
    const name = assertAgentName(agent);
    const entries = await this.link.run(`list the dead letters of "${name}"`, (client) =>
      client.xRange(this.keys.dead(name), '-', '+'),
    );
    return (entries ?? []).map(({ id: sid, message }) => {
      const fields = message as Record<string, string | undefined>;
      const letter: DeadLetter = { id: fields.id || sid, reason: fields.reason || '(no reason recorded)' };
      if (fields.envelope) {
        try {
          letter.envelope = decodeEnvelope(fields.envelope);
        } catch {
          // Unreadable: that is usually why it is here; the reason says so.
        }
      }
      return letter;
    });
  }

  diagnose(): Promise<Finding[]> {
    return diagnoseRedis(this.link, this.keys);
  }

  async observe(listener: (event: TrafficEvent) => void): Promise<() => Promise<void>> {
    this.assertOpen();
    const { url, connectTimeoutMs, logger } = this.settings;
    const stopObserving = await observeTraffic({ url, keys: this.keys, connectTimeoutMs, logger, listener });
    const stop = async () => {
      this.observers.delete(stop);
      await stopObserving();
    };
    this.observers.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([
      ...[...this.inboxes].map((inbox) => inbox.close()),
      ...[...this.observers].map((stop) => stop()),
    ]);
    await this.link.close();
  }

  /** One PUT_MANY call for a batch of puts; a refusal (INBOX_FULL, a server reply) is that message's alone. */
  private async writeBatch(batch: readonly QueuedPut[]): Promise<Array<PromiseSettledResult<void>>> {
    const unknown = batch.map(({ name, id }) => `message ${id} ${MAY_BE_QUEUED} for "${name}"`);
    const together = batch.length === 1 ? unknown[0]! : `${batch.length} messages sent together ${MAY_BE_QUEUED}`;
    let replies: unknown;
    try {
      // Repeating this after a lost reply can queue a second copy: the receiver acks a copy
      // of an id it already delivered instead of handing it over again. A reply lost for
      // good leaves the outcome unknown, and each sender is told so, not "not queued".
      replies = await this.link.run(
        batch.length === 1 ? `queue message ${batch[0]!.id} for "${batch[0]!.name}"` : `queue ${batch.length} messages`,
        (client) =>
          runScript(client, PUT_MANY, {
            keys: [this.keys.agents, ...batch.map(({ name }) => this.keys.inbox(name))],
            arguments: putManyArguments(batch, this.settings.maxLen, this.keys.traffic),
          }),
        { mayHaveRun: together },
      );
    } catch (error) {
      return unknown.map((own) => ({ status: 'rejected', reason: ownUnknown(error, together, own) }) as const);
    } finally {
      this.presence.changed(); // a put lists its recipient among the agents
    }
    return batch.map(({ name, id }, index): PromiseSettledResult<void> => {
      const reply = String((replies as unknown[])[index]);
      if (!reply.startsWith('!')) return { status: 'fulfilled', value: undefined };
      return { status: 'rejected', reason: this.refusal(name, id, reply.slice(1)) };
    });
  }

  private refusal(name: AgentName, id: string, reply: string): Error {
    if (!reply.startsWith('INBOX_FULL')) {
      const error = new ErrorReply(reply);
      return serverStateError(error, this.link.where, `queue message ${id} for "${name}"`) ?? error;
    }
    return new Cc2ccError(
      'INBOX_FULL',
      `the inbox of "${name}" already holds ${this.settings.maxLen} unsettled messages (maxLen); ` +
        `message ${id} was not queued`,
      { agent: name, maxLen: this.settings.maxLen },
    );
  }

  private assertOpen(): void {
    if (this.closed)
      throw new Cc2ccError('TRANSPORT_CLOSED', `this redis transport (${this.where}) was closed; create a new one`);
  }
}

/** PUT_MANY's arguments: each distinct envelope once (a room's copies share it), then each message's recipient. */
function putManyArguments(batch: readonly QueuedPut[], maxLen: number, traffic: string): string[] {
  const texts = new Map<string, number>();
  const ids: string[] = [];
  const items: string[] = [];
  for (const { name, id, text } of batch) {
    let index = texts.get(text);
    if (index === undefined) {
      index = texts.size + 1;
      texts.set(text, index);
      ids.push(id);
    }
    items.push(name, String(index));
  }
  return [String(maxLen), traffic, String(texts.size), ...texts.keys(), ...ids, ...items];
}

/** An unknown outcome of a batch, told to one of its senders about their own message. */
function ownUnknown(error: unknown, together: string, own: string): unknown {
  if (!isCc2ccError(error, 'OUTCOME_UNKNOWN') || together === own || !error.message.startsWith(together)) return error;
  const message = own + error.message.slice(together.length);
  return new Cc2ccError('OUTCOME_UNKNOWN', message, error.data, { cause: error.cause });
}

export function createRedisTransport(options: RedisTransportOptions): Promise<RedisTransport> {
  return RedisTransport.connect(options);
}
