import { hostname } from 'node:os';

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let thisHost: string | undefined;

/**
 * This machine's host name, asked once per process (each `os.hostname()` is a system call,
 * and a send looks at every online agent). A name changed while this process runs is not
 * seen: records written under the new name then skip the pid check and go by heartbeat.
 */
export function localHost(): string {
  thisHost ??= hostname();
  return thisHost;
}

/** How old a liveness answer may be when it is given again. */
export const LIVENESS_MAX_AGE_MS = 1000;

/** Past this many pids, answers older than their age are dropped. */
export const LIVENESS_CACHE_BOUND = 256;

export interface LivenessOptions {
  maxAgeMs?: number;
  /** Milliseconds on a monotonic clock (default `performance.now`). */
  now?: () => number;
  probe?: (pid: number) => boolean;
}

/**
 * `processAlive` answers, each reused for up to a second: a send asks about every online
 * agent, and a pid that died shows as dead at most `maxAgeMs` late. The map holds one entry
 * per pid asked about, and drops answers past their age whenever it grows past a bound.
 */
export class LivenessCache {
  private readonly answers = new Map<number, { alive: boolean; at: number }>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly probe: (pid: number) => boolean;

  constructor(options: LivenessOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? LIVENESS_MAX_AGE_MS;
    this.now = options.now ?? (() => performance.now());
    this.probe = options.probe ?? processAlive;
  }

  alive(pid: number): boolean {
    const now = this.now();
    const known = this.answers.get(pid);
    if (known && now - known.at <= this.maxAgeMs) return known.alive;
    const alive = this.probe(pid);
    this.answers.set(pid, { alive, at: now });
    if (this.answers.size > LIVENESS_CACHE_BOUND) this.dropOld(now);
    return alive;
  }

  /** Answers held now (for tests of the bound). */
  get size(): number {
    return this.answers.size;
  }

  private dropOld(now: number): void {
    for (const [pid, answer] of this.answers) if (now - answer.at > this.maxAgeMs) this.answers.delete(pid);
  }
}
