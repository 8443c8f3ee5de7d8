import { appendFileSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { open, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What the agent's model was given of one message. */
export type LedgerState = 'pushed' | 'seen';

/** One line of a ledger file. */
export interface LedgerFact {
  id: string;
  s: LedgerState;
  at: string;
  /** How it was seen: hook, check_inbox, reply, transcript. */
  via?: string;
}
type LedgerLine = LedgerFact;

/** A ledger line as a fact, or undefined for a blank, torn or foreign line (a crash mid-append). */
export function parseLedgerLine(text: string): LedgerFact | undefined {
  if (text.trim() === '') return undefined;
  try {
    const line = JSON.parse(text) as Partial<LedgerFact> | null;
    if (
      typeof line !== 'object' ||
      line === null ||
      typeof line.id !== 'string' ||
      (line.s !== 'pushed' && line.s !== 'seen')
    )
      return undefined;
    return {
      id: line.id,
      s: line.s,
      at: typeof line.at === 'string' ? line.at : new Date().toISOString(),
      ...(typeof line.via === 'string' && { via: line.via }),
    };
  } catch {
    return undefined;
  }
}

/** How a hook that read the inbox itself (no server ran) records what it showed. */
export const OFFLINE_HOOK_VIA = 'hook-no-server';

/** Rewrite the file keeping the newest facts once it holds this many lines. */
const COMPACT_AFTER = 4000;
const KEEP = 2000;

/**
 * The facts about an agent's messages that must outlive a session (DESIGN §4, message
 * states): which ones a channel push carried (pushed, not confirmed) and which ones the
 * model has (seen). A JSON line per fact, appended, so the server and a hook that read
 * the inbox while no server ran can both write it; `refresh()` reads what others added.
 *
 * A seen message is never offered again; a pushed one is not pushed again in full by
 * the next session of the agent, only named by id.
 */
export class DeliveryLedger {
  private readonly states = new Map<string, LedgerLine>();
  private offset = 0;
  private lines = 0;

  private constructor(readonly path: string) {}

  static async load(path: string): Promise<DeliveryLedger> {
    const ledger = new DeliveryLedger(path);
    await ledger.refresh();
    return ledger;
  }

  /** The newest fact about `id`: seen wins over pushed. */
  state(id: string): LedgerState | undefined {
    return this.states.get(id)?.s;
  }

  /** How the model came to have it, as recorded. */
  via(id: string): string | undefined {
    return this.states.get(id)?.via;
  }

  /**
   * Reads the lines appended since the last read (another process may have written). The
   * server asks before each message, and the answer is nearly always "nothing new": one
   * synchronous stat says so without a round trip through the thread pool.
   */
  async refresh(): Promise<void> {
    let found: Stats | undefined;
    try {
      found = statSync(this.path, { throwIfNoEntry: false });
    } catch {
      return; // no ledger there (a file where its folder should be): nothing to read
    }
    if (found === undefined || found.size === this.offset) return;
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return; // no ledger yet
    }
    try {
      const { size } = await handle.stat();
      if (size < this.offset) this.reset(); // compacted by another process: read it all again
      if (size === this.offset) return;
      const buffer = Buffer.alloc(size - this.offset);
      await handle.read(buffer, 0, buffer.length, this.offset);
      const text = buffer.toString('utf8');
      const complete = text.lastIndexOf('\n') + 1; // a line being appended right now waits for the next read
      for (const line of text.slice(0, complete).split('\n')) this.apply(line);
      this.offset += Buffer.byteLength(text.slice(0, complete));
    } finally {
      await handle.close();
    }
  }

  async record(id: string, state: LedgerState, via?: string): Promise<void> {
    if (this.states.get(id)?.s === 'seen' || this.states.get(id)?.s === state) return;
    const line: LedgerLine = { id, s: state, at: new Date().toISOString(), ...(via && { via }) };
    this.states.set(id, line);
    const text = `${JSON.stringify(line)}\n`;
    this.append(text);
    this.offset += Buffer.byteLength(text);
    this.lines++;
    if (this.lines > COMPACT_AFTER) await this.compact();
  }

  /** Synchronous calls: a line of a hundred bytes appended to a local file takes microseconds. */
  private append(text: string): void {
    try {
      appendFileSync(this.path, text, { mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // No sessions/ folder yet (or it was removed): make it, once per failure.
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      appendFileSync(this.path, text, { mode: 0o600 });
    }
  }

  /** Keeps the newest facts; a message older than them is long done (or pruned) anyway. */
  private async compact(): Promise<void> {
    const keep = [...this.states.values()].slice(-KEEP);
    const text = keep.map((line) => `${JSON.stringify(line)}\n`).join('');
    const temp = `${this.path}.${process.pid}.tmp`;
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, this.path);
    this.reset();
    for (const line of keep) this.states.set(line.id, line);
    this.offset = Buffer.byteLength(text);
    this.lines = keep.length;
  }

  private reset(): void {
    this.states.clear();
    this.offset = 0;
    this.lines = 0;
  }

  private apply(text: string): void {
    const line = parseLedgerLine(text);
    if (!line || this.states.get(line.id)?.s === 'seen') return;
    this.states.delete(line.id); // re-insert: Map order is the order facts arrived, for compaction
    this.states.set(line.id, line);
    this.lines++;
  }
}
