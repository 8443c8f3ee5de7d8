import { watch, type FSWatcher } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { parseLedgerLine, type LedgerFact } from '../../hooks/ledger.js';
import { sessionsDir } from '../../hooks/session-files.js';
import { describeError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { isAgentName } from '../../kernel/names.js';

export interface LedgerFeedOptions {
  /** The bus root (`.cc2cc/`): ledgers are in its `sessions/` folder. */
  rootDir: string;
  /** Gets every fact appended to `<agent>.ledger`. */
  onFact(agent: string, fact: LedgerFact): void;
  logger: Logger;
  /** Every ledger is looked at this often too: a watch can miss a change, and the folder may not exist yet. */
  pollMs: number;
}

const SUFFIX = '.ledger';
/** Read at most this much of a file at once: a large ledger is taken in steps. */
const CHUNK_BYTES = 256 * 1024;
/** A line longer than this is not a ledger fact: skip it rather than hold it. */
const MAX_LINE_BYTES = 16 * 1024;

interface Tail {
  offset: number;
  /** The start of a line still being appended (at most MAX_LINE_BYTES). */
  partial: string;
  /** A chunk may end inside a character. */
  decoder: StringDecoder;
}

/**
 * Follows the delivery ledgers of every agent (`<root>/sessions/<name>.ledger`, one JSON
 * line per fact: pushed / seen; written by the agent's server and its hooks): reads what
 * was appended since the last look, so memory stays one chunk whatever the file's size.
 * A ledger that shrank was compacted by its writer: it is read again from the start (the
 * traffic log skips facts it has). Watches the folder, and looks every `pollMs` as well.
 */
export class LedgerFeed {
  private readonly tails = new Map<string, Tail>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  private constructor(private readonly options: LedgerFeedOptions) {}

  static async start(options: LedgerFeedOptions): Promise<LedgerFeed> {
    const feed = new LedgerFeed(options);
    await feed.scan();
    feed.timer = setInterval(() => feed.scan(), options.pollMs);
    feed.timer.unref();
    return feed;
  }

  /** Read every ledger's new lines; calls made while a read runs fold into one more read. */
  scan(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          this.ensureWatch();
          for (const file of await this.ledgerFiles()) await this.readNew(file);
        } while (this.again && !this.stopped);
      } catch (error) {
        this.options.logger.warn(`ui: could not read the delivery ledgers: ${describeError(error)}`);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.watcher?.close();
    await this.running;
  }

  private ensureWatch(): void {
    if (this.watcher) return;
    try {
      this.watcher = watch(sessionsDir(this.options.rootDir), (_event, name) => {
        if (name === null || String(name).endsWith(SUFFIX)) void this.scan();
      });
      this.watcher.on('error', () => {
        // The folder went away (or the watch broke): the poll sets it up again.
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // No sessions folder yet: the next poll tries again.
    }
  }

  private async ledgerFiles(): Promise<string[]> {
    try {
      const names = await readdir(sessionsDir(this.options.rootDir));
      return names.filter((name) => name.endsWith(SUFFIX) && isAgentName(name.slice(0, -SUFFIX.length)));
    } catch {
      return [];
    }
  }

  private async readNew(file: string): Promise<void> {
    const agent = file.slice(0, -SUFFIX.length);
    const tail = this.tails.get(file) ?? { offset: 0, partial: '', decoder: new StringDecoder('utf8') };
    this.tails.set(file, tail);
    let handle: FileHandle;
    try {
      handle = await open(join(sessionsDir(this.options.rootDir), file), 'r');
    } catch {
      return; // removed meanwhile
    }
    try {
      const { size } = await handle.stat();
      // compacted: read it all again
      if (size < tail.offset) Object.assign(tail, { offset: 0, partial: '', decoder: new StringDecoder('utf8') });
      const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, Math.max(0, size - tail.offset)));
      while (tail.offset < size && !this.stopped) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - tail.offset), tail.offset);
        if (bytesRead === 0) break;
        tail.offset += bytesRead;
        this.takeLines(agent, tail, tail.decoder.write(buffer.subarray(0, bytesRead)));
      }
    } finally {
      await handle.close();
    }
  }

  /** Whole lines become facts; the last, unfinished one waits for the next read. */
  private takeLines(agent: string, tail: Tail, text: string): void {
    const lines = (tail.partial + text).split('\n');
    tail.partial = lines.pop()!;
    if (Buffer.byteLength(tail.partial) > MAX_LINE_BYTES) tail.partial = '';
    for (const line of lines) {
      const fact = parseLedgerLine(line);
      if (fact) this.options.onFact(agent, fact);
    }
  }
}
