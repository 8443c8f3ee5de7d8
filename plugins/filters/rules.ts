/** What a drop by one rule did to the message, for `cc2cc doctor` and `cc2cc tail`. */
export interface RuleInfo {
  /** Shown after the count in `cc2cc tail`: `dropped (sender denied)`. */
  effect: string;
  /** True when the message did not reach the agent (or was not sent); false when it was only held back or repeated. */
  loses: boolean;
}

export type RuleTable = Readonly<Record<string, RuleInfo>>;

/**
 * Every rule the filters plugin counts, in one table. The CLI, `doctor` and `tail` name no
 * rule: they show what this plugin's check and monitor say, so a new rule is a row here and
 * its `count(bus, rule)` in index.ts.
 */
export const FILTER_RULES = {
  deny: { effect: 'dropped (sender denied)', loses: true },
  allow: { effect: 'dropped (sender not allowed)', loses: true },
  duplicate: { effect: 'acked without delivery (duplicate id)', loses: false },
  'rate-limit': { effect: 'held back (rate limit; delivered later)', loses: false },
  size: { effect: 'dropped (text over the size cap)', loses: true },
  'ping-pong': { effect: 'held back a send (ping-pong cap)', loses: true },
  events: { effect: 'dropped (events kept out of the push path)', loses: true },
} as const satisfies RuleTable;

export type FilterRule = keyof typeof FILTER_RULES;

/** A rule this table does not know (counted by a newer version of the plugin): assume the worst. */
export function ruleInfo(rules: RuleTable, rule: string): RuleInfo {
  return rules[rule] ?? { effect: 'counted by a rule this cc2cc does not know', loses: true };
}

/** What a running filters plugin counted, from a presence record's data (`filters.dropped`). */
export function droppedCounts(data: Record<string, unknown> | undefined): Partial<Record<string, number>> {
  const filtersData = data?.filters;
  if (typeof filtersData !== 'object' || filtersData === null) return {};
  const dropped = (filtersData as { dropped?: unknown }).dropped;
  return typeof dropped === 'object' && dropped !== null ? (dropped as Partial<Record<string, number>>) : {};
}
