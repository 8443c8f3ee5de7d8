import { randomBytes } from 'node:crypto';
import {
  assertStateKey,
  assertStatePrefix,
  checkTtl,
  encodeStateValue,
  type State,
  type StateEntry,
  type StateSetOptions,
  type StateSetResult,
  type StateValue,
} from './state.js';

interface Stored {
  text: string;
  version: string;
  expiresAt?: number;
}

/** `State` in one process's memory: for tests, and for the memory transport. */
export class MemoryState implements State {
  private readonly entries = new Map<string, Stored>();
  private sequence = 0;
  /** Versions carry a per-instance tag, so two MemoryStates never hand out the same one. */
  private readonly tag = randomBytes(4).toString('hex');

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: string): Promise<StateEntry | undefined> {
    assertStateKey(key);
    return this.live(key);
  }

  async list(prefix: string): Promise<StateEntry[]> {
    assertStatePrefix(prefix);
    const keys = [...this.entries.keys()].filter((key) => key.startsWith(prefix)).sort();
    return keys.map((key) => this.live(key)).filter((entry): entry is StateEntry => entry !== undefined);
  }

  async set(key: string, value: StateValue, options: StateSetOptions = {}): Promise<StateSetResult> {
    assertStateKey(key);
    const text = encodeStateValue(key, value);
    const ttlMs = checkTtl(options.ttlMs);
    const current = this.live(key);
    if (options.ifVersion !== undefined && (current?.version ?? null) !== options.ifVersion)
      return { ok: false, current };
    const stored: Stored = {
      text,
      version: `${++this.sequence}-${this.tag}`,
      ...(ttlMs !== undefined && { expiresAt: this.now() + ttlMs }),
    };
    this.entries.set(key, stored);
    return { ok: true, entry: toEntry(key, stored) };
  }

  async delete(key: string, options: { ifVersion?: string } = {}): Promise<boolean> {
    assertStateKey(key);
    const current = this.live(key);
    if (!current || (options.ifVersion !== undefined && current.version !== options.ifVersion)) return false;
    this.entries.delete(key);
    return true;
  }

  private live(key: string): StateEntry | undefined {
    const stored = this.entries.get(key);
    if (!stored) return undefined;
    if (stored.expiresAt !== undefined && stored.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return toEntry(key, stored);
  }
}

/** A fresh copy each time: a caller that changes what it read changes nothing stored. */
function toEntry(key: string, stored: Stored): StateEntry {
  return {
    key,
    value: JSON.parse(stored.text) as StateValue,
    version: stored.version,
    ...(stored.expiresAt !== undefined && { expiresAt: stored.expiresAt }),
  };
}
