import type { CheckFinding, CheckRun } from '../../src/plugin.js';
import { droppedCounts, FILTER_RULES, ruleInfo, type RuleTable } from './rules.js';

/** `cc2cc doctor`: each agent's drops by rule, from its presence record (a running or last-run agent). */
export function dropsCheck(rules: RuleTable = FILTER_RULES): CheckRun {
  return async ({ bus }) => {
    const agents = await bus.agents();
    return agents.flatMap((agent) => dropFindings(agent.name, agent.presence?.data, rules));
  };
}

/** Drops that lost a message are a warning with the fix; drops that only held back or deduplicated are a note. */
export function dropFindings(
  agent: string,
  data: Record<string, unknown> | undefined,
  rules: RuleTable = FILTER_RULES,
): CheckFinding[] {
  const counted = (entry: [string, unknown]): entry is [string, number] => typeof entry[1] === 'number' && entry[1] > 0;
  const counts = Object.entries(droppedCounts(data)).filter(counted);
  if (counts.length === 0) return [];
  const list = (picked: Array<[string, number]>) => picked.map(([rule, count]) => `${rule} ${count}`).join(', ');
  const losing = counts.filter(([rule]) => ruleInfo(rules, rule).loses);
  const kept = counts.filter(([rule]) => !ruleInfo(rules, rule).loses);
  const parts = [
    ...(losing.length > 0 ? [`dropped ${list(losing)}`] : []),
    ...(kept.length > 0 ? [`held back or deduplicated ${list(kept)} (nothing lost)`] : []),
  ];
  const message = `${agent}: filters ${parts.join('; ')}`;
  if (losing.length === 0) return [{ level: 'info', message }];
  return [
    {
      level: 'warn',
      message,
      fix:
        'a message dropped on arrival is a dead letter with its reason (listed here; `cc2cc tail` shows drops live); ' +
        'if such messages should get through, change the "filters" options in the config',
    },
  ];
}
