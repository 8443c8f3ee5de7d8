import type { Bus } from './bus.js';

/** Something a plugin noticed, which `cc2cc tail` prints between the traffic lines. */
export interface MonitorEvent {
  /** What happened, one word (`filtered`): where a traffic line shows its state, and `state` in `--json`. */
  state: string;
  /** The agent it happened to. */
  agent: string;
  /** The rest of the line, for people: `2 deny — dropped (sender denied); …`. */
  text: string;
  /** The same as fields, for `cc2cc tail --json`, which prints `{ state, agent, ...data }`. */
  data?: Record<string, unknown>;
}

export interface MonitorContext {
  /** A bus over the project's transport, not attached to an inbox. */
  readonly bus: Bus;
  report(event: MonitorEvent): void;
  /** A fault while watching (a read that failed); the monitor goes on. Printed to stderr. */
  warn(message: string): void;
}

/**
 * A plugin's contribution to `cc2cc tail` (`ctx.addMonitor(name, start)`): it watches the bus
 * read-only and reports what it notices. `start` resolves once it watches (what happened
 * before is not reported), to the function that stops it.
 */
export type MonitorStart = (context: MonitorContext) => Promise<() => void | Promise<void>>;
