import { Cc2ccError, type AgentInfo, type Bus } from '../../src/index.js';

/** A list of strings a plugin keeps in an agent's presence record, under its key. */
export function listIn(agent: Pick<AgentInfo, 'presence'>, key: string): string[] {
  const value = agent.presence?.data[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** This agent's own list under `key`. */
export function ownList(bus: Bus, key: string): string[] {
  const value = bus.presenceData(key);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Adds or removes one entry of this agent's list; returns whether it changed. */
export async function updateOwnList(bus: Bus, key: string, entry: string, present: boolean): Promise<boolean> {
  const current = ownList(bus, key);
  if (current.includes(entry) === present) return false;
  const next = present ? [...current, entry].sort() : current.filter((item) => item !== entry);
  await bus.setPresenceData(key, next);
  return true;
}

/** The agent this tool call runs for; tools only make sense on a running agent. */
export function requireAgent(bus: Bus, tool: string): string {
  if (!bus.name) throw new Cc2ccError('BAD_INPUT', `${tool} needs a running agent (cc2cc serve)`);
  return bus.name;
}
