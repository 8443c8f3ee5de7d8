import { describeError, type AgentInfo, type MonitorEvent, type MonitorStart } from '../../src/plugin.js';
import { droppedCounts, FILTER_RULES, ruleInfo, type RuleTable } from './rules.js';

/** An agent's filters plugin counted more drops for one rule since the last look. */
export interface FilterDropEvent {
  agent: string;
  rule: string;
  /** New drops since the last look. */
  added: number;
  /** Drops by this rule since the agent started. */
  total: number;
}

/**
 * Compares each agent's `filters.dropped` counts (from its presence record) with the last
 * ones seen. A count that went down means the agent restarted: it counts from zero again.
 */
export class FilterDropTracker {
  private readonly seen = new Map<string, Partial<Record<string, number>>>();

  /** The first look only records where the counts stand. */
  baseline(agents: readonly AgentInfo[]): void {
    for (const agent of agents) this.seen.set(agent.name, { ...droppedCounts(agent.presence?.data) });
  }

  update(agents: readonly AgentInfo[]): FilterDropEvent[] {
    const events: FilterDropEvent[] = [];
    for (const agent of agents) {
      const now = droppedCounts(agent.presence?.data);
      const before = this.seen.get(agent.name) ?? {};
      for (const [rule, total] of Object.entries(now)) {
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

/** A `cc2cc tail` line: `filtered calm-owl: 1 deny — dropped (sender denied); 1 by this rule since …`. */
export function describeDrop(drop: FilterDropEvent, rules: RuleTable = FILTER_RULES): MonitorEvent {
  const { agent, rule, added, total } = drop;
  return {
    state: 'filtered',
    agent,
    text: `${added} ${rule} — ${ruleInfo(rules, rule).effect}; ${total} by this rule since ${agent} started`,
    data: { rule, added, total },
  };
}

/**
 * `cc2cc tail`: polls `bus.agents()` every `intervalMs` and reports drops as they grow. The
 * first look happens before `start` resolves, so drops counted earlier are not reported.
 */
export function dropsMonitor(rules: RuleTable = FILTER_RULES, intervalMs = 1000): MonitorStart {
  return async ({ bus, report, warn }) => {
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
          for (const drop of tracker.update(agents)) report(describeDrop(drop, rules));
        })
        .catch((error: unknown) => {
          if (!failing) warn(`could not read presence records: ${describeError(error)}`);
          failing = true;
        })
        .finally(() => {
          busy = false;
        });
    }, intervalMs);
    return () => clearInterval(timer);
  };
}
