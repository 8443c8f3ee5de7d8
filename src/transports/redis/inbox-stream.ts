import type { AgentName } from '../../kernel/names.js';
import { isServerReply, type RedisClient, type RedisLink } from './connection.js';
import type { RedisKeys } from './keys.js';
import { runScript } from './script-call.js';
import { ACK, DEAD_LETTER } from './scripts.js';

/** One stream entry as this receiver got it: `raw` is undefined when the field is missing. */
export interface StreamEntry {
  sid: string;
  raw: string | undefined;
  /** How many times Redis has handed this entry to a receiver, this time included. */
  deliveries: number;
}

export interface RetentionSettings {
  doneMs: number;
  maxDone: number;
}

/**
 * The Redis commands of one inbox, for its receiver: the consumer group, reading new
 * entries, recovering pending ones, and settling them (ack, dead letter).
 */
export class InboxStream {
  readonly key: string;
  readonly group: string;
  /** The Redis URL without password, for messages. */
  readonly where: string;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    readonly agent: AgentName,
    /** This receiver's consumer name in the group. */
    readonly consumer: string,
    private readonly retention: RetentionSettings,
  ) {
    this.key = keys.inbox(agent);
    this.group = keys.group(agent);
    this.where = link.where;
  }

  /** The group reads from the start of the stream: messages queued before it existed count. */
  async ensureGroup(): Promise<void> {
    try {
      await this.link.run(`create the consumer group of "${this.agent}"`, (client) =>
        client.xGroupCreate(this.key, this.group, '0', { MKSTREAM: true }),
      );
    } catch (error) {
      if (!(isServerReply(error) && error.message.startsWith('BUSYGROUP'))) throw error;
    }
  }

  /** New entries (`>`), waiting up to `blockMs` on the receiver's own connection. */
  async readNew(blocking: RedisClient, count: number, blockMs: number): Promise<StreamEntry[]> {
    let reply: unknown;
    try {
      reply = await blocking.xReadGroup(
        this.group,
        this.consumer,
        { key: this.key, id: '>' },
        { COUNT: count, BLOCK: blockMs },
      );
    } catch (error) {
      // Redis came back without our data (no persistence, or the key was deleted).
      if (isServerReply(error) && error.message.startsWith('NOGROUP')) {
        await this.ensureGroup();
        return [];
      }
      throw error;
    }
    const entries: StreamEntry[] = [];
    for (const stream of (reply ?? []) as Array<{
      messages: Array<{ id: string; message: Record<string, string> } | null>;
    }>) {
      for (const message of stream.messages) {
        if (message) entries.push({ sid: message.id, raw: message.message.envelope, deliveries: 1 });
      }
    }
    return entries;
  }

  /** A page of this consumer's pending entries after `after` (exclusive), with delivery counts. */
  async ownPending(after: string | undefined, count: number): Promise<Array<{ sid: string; deliveries: number }>> {
    const start = after === undefined ? '-' : `(${after}`;
    const rows = await this.link.run(`list the pending messages of "${this.agent}"`, (client) =>
      client.xPendingRange(this.key, this.group, start, '+', count, { consumer: this.consumer }),
    );
    return rows.map((row) => ({ sid: row.id, deliveries: row.deliveriesCounter }));
  }

  /**
   * Take entries into this consumer and read them. Redis counts this as one more delivery.
   * Entries deleted meanwhile are dropped from the pending list by Redis and not returned.
   */
  async take(pending: Array<{ sid: string; deliveries: number }>): Promise<StreamEntry[]> {
    if (pending.length === 0) return [];
    const counts = new Map(pending.map((entry) => [entry.sid, entry.deliveries]));
    const messages = await this.link.run(`claim the pending messages of "${this.agent}"`, (client) =>
      client.xClaim(this.key, this.group, this.consumer, 0, [...counts.keys()]),
    );
    const entries: StreamEntry[] = [];
    for (const message of messages as Array<{ id: string; message: Record<string, string> } | null>) {
      if (message)
        entries.push({ sid: message.id, raw: message.message.envelope, deliveries: (counts.get(message.id) ?? 0) + 1 });
    }
    return entries;
  }

  /**
   * XAUTOCLAIM: move every entry idle for `minIdleMs` or more into this consumer, without
   * counting a delivery (JUSTID). Returns the ids it moved.
   */
  async claimIdle(minIdleMs: number): Promise<string[]> {
    const claimed: string[] = [];
    let cursor = '0-0';
    do {
      const start = cursor;
      const reply = await this.link.run(`claim idle messages of "${this.agent}"`, (client) =>
        client.xAutoClaimJustId(this.key, this.group, this.consumer, minIdleMs, start, { COUNT: 100 }),
      );
      claimed.push(...(reply.messages as string[]));
      cursor = reply.nextId as string;
    } while (cursor !== '0-0');
    return claimed;
  }

  /** Delivery counts of some of this consumer's pending entries. */
  async deliveryCounts(sids: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (sids.length === 0) return counts;
    const sorted = [...sids].sort(compareIds);
    const rows = await this.link.run(`count deliveries of "${this.agent}"`, (client) =>
      client.xPendingRange(this.key, this.group, sorted[0]!, sorted[sorted.length - 1]!, 10_000, {
        consumer: this.consumer,
      }),
    );
    for (const row of rows) counts.set(row.id, row.deliveriesCounter);
    return counts;
  }

  /** Pending entries held by consumers other than this one (receivers that went away). */
  async othersPending(): Promise<Array<{ consumer: string; count: number }>> {
    const summary = await this.link.run(`inspect the consumer group of "${this.agent}"`, (client) =>
      client.xPending(this.key, this.group),
    );
    return (summary.consumers ?? [])
      .map((row) => ({ consumer: row.name as string, count: Number(row.deliveriesCounter) }))
      .filter((row) => row.consumer !== this.consumer && row.count > 0);
  }

  /**
   * Give back delivery counts for entries this receiver read but never offered (it is
   * closing): the next receiver's first offer then says attempt 1, not 2.
   */
  async uncount(entries: Array<{ sid: string; deliveries: number }>): Promise<void> {
    const byCount = new Map<number, string[]>();
    for (const { sid, deliveries } of entries)
      byCount.set(deliveries - 1, [...(byCount.get(deliveries - 1) ?? []), sid]);
    for (const [count, sids] of byCount) {
      await this.link.run(`restore delivery counts of "${this.agent}"`, (client) =>
        client.xClaimJustId(this.key, this.group, this.consumer, 0, sids, { RETRYCOUNT: count }),
      );
    }
  }

  /** Envelope ids among `ids` that were acked before (the done set). */
  async alreadyDone(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const scores = await this.link.run(`check done messages of "${this.agent}"`, (client) =>
      client.zmScore(this.keys.done(this.agent), ids),
    );
    return new Set(ids.filter((_, index) => scores[index] !== null));
  }

  async ack(sid: string, envelopeId: string): Promise<void> {
    const now = Date.now();
    const keepSince = now - this.retention.doneMs;
    await this.settle(`acknowledge ${envelopeId} for "${this.agent}"`, (client) =>
      runScript(client, ACK, {
        keys: [this.key, this.keys.done(this.agent)],
        arguments: [
          this.group,
          sid,
          envelopeId,
          String(now),
          String(keepSince),
          String(this.retention.maxDone),
          this.agent,
          this.keys.traffic,
        ],
      }),
    );
  }

  async deadLetter(sid: string, envelopeId: string, reason: string, raw: string | undefined): Promise<void> {
    await this.settle(`move ${envelopeId} to the dead letters of "${this.agent}"`, (client) =>
      runScript(client, DEAD_LETTER, {
        keys: [this.key, this.keys.dead(this.agent)],
        arguments: [
          this.group,
          sid,
          envelopeId,
          reason,
          raw ?? '',
          new Date().toISOString(),
          this.agent,
          this.keys.traffic,
        ],
      }),
    );
  }

  /** A settle whose group is gone (Redis lost its data, or someone deleted the stream) has nothing left to settle. */
  private async settle(what: string, operation: (client: RedisClient) => Promise<unknown>): Promise<void> {
    try {
      await this.link.run(what, operation);
    } catch (error) {
      if (!(isServerReply(error) && error.message.includes('NOGROUP'))) throw error;
    }
  }

  /** Tell observers about a state change that Redis itself does not record (claimed, queued again). */
  async announce(state: 'claimed' | 'queued', envelopeId: string): Promise<void> {
    await this.link.run('publish a traffic event', (client) =>
      client.publish(this.keys.traffic, JSON.stringify({ agent: this.agent, state, id: envelopeId })),
    );
  }
}

/** Stream ids (`<ms>-<seq>`) in numeric order. */
export function compareIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map((part) => BigInt(part));
  const [bMs = 0n, bSeq = 0n] = b.split('-').map((part) => BigInt(part));
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}
