import type { AgentView } from '../protocol.js';
import type { Row } from './store.js';

const STATE_RANK: Record<string, number> = { online: 0, idle: 1, offline: 2 };

/**
 * Which names get a lifeline, left to right: the most recently active first, so in a big
 * project the lanes with traffic are on screen without scrolling sideways; then agents
 * without traffic, online before idle. Hidden unless `all`: retired agents (offline, no
 * message kept) and senders that are not agents (`human`, a CI script): their arrows start
 * at the diagram's left edge.
 */
export function laneOrder(rows: readonly Row[], agents: readonly AgentView[], all: boolean): string[] {
  const lastActive = new Map<string, string>();
  for (const row of rows) {
    for (const name of [row.envelope?.from, ...row.deliveries.keys()]) {
      if (name !== undefined && (lastActive.get(name) ?? '') < row.id) lastActive.set(name, row.id);
    }
  }
  const known = new Map(agents.map((agent) => [agent.name, agent]));
  const names = new Set<string>(known.keys());
  if (all) for (const name of lastActive.keys()) names.add(name);
  const shown = [...names].filter((name) => all || known.get(name)?.state !== 'offline' || lastActive.has(name));
  return shown.sort(
    (a, b) =>
      (lastActive.get(b) ?? '').localeCompare(lastActive.get(a) ?? '') ||
      (STATE_RANK[known.get(a)?.state ?? 'offline'] ?? 3) - (STATE_RANK[known.get(b)?.state ?? 'offline'] ?? 3) ||
      a.localeCompare(b),
  );
}

/** The x of a name without a lane: the left edge of the diagram. */
export const OUTSIDE_X = 6;
