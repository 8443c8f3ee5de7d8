import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { forgetAgentState } from './agent-state.js';
import { Cc2ccError, describeError, isCc2ccError } from './errors.js';
import { assertAgentName, type AgentName } from './names.js';
import { MADE_UP_NAME_KEY, RETIRED_KEY, type PresenceRecord } from './presence.js';
import type { Bus } from './bus.js';
import type { Logger } from './logger.js';
import type { Inbox } from './transport.js';

export interface RetireOptions {
  /** Why: kept in the presence record, and the dead-letter reason of what was queued. */
  reason: string;
  /** Retire even with messages queued: they move to dead letters with the reason. */
  force?: boolean;
}

export interface RetiredAgent {
  name: AgentName;
  /** Messages moved to dead letters (with `force`). */
  deadLettered: number;
  /** Bus state keys dropped: rooms, topics, the sessions that mapped to the name. */
  stateKeys: string[];
}

/** How long `force` waits for the queued messages to reach dead letters. */
const DRAIN_LIMIT_MS = 30_000;
const DRAIN_POLL_MS = 20;

/**
 * Retire an agent: it is no longer a known recipient, listed, or reached by `*`, and its
 * rooms, topics and session names are dropped. Its presence record says `retired` until
 * a session of that name starts again. Refused for a configured agent, a live one
 * (AGENT_LIVE), and one with messages queued unless `force` (MESSAGES_WAITING).
 * Taking the agent's inbox while doing it proves no session serves it meanwhile.
 */
export async function retireAgent(bus: Bus, name: string, options: RetireOptions): Promise<RetiredAgent> {
  const agent = assertAgentName(name);
  if (bus.config.agents.includes(agent)) {
    throw new Cc2ccError(
      'BAD_INPUT',
      `"${agent}" is configured in "agents": configured agents are never retired; remove it from the config first`,
      { name: agent },
    );
  }
  const agents = await bus.agents();
  const info = agents.find((candidate) => candidate.name === agent);
  if (!info) {
    throw new Cc2ccError(
      'NOT_FOUND',
      `no agent named "${agent}"; known agents: ${agents.map((known) => known.name).join(', ') || '(none)'}`,
      { name: agent },
    );
  }
  if (info.state === 'online') throw live(agent, info.presence);
  const { queued, claimed } = await bus.transport.stats(agent);
  if (queued + claimed > 0 && !options.force) {
    throw new Cc2ccError(
      'MESSAGES_WAITING',
      `${queued + claimed} message(s) wait for "${agent}"; deliver them first, or forget it with ` +
        `--force to move them to its dead letters`,
      {
        name: agent,
        waiting: queued + claimed,
      },
    );
  }
  let deadLettered = 0;
  let inbox: Inbox;
  try {
    // A message that arrives meanwhile goes to dead letters too: nobody will read it.
    inbox = await bus.transport.open(agent, async (delivery) => {
      await delivery.deadLetter(`retired: ${options.reason}`);
      deadLettered++;
    });
  } catch (error) {
    if (isCc2ccError(error, 'INBOX_LOCKED')) throw live(agent, undefined, error);
    throw error;
  }
  try {
    await drained(bus, agent);
    const now = new Date().toISOString();
    const base: PresenceRecord = info.presence ?? {
      name: agent,
      state: 'offline',
      pid: process.pid,
      host: hostname(),
      startedAt: now,
      lastSeen: now,
      data: {},
    };
    await bus.transport.announce({
      ...base,
      state: 'offline',
      data: { [RETIRED_KEY]: { at: now, reason: options.reason } },
    });
  } finally {
    await inbox.close();
  }
  const stateKeys = await forgetAgentState(bus.state, agent);
  return { name: agent, deadLettered, stateKeys };
}

/**
 * Retire every agent with a made-up name (generated, or derived like `backend-2`) that has
 * been offline (or stale) longer than `retireAfterMs` with nothing queued. Named agents are
 * never retired. A running server calls this from time to time.
 */
export async function retireIdleAgents(bus: Bus, logger: Logger): Promise<AgentName[]> {
  const retired: AgentName[] = [];
  const now = Date.now();
  for (const info of await bus.agents()) {
    const presence = info.presence;
    if (presence?.data[MADE_UP_NAME_KEY] !== true || info.state === 'online' || info.name === bus.name) continue;
    if (now - Date.parse(presence.lastSeen) <= bus.config.retireAfterMs) continue;
    try {
      const { queued, claimed } = await bus.transport.stats(info.name);
      if (queued + claimed > 0) continue;
      await retireAgent(bus, info.name, {
        reason: `offline since ${presence.lastSeen} with nothing queued (retireAfterMs ${bus.config.retireAfterMs})`,
      });
      retired.push(info.name);
      logger.info(`retired ${info.name}: offline since ${presence.lastSeen}, nothing queued`);
    } catch (error) {
      // It came back, or mail arrived: it stays. Anything else is worth a line.
      if (!isCc2ccError(error, 'AGENT_LIVE') && !isCc2ccError(error, 'MESSAGES_WAITING'))
        logger.warn(`could not retire ${info.name}: ${describeError(error)}`);
    }
  }
  return retired;
}

async function drained(bus: Bus, agent: AgentName): Promise<void> {
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  for (;;) {
    const { queued, claimed } = await bus.transport.stats(agent);
    if (queued + claimed === 0) return;
    if (Date.now() > deadline)
      throw new Cc2ccError(
        'TIMEOUT',
        `${queued + claimed} message(s) of "${agent}" did not reach its dead letters within ` +
          `${DRAIN_LIMIT_MS} ms; try again`,
        { name: agent },
      );
    await sleep(DRAIN_POLL_MS);
  }
}

function live(agent: AgentName, presence: PresenceRecord | undefined, cause?: Cc2ccError): Cc2ccError {
  const who = presence
    ? `pid ${presence.pid} on ${presence.host}, since ${presence.startedAt}`
    : (cause?.message ?? 'another process holds its inbox');
  return new Cc2ccError(
    'AGENT_LIVE',
    `"${agent}" is served by a live session (${who}); it can be forgotten once that session ends`,
    { name: agent },
    cause ? { cause } : undefined,
  );
}
