import type { Bus } from '../../kernel/bus.js';
import { describeError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { AgentInfo } from '../../kernel/presence.js';
import { allAgentState } from '../../kernel/agent-state.js';
import type { StateValue } from '../../kernel/state.js';
import type { Extensions } from '../../kernel/extensions.js';
import type { AgentView, ClaimView, InboxCounts, Snapshot } from '../protocol.js';
import type { TrafficLog } from './traffic-log.js';

export interface SnapshotSource {
  bus: Bus;
  log: TrafficLog;
  logger: Logger;
  /** An online agent without traffic for this long is idle. */
  idleAfterMs: number;
  /** When the UI started watching: before it, no traffic is known. */
  startedAt: number;
  /** The plugins' address schemes (`Cc2cc.extensions`): the groups each lists, such as rooms and topics. */
  schemes?: Pick<Extensions, 'listGroups'>;
  now?: () => number;
}

/**
 * Agents with their state, read through `bus.agents()` (presence) and `Transport.stats()`;
 * the groups of each address scheme as its plugin lists them (rooms with their members,
 * topics with their subscribers); file claims, bus state kept for each name (`agent/<name>/claims`).
 */
export async function takeSnapshot(source: SnapshotSource): Promise<Snapshot> {
  const now = (source.now ?? Date.now)();
  const [infos, kept, schemes] = await Promise.all([
    source.bus.agents(),
    allAgentState(source.bus.state),
    source.schemes?.listGroups() ?? [],
  ]);
  const agents = await Promise.all(infos.map((info) => agentView(info, source, now)));
  return {
    at: new Date(now).toISOString(),
    agents,
    schemes,
    claims: claimTable(kept, now),
  };
}

/** Live file claims from each agent's `claims` part (the claims plugin's list), by holder. */
function claimTable(kept: Map<string, Record<string, StateValue>>, now: number): ClaimView[] {
  const claims: ClaimView[] = [];
  for (const [holder, parts] of [...kept].sort(([a], [b]) => a.localeCompare(b))) {
    const list = parts['claims'];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (
        typeof item !== 'object' ||
        item === null ||
        Array.isArray(item) ||
        typeof item.expiresAt !== 'number' ||
        item.expiresAt <= now
      )
        continue;
      claims.push({
        holder,
        paths: stringList(item.paths),
        exclusive: item.exclusive !== false,
        ...(typeof item.reason === 'string' && { reason: item.reason }),
        expiresAt: new Date(item.expiresAt).toISOString(),
      });
    }
  }
  return claims;
}

async function agentView(info: AgentInfo, source: SnapshotSource, now: number): Promise<AgentView> {
  const presence = info.presence;
  const lastActivity = source.log.lastActivity(info.name);
  const view: AgentView = {
    name: info.name,
    state: 'offline',
    ...(presence && { lastSeen: presence.lastSeen, host: presence.host, pid: presence.pid }),
    ...(presence?.delivery && { delivery: presence.delivery }),
    ...(info.state === 'online' && pushLiveness(presence?.data['push'])),
    ...(lastActivity !== undefined && { lastActivity: new Date(lastActivity).toISOString() }),
  };
  if (info.state === 'online') {
    // Quiet since the later of: its last traffic, its start, the UI's start.
    const since = Math.max(lastActivity ?? 0, Date.parse(presence?.startedAt ?? '') || 0, source.startedAt);
    view.state = now - since >= source.idleAfterMs ? 'idle' : 'online';
  } else if (info.state === 'stale') {
    view.detail = `heartbeat stopped (last seen ${presence?.lastSeen ?? 'never'})`;
  } else if (!presence) {
    view.detail = 'never started (configured, or has an inbox)';
  }
  const counts = await countsOf(info.name, source);
  if (counts) view.counts = counts;
  return view;
}

/**
 * Whether the agent's pushes reach its client, as its server says in its presence record
 * (`data.push`: a word such as `live`, `not reaching` or `unknown`, or `{ state }`).
 * Servers that do not say leave it out, and so does the page.
 */
function pushLiveness(value: unknown): { push: string } | undefined {
  const word =
    typeof value === 'string'
      ? value
      : typeof value === 'object' && value !== null
        ? (value as { state?: unknown }).state
        : undefined;
  return typeof word === 'string' && word.length > 0 ? { push: word.slice(0, 40) } : undefined;
}

async function countsOf(name: string, source: SnapshotSource): Promise<InboxCounts | undefined> {
  try {
    return await source.bus.transport.stats(name);
  } catch (error) {
    source.logger.debug(`ui: no counts for ${name}: ${describeError(error)}`);
    return undefined;
  }
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
