import { Cc2ccError } from './errors.js';
import type { State, StateEntry, StateValue } from './state.js';

/** What an update function returns: the new value, `undefined` to delete the key, or `SKIP` to leave it. */
export const SKIP = Symbol('cc2cc.state.skip');

export interface UpdateOptions {
  /** Time-to-live of the written value. */
  ttlMs?: number;
  /** Give up after this many conflicts in a row (default 100): someone else keeps winning. */
  maxAttempts?: number;
}

/**
 * Read, change, compare-and-set, and start again on a conflict, until the change lands on
 * the version it was computed from. `change` may run several times and must not have side
 * effects. Resolves with the entry written (undefined when deleted or skipped).
 */
export async function updateState(
  state: State,
  key: string,
  change: (current: StateEntry | undefined) => StateValue | undefined | typeof SKIP,
  options: UpdateOptions = {},
): Promise<StateEntry | undefined> {
  const maxAttempts = options.maxAttempts ?? 100;
  let current = await state.get(key);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const next = change(current);
    if (next === SKIP) return current;
    if (next === undefined) {
      if (!current || (await state.delete(key, { ifVersion: current.version }))) return undefined;
      current = await state.get(key);
      continue;
    }
    const result = await state.set(key, next, {
      ifVersion: current?.version ?? null,
      ...(options.ttlMs !== undefined && { ttlMs: options.ttlMs }),
    });
    if (result.ok) return result.entry;
    current = result.current;
    // Many writers on one key: a short random pause lets the winner get out of the way.
    if (attempt % 4 === 0) await new Promise((done) => setTimeout(done, Math.floor(Math.random() * 5 * attempt)));
  }
  throw new Cc2ccError('TIMEOUT', `state key "${key}" changed under ${maxAttempts} updates in a row; try again`, {
    key,
  });
}
