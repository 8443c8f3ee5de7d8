import { z } from 'zod';
import { Cc2ccError } from './errors.js';
import { AGENT_NAME_RULE, isAgentName, type AgentName } from './names.js';

/**
 * A presence record: what an agent says about itself. Each agent writes only its own, and a
 * new session writes a fresh one, so `data` holds what describes this session (a filter's
 * drop counts); what belongs to the name across sessions (rooms, topics) is bus state.
 */
export const PresenceSchema = z.object({
  name: z.string().refine(isAgentName, { message: AGENT_NAME_RULE }),
  state: z.enum(['online', 'offline']),
  pid: z.number().int(),
  host: z.string(),
  startedAt: z.string(),
  lastSeen: z.string(),
  delivery: z.string().optional(),
  /** This session's plugin data, one key per plugin: `{ filters: { dropped: {...} } }`. */
  data: z.record(z.string(), z.json()).default({}),
});

export type PresenceRecord = z.infer<typeof PresenceSchema>;

/**
 * Presence data the kernel itself reads. `retired`: `{ at, reason }`, written when the agent
 * was retired (retire.ts): it is then no longer a known agent, until a session of that name
 * writes a new record. `madeUpName`: true when the name was generated or derived (`backend-2`),
 * so it may be retired automatically.
 */
export const RETIRED_KEY = 'retired';
export const MADE_UP_NAME_KEY = 'madeUpName';

export function isRetired(record: PresenceRecord | undefined): boolean {
  return record?.data[RETIRED_KEY] !== undefined;
}

/** What `list_agents` and `cc2cc agents` show: presence made fresh against the clock. */
export type AgentState = 'online' | 'offline' | 'stale';

export interface AgentInfo {
  name: AgentName;
  state: AgentState;
  /** Undefined for an agent that is only configured or only has an inbox. */
  presence?: PresenceRecord;
}

/** A record says "online" but its heartbeat stopped: the process died without saying so. */
export function presenceState(record: PresenceRecord, now: number, staleAfterMs: number): AgentState {
  if (record.state === 'offline') return 'offline';
  return now - Date.parse(record.lastSeen) > staleAfterMs ? 'stale' : 'online';
}

/** A record a transport is asked to store, checked; BAD_INPUT names every bad field. */
export function checkPresenceRecord(record: unknown): PresenceRecord {
  const parsed = PresenceSchema.safeParse(record);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Cc2ccError('BAD_INPUT', `invalid presence record (${problems.join('; ')})`, { issues: problems });
}
