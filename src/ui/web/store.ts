import type { CutFields, Hello, MessageView, Snapshot, StateStep, TrafficUpdate, WireEnvelope } from '../protocol.js';

/** One message in the page: its envelope and each recipient's state steps. */
export interface Row {
  readonly id: string;
  envelope?: WireEnvelope;
  /** Set when the server kept only a preview of a large envelope. */
  cut?: CutFields;
  deliveries: Map<string, StateStep[]>;
  /** Bumped on every change, so a drawn row knows when it is out of date. */
  version: number;
}

export type Change = 'reset' | 'rows' | 'snapshot';

const MAX_ROWS = 50_000;
type Listener = (change: Change, row?: Row) => void;

/**
 * Everything the page knows, fed by the event stream. Rows stay sorted by id (ULIDs sort
 * by creation time), whatever order the inboxes reported them in.
 */
export class Store {
  hello: Hello | undefined;
  snapshot: Snapshot | undefined;
  private rows: Row[] = [];
  private readonly byId = new Map<string, Row>();
  private readonly replies = new Map<string, string[]>();
  private readonly listeners = new Set<Listener>();

  /** A new connection: the server sends everything again. */
  reset(hello: Hello): void {
    this.hello = hello;
    this.rows = [];
    this.byId.clear();
    this.replies.clear();
    this.emit('reset');
  }

  /** A batch of history. */
  addMessages(views: MessageView[]): void {
    let sorted = true;
    for (const view of views) {
      const row: Row = { id: view.id, deliveries: new Map(Object.entries(view.deliveries)), version: 1 };
      if (view.envelope) row.envelope = view.envelope;
      if (view.cut) row.cut = view.cut;
      if (this.byId.has(row.id)) continue;
      if (this.rows.length > 0 && this.rows[this.rows.length - 1]!.id > row.id) sorted = false;
      this.rows.push(row);
      this.index(row);
    }
    if (!sorted) this.rows.sort(byId);
    this.emit('rows');
  }

  apply(update: TrafficUpdate): void {
    let row = this.byId.get(update.id);
    if (!row) {
      row = { id: update.id, deliveries: new Map(), version: 0 };
      this.insert(row);
    }
    if (update.envelope && !row.envelope) {
      row.envelope = update.envelope;
      if (update.cut) row.cut = update.cut;
      this.indexReply(row);
    }
    const steps = row.deliveries.get(update.agent) ?? [];
    // The server reads the history while it sends it: a step may come in both.
    if (steps.some((step) => sameStep(step, update.step))) return;
    steps.push(update.step);
    row.deliveries.set(update.agent, steps);
    row.version += 1;
    this.emit('rows', row);
  }

  setSnapshot(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    this.emit('snapshot');
  }

  all(): readonly Row[] {
    return this.rows;
  }

  get(id: string): Row | undefined {
    return this.byId.get(id);
  }

  /** Messages whose `correlationId` is `id`: replies and receipts. */
  repliesTo(id: string): Row[] {
    return (this.replies.get(id) ?? [])
      .map((reply) => this.byId.get(reply))
      .filter((row): row is Row => row !== undefined);
  }

  /** Every agent name the page has heard of: presence, senders and recipients. */
  participants(): string[] {
    const names = new Set<string>(this.snapshot?.agents.map((agent) => agent.name) ?? []);
    for (const row of this.rows) {
      if (row.envelope) names.add(row.envelope.from);
      for (const agent of row.deliveries.keys()) names.add(agent);
    }
    return [...names].sort();
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private insert(row: Row): void {
    const last = this.rows[this.rows.length - 1];
    if (!last || last.id < row.id) this.rows.push(row);
    else this.rows.splice(insertionPoint(this.rows, row.id), 0, row);
    this.index(row);
    // A page left open for days forgets the oldest messages, as the server does.
    while (this.rows.length > MAX_ROWS) this.byId.delete(this.rows.shift()!.id);
  }

  private index(row: Row): void {
    this.byId.set(row.id, row);
    this.indexReply(row);
  }

  private indexReply(row: Row): void {
    const correlation = row.envelope?.correlationId;
    if (correlation === undefined) return;
    const list = this.replies.get(correlation) ?? [];
    if (!list.includes(row.id)) list.push(row.id);
    this.replies.set(correlation, list);
  }

  private emit(change: Change, row?: Row): void {
    for (const listener of this.listeners) listener(change, row);
  }
}

function sameStep(a: StateStep, b: StateStep): boolean {
  return a.state === b.state && a.at === b.at && a.reason === b.reason;
}

function byId(a: Row, b: Row): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function insertionPoint(rows: Row[], id: string): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (rows[middle]!.id < id) low = middle + 1;
    else high = middle;
  }
  return low;
}
