import { droppedCounts, type FilterRule } from '../../plugins/filters/index.js';
import { describeError } from '../kernel/errors.js';
import type { Bus } from '../kernel/bus.js';
import type { AgentInfo } from '../kernel/presence.js';

/** An agent's filters plugin counted more drops for one rule since the last look. */
export interface FilterDropEvent {
  agent: string;
  rule: FilterRule;
  /** New drops since the last look. */
  added: number;
  /** Drops by this rule since the agent started. */
  total: number;
}

type Counts = Partial<Record<FilterRule, number>>;

/**
 * Compares each agent's `filters.dropped` counts (from its presence record) with the last
 * ones seen. A count that went down means the agent restarted: it counts from zero again.
 */
export class FilterDropTracker {
  private readonly seen = new Map<string, Counts>();

  /** The first look only records where the counts stand. */
  baseline(agents: readonly AgentInfo[]): void {
    for (const agent of agents) this.seen.set(agent.name, { ...droppedCounts(agent.presence?.data) });
  }

  update(agents: readonly AgentInfo[]): FilterDropEvent[] {
    const events: FilterDropEvent[] = [];
    for (const agent of agents) {
      const now = droppedCounts(agent.presence?.data);
      const before = this.seen.get(agent.name) ?? {};
      for (const [rule, total] of Object.entries(now) as Array<[FilterRule, number]>) {
        if (typeof total !== 'number') continue;
        const previous = before[rule] ?? 0;
        const added = total >= previous ? total - previous : total;
        if (added > 0) events.push({ agent: agent.name, rule, added, total });
      }
      this.seen.set(agent.name, { ...now });
    }
    return events;
  }
}

export { RULE_EFFECT } from './filter-rule-effects.js';

/**
 * Polls `bus.agents()` every `intervalMs` and reports drops as they grow. The first look
 * happens before this resolves, so drops that were counted earlier are not reported.
 */
export async function watchFilterDrops(
  bus: Bus,
  onDrop: (event: FilterDropEvent) => void,
  { intervalMs = 1000, onError = (_message: string) => {} }: { intervalMs?: number; onError?: (message: string) => void } = {},
): Promise<() => void> {
  const tracker = new FilterDropTracker();
  tracker.baseline(await bus.agents());
  let busy = false;
  let failing = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    bus
      .agents()
      .then((agents) => {
        failing = false;
        for (const event of tracker.update(agents)) onDrop(event);
      })
      .catch((error: unknown) => {
        if (!failing) onError(`could not read presence records: ${describeError(error)}`);
        failing = true;
      })
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  return () => clearInterval(timer);
}
