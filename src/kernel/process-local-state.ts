import type { Logger } from './logger.js';
import { MemoryState } from './memory-state.js';
import type { State } from './state.js';

/**
 * The State of a transport that keeps none: this process's memory. It works, but nobody
 * else sees it and it ends with the process, so the first write says so once.
 */
export function processLocalState(kind: string, logger: Logger): State {
  const memory = new MemoryState();
  let warned = false;
  const warn = () => {
    if (warned) return;
    warned = true;
    logger.warn(
      `the "${kind}" transport keeps no bus state (no busState): rooms, topics and session names ` +
        `are kept in this process only and end with it`,
    );
  };
  return {
    get: (key) => memory.get(key),
    list: (prefix) => memory.list(prefix),
    set: (key, value, options) => {
      warn();
      return memory.set(key, value, options);
    },
    delete: (key, options) => {
      warn();
      return memory.delete(key, options);
    },
  };
}
