import { createRuntime } from '../runtime.js';
import { isCc2ccError, type Cc2ccError } from '../kernel/errors.js';
import { MADE_UP_NAME_KEY } from '../kernel/presence.js';
import { freeAgentName } from './agent-name.js';
import { freeDerivedName, heldBy, HELD_NAME_KEY, type HeldName } from './held-name.js';
import { clientSessionId, rememberName, rememberedName } from './session-name.js';
import type { LoadedConfig } from '../config/load.js';
import type { Cc2cc } from '../kernel/compose.js';
import type { Logger } from '../kernel/logger.js';
import type { AgentName } from '../kernel/names.js';
import type { AgentDelivery } from './delivery.js';
import { DeliveryLedger } from '../hooks/ledger.js';
import { ledgerPath } from '../hooks/session-files.js';

export interface AttachedAgent {
  runtime: Cc2cc;
  agent: AgentName;
  /** How the name came about: chosen (config, --name, CC2CC_NAME), generated, or derived from a held name. */
  origin: 'chosen' | 'generated' | 'derived';
  /** Set when the chosen name was held by another live session. */
  held?: HeldName;
}

/** Two servers that make up the same name at the same moment: the loser picks again. */
const NAME_ATTEMPTS = 3;

/**
 * A runtime attached to this session's agent. A chosen name that another live session
 * holds does not stop the session: it serves under `backend-2` (the first free derived
 * name) and says why; nothing addressed to `backend` reaches it.
 */
export async function attachAgent(
  config: LoadedConfig,
  delivery: AgentDelivery,
  logger: Logger,
): Promise<AttachedAgent> {
  const chosen = config.name;
  const session = chosen === undefined ? clientSessionId() : undefined;
  const tried = new Set<string>();
  let holder: Cc2ccError | undefined;
  for (let attempt = 1; ; attempt++) {
    const runtime = await createRuntime(config, { sink: delivery, logger });
    let agent: AgentName | undefined;
    try {
      if (chosen === undefined) {
        // A resumed session takes its name back; if that is held right now, it gets a new one.
        const before = session && attempt === 1 ? await rememberedName(runtime.bus.state, session, logger) : undefined;
        agent = before ?? (await freeAgentName(runtime.bus));
      } else agent = holder ? await freeDerivedName(runtime.bus, chosen, tried) : chosen;
      tried.add(agent);
      const madeUp = chosen === undefined || holder !== undefined;
      // Before the inbox opens: the first message offered is checked against the ledger.
      delivery.bindLedger(await DeliveryLedger.load(ledgerPath(config.rootDir, agent)));
      await runtime.bus.attach(agent, {
        delivery: delivery.mode,
        ...(madeUp && { data: { [MADE_UP_NAME_KEY]: true } }),
      });
    } catch (error) {
      // Only the transport: closing the bus would mark the agent that holds this inbox offline.
      await runtime.bus.transport.close().catch(() => {});
      if (agent === undefined || !isCc2ccError(error, 'INBOX_LOCKED')) throw error;
      if (chosen !== undefined && agent === chosen) holder = error;
      else if (attempt >= NAME_ATTEMPTS + (chosen === undefined ? 0 : 1)) throw error;
      logger.info(`name ${agent} is held by a live session; picking another`);
      continue;
    }
    if (chosen === undefined) {
      if (session) await rememberName(runtime.bus.state, session, agent, logger);
      return { runtime, agent, origin: 'generated' };
    }
    if (!holder) return { runtime, agent, origin: 'chosen' };
    const held = heldBy(chosen, holder, agent);
    logger.warn(held.note);
    await runtime.bus.setPresenceData(HELD_NAME_KEY, { ...held });
    return { runtime, agent, origin: 'derived', held };
  }
}
