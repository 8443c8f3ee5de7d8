import { describeError } from '../kernel/errors.js';
import { RETIRED_KEY } from '../kernel/presence.js';
import { retireIdleAgents } from '../kernel/retire.js';
import type { Bus } from '../kernel/bus.js';
import type { Logger } from '../kernel/logger.js';

/** The longest wait between two looks for idle made-up agents. */
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/**
 * Retire idle made-up agents (`retireAfterMs`) now and then from a running server: once at
 * start, then every hour, or every `retireAfterMs` when that is shorter. Returns the stop.
 */
export function startRetirementSweep(bus: Bus, logger: Logger): () => void {
  let running: Promise<unknown> | undefined;
  const sweep = () => {
    running ??= retireIdleAgents(bus, logger)
      .catch((error: unknown) => logger.warn(`looking for idle agents to retire failed: ${describeError(error)}`))
      .finally(() => (running = undefined));
  };
  sweep();
  const timer = setInterval(sweep, Math.min(bus.config.retireAfterMs, SWEEP_EVERY_MS));
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * A session whose client never called a tool, under a made-up name nobody sent anything
 * to, was a passer-by (`claude mcp list` and other health checks connect, list the tools
 * and leave): it leaves no agent behind. Its last presence record says `retired`. Call
 * before the bus closes.
 */
export async function retireIfUnused(
  bus: Bus,
  session: { madeUpName: boolean; usedTools: boolean },
  logger: Logger,
): Promise<void> {
  const agent = bus.name;
  if (!agent || !session.madeUpName || session.usedTools) return;
  try {
    const stats = await bus.transport.stats(agent);
    if (stats.queued + stats.claimed + stats.done + stats.dead > 0) return;
    // Its session name (if the client has a session id) stays: a resumed session takes the name back.
    await bus.setPresenceData(RETIRED_KEY, {
      at: new Date().toISOString(),
      reason: 'its client never called a tool, and nothing was sent to it',
    });
  } catch (error) {
    logger.warn(`could not retire the unused agent ${agent}: ${describeError(error)}`);
  }
}
