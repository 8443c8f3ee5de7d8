import { assertAgentName, isAgentName, type AgentName } from './names.js';
import { assertStateKey, type State, type StateValue } from './state.js';

/**
 * Where bus state that belongs to one agent lives, so that forgetting the agent can drop
 * all of it: `agent/<name>/<part>` (`agent/brave-fox/rooms`). The map from a client's
 * session id to the agent name it was given is `session/<id>` (session-names.ts).
 */
export const AGENT_PREFIX = 'agent/';
export const SESSION_PREFIX = 'session/';

/** `agent/<name>/<part>`; the name must pass the name rule, the part the key rule. */
export function agentStateKey(name: string, part: string): string {
  return assertStateKey(`${AGENT_PREFIX}${assertAgentName(name)}/${part}`);
}

/** One part of every agent's state: `rooms` → { brave-fox: [...], calm-owl: [...] }. */
export async function agentParts(state: State, part: string): Promise<Map<AgentName, StateValue>> {
  const found = new Map<AgentName, StateValue>();
  for (const [name, parts] of await allAgentState(state)) if (part in parts) found.set(name, parts[part]!);
  return found;
}

/** Every agent's state, by name and part: what `list_agents` shows next to each agent. */
export async function allAgentState(state: State): Promise<Map<AgentName, Record<string, StateValue>>> {
  const found = new Map<AgentName, Record<string, StateValue>>();
  for (const entry of await state.list(AGENT_PREFIX)) {
    const [name, part, ...rest] = entry.key.slice(AGENT_PREFIX.length).split('/');
    if (!name || !part || rest.length > 0 || !isAgentName(name)) continue;
    found.set(name, { ...found.get(name), [part]: entry.value });
  }
  return found;
}

/**
 * Drop everything the bus state keeps for `name`: every key under `agent/<name>/` (rooms
 * joined, topics followed, whatever plugins keep there) and every session that maps to it.
 * For `cc2cc agents forget` and retirement. Resolves with the keys removed.
 */
export async function forgetAgentState(state: State, name: string): Promise<string[]> {
  const agent = assertAgentName(name);
  const owned = await state.list(`${AGENT_PREFIX}${agent}/`);
  const sessions = (await state.list(SESSION_PREFIX)).filter((entry) => entry.value === agent);
  const removed: string[] = [];
  for (const entry of [...owned, ...sessions]) {
    // At its version: a session taken over by another name meanwhile is not this agent's.
    if (await state.delete(entry.key, { ifVersion: entry.version })) removed.push(entry.key);
  }
  return removed;
}
