import { appendFile, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  validateEnvelope,
  type AgentName,
  type DeadLetter,
  type Envelope,
  type PresenceRecord,
  type TrafficEvent,
} from 'cc2cc/plugin';

/**
 * The whole bus is one append-only file of JSON lines. Every change is a record; the
 * state (what is queued, claimed, done, dead; who holds an inbox; presence) is what you get
 * by applying the records in file order. Every process reads the same file, so every
 * process computes the same state: the order in the file settles every race.
 */
export type LogRecord =
  | { op: 'put'; to: AgentName; envelope: Envelope }
  | { op: 'lock'; agent: AgentName; token: string; pid: number; host: string; takeover?: string }
  | { op: 'unlock' | 'claim' | 'ack' | 'retry'; agent: AgentName; token: string; id?: string }
  | { op: 'dead'; agent: AgentName; token: string; id: string; reason: string }
  | { op: 'presence'; record: PresenceRecord };

export interface Holder {
  token: string;
  pid: number;
  host: string;
}

export interface InboxState {
  queued: Map<string, Envelope>;
  claimed: Map<string, { envelope: Envelope; token: string }>;
  done: Set<string>;
  dead: DeadLetter[];
  holder?: Holder;
}

/** The state the records describe. `apply` returns what changed, for observers. */
export class LogState {
  readonly inboxes = new Map<AgentName, InboxState>();
  readonly presence = new Map<AgentName, PresenceRecord>();

  inbox(agent: AgentName): InboxState {
    let inbox = this.inboxes.get(agent);
    if (!inbox) {
      inbox = { queued: new Map(), claimed: new Map(), done: new Set(), dead: [] };
      this.inboxes.set(agent, inbox);
    }
    return inbox;
  }

  apply(record: LogRecord): TrafficEvent[] {
    if (record.op === 'presence') {
      this.presence.set(record.record.name, record.record);
      return [];
    }
    const agent = record.op === 'put' ? record.to : record.agent;
    const inbox = this.inbox(agent);
    switch (record.op) {
      case 'put': {
        const { id } = record.envelope;
        // Already acked, queued or claimed: the same id again is not a new message.
        if (inbox.done.has(id) || inbox.queued.has(id) || inbox.claimed.has(id)) return [];
        inbox.queued.set(id, record.envelope);
        return [{ agent, state: 'queued', id, envelope: record.envelope }];
      }
      case 'lock': {
        // Takes effect only on a free inbox, or over the holder the writer saw dead.
        if (inbox.holder && inbox.holder.token !== record.takeover) return [];
        inbox.holder = { token: record.token, pid: record.pid, host: record.host };
        // What the last holder claimed and never settled is offered again.
        const events: TrafficEvent[] = [];
        for (const [id, { envelope }] of inbox.claimed) {
          inbox.queued.set(id, envelope);
          events.push({ agent, state: 'queued', id, envelope });
        }
        inbox.claimed.clear();
        return events;
      }
      case 'unlock':
        if (inbox.holder?.token === record.token) inbox.holder = undefined;
        return [];
      case 'claim': {
        const envelope = record.id === undefined ? undefined : inbox.queued.get(record.id);
        if (!envelope || inbox.holder?.token !== record.token) return [];
        inbox.queued.delete(envelope.id);
        inbox.claimed.set(envelope.id, { envelope, token: record.token });
        return [{ agent, state: 'claimed', id: envelope.id, envelope }];
      }
      case 'ack':
      case 'retry':
      case 'dead': {
        const claim = record.id === undefined ? undefined : inbox.claimed.get(record.id);
        if (!claim || claim.token !== record.token) return []; // settled already, or by a holder that lost the inbox
        const { envelope } = claim;
        inbox.claimed.delete(envelope.id);
        if (record.op === 'ack') {
          inbox.done.add(envelope.id);
          return [{ agent, state: 'done', id: envelope.id, envelope }];
        }
        if (record.op === 'retry') {
          inbox.queued.set(envelope.id, envelope);
          return [{ agent, state: 'queued', id: envelope.id, envelope }];
        }
        const reason = record.op === 'dead' ? record.reason : '';
        inbox.dead.push({ id: envelope.id, reason, envelope });
        return [{ agent, state: 'dead', id: envelope.id, envelope, reason }];
      }
    }
  }
}

/** Appends records and reads the ones added since the last read (by this reader or another). */
export class LogFile {
  private offset = 0;
  private partial = Buffer.alloc(0);

  constructor(
    readonly path: string,
    private readonly onBadLine: (problem: string) => void,
  ) {}

  /** One `write` with O_APPEND per record: concurrent writers never interleave inside a line. */
  async append(record: LogRecord): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await appendFile(this.path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  }

  async readNew(): Promise<LogRecord[]> {
    const file = await open(this.path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined; // nothing written yet
      throw error;
    });
    if (!file) return [];
    try {
      const { size } = await file.stat();
      if (size <= this.offset) return [];
      const buffer = Buffer.alloc(size - this.offset);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, this.offset);
      this.offset += bytesRead;
      // Split on bytes, decode whole lines only: a line still being written ends in a later read.
      const bytes = Buffer.concat([this.partial, buffer.subarray(0, bytesRead)]);
      const end = bytes.lastIndexOf(0x0a) + 1;
      this.partial = bytes.subarray(end);
      return bytes
        .subarray(0, end)
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '')
        .flatMap((line) => this.parse(line));
    } finally {
      await file.close();
    }
  }

  private parse(line: string): LogRecord[] {
    try {
      const record = JSON.parse(line) as LogRecord;
      if (record.op === 'put') return [{ ...record, envelope: validateEnvelope(record.envelope) }];
      return [record];
    } catch (error) {
      // A bad line is reported and skipped; the log goes on.
      this.onBadLine(`skipped a bad line in ${this.path}: ${(error as Error).message}`);
      return [];
    }
  }
}
