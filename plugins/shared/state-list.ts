import {
  Cc2ccError,
  SKIP,
  agentParts,
  agentStateKey,
  updateState,
  type Bus,
  type State,
  type StateValue,
} from '../../src/plugin.js';

/**
 * A list of strings a plugin keeps per agent in the bus state, at `agent/<name>/<part>`
 * (rooms joined, topic patterns followed). It belongs to the agent's name: it outlives
 * the session, until the agent changes it or is forgotten.
 */
export function stringsOf(value: StateValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Every agent's list under `part`: name → entries. */
export async function listsOf(state: State, part: string): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const [name, value] of await agentParts(state, part)) found.set(name, stringsOf(value));
  return found;
}

/** One agent's list under `part`. */
export async function listOf(state: State, name: string, part: string): Promise<string[]> {
  return stringsOf((await state.get(agentStateKey(name, part)))?.value);
}

/** Adds or removes one entry of an agent's list (compare-and-set); returns whether it changed. */
export async function updateList(
  state: State,
  name: string,
  part: string,
  entry: string,
  present: boolean,
): Promise<boolean> {
  let changed = false;
  await updateState(state, agentStateKey(name, part), (current) => {
    const list = stringsOf(current?.value);
    changed = list.includes(entry) !== present;
    if (!changed) return SKIP;
    const next = present ? [...list, entry].sort() : list.filter((item) => item !== entry);
    return next.length > 0 ? next : undefined;
  });
  return changed;
}

/** The agent this tool call runs for; tools only make sense on a running agent. */
export function requireAgent(bus: Bus, tool: string): string {
  if (!bus.name) throw new Cc2ccError('BAD_INPUT', `${tool} needs a running agent (cc2cc serve)`);
  return bus.name;
}
