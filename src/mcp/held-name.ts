import { hostname } from 'node:os';
import { Cc2ccError } from '../kernel/errors.js';
import { assertAgentName, MAX_AGENT_NAME_LENGTH, type AgentName } from '../kernel/names.js';
import type { Bus } from '../kernel/bus.js';

/**
 * A session asked for a name another live session holds: it serves under a derived name
 * instead (`backend-2`). This is what it tells its agent: in the self-wake push, at the
 * top of `list_agents`, and in its presence record (`data.heldName`, for the hooks).
 */
export interface HeldName {
  /** The name that was asked for. */
  name: AgentName;
  pid?: number;
  host?: string;
  /** When the holder took it (ISO-8601). */
  since?: string;
  /** One sentence: "backend is held by another live session, pid N since T; you are backend-2". */
  note: string;
}

/** The presence data key that carries the `HeldName` of a session serving under a derived name. */
export const HELD_NAME_KEY = 'heldName';

/** Derived names tried before giving up: backend-2 … backend-20. */
const MAX_SUFFIX = 20;

/** What the holder's INBOX_LOCKED error says about it (every transport puts pid, host, startedAt in `data`). */
export function heldBy(name: AgentName, error: Cc2ccError, self: AgentName): HeldName {
  const data = error.data as { pid?: unknown; host?: unknown; startedAt?: unknown };
  const pid = typeof data.pid === 'number' ? data.pid : undefined;
  const host = typeof data.host === 'string' ? data.host : undefined;
  const since = typeof data.startedAt === 'string' ? data.startedAt : undefined;
  return {
    name,
    ...(pid !== undefined && { pid }),
    ...(host !== undefined && { host }),
    ...(since !== undefined && { since }),
    note: heldNote(name, self, { pid, host, since }),
  };
}

function heldNote(name: AgentName, self: AgentName, holder: { pid?: number; host?: string; since?: string }): string {
  const who = [
    holder.pid !== undefined ? `pid ${holder.pid}` : undefined,
    holder.host !== undefined && holder.host !== hostname() ? `on ${holder.host}` : undefined,
    holder.since !== undefined ? `since ${holder.since}` : undefined,
  ].filter(Boolean);
  return `${name} is held by another live session${who.length > 0 ? `, ${who.join(' ')}` : ''}; you are ${self}`;
}

/** `backend-2`, `backend-3`, …; a long base is shortened so the name keeps the length rule. */
export function derivedName(base: AgentName, suffix: number): AgentName {
  const tail = `-${suffix}`;
  const head = base.slice(0, MAX_AGENT_NAME_LENGTH - tail.length).replace(/-+$/, '');
  return assertAgentName(`${head}${tail}`, 'derived agent name');
}

/**
 * The first derived name of `base` that no one else uses now: not in `tried`, not a
 * configured agent (that name belongs to someone), not online. An offline `backend-2`
 * is taken again: the second session of `backend` keeps one name across restarts.
 */
export async function freeDerivedName(bus: Bus, base: AgentName, tried: ReadonlySet<string>): Promise<AgentName> {
  const agents = await bus.agents();
  const busy = new Set([
    ...bus.config.agents,
    ...agents.filter((agent) => agent.state === 'online').map((agent) => agent.name),
  ]);
  for (let suffix = 2; suffix <= MAX_SUFFIX; suffix++) {
    const name = derivedName(base, suffix);
    if (!tried.has(name) && !busy.has(name)) return name;
  }
  throw new Cc2ccError(
    'INBOX_LOCKED',
    `"${base}" and its derived names ${derivedName(base, 2)} … ${derivedName(base, MAX_SUFFIX)} ` +
      `are all held by live sessions; stop one, or pick another name`,
    { name: base },
  );
}
