import { createHash } from 'node:crypto';
import { SESSION_PREFIX } from '../kernel/agent-state.js';
import { describeError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import { isAgentName, type AgentName } from '../kernel/names.js';
import { isStateKey, type State } from '../kernel/state.js';

/**
 * A session that did not choose a name keeps the one it was given across `claude --resume`
 * and `--continue`: Claude Code passes the same `CLAUDE_CODE_SESSION_ID` to the server it
 * starts again, and the bus state maps `session/<id>` to the name.
 */
export const SESSION_ID_VARIABLE = 'CLAUDE_CODE_SESSION_ID';

/** A session unused this long is forgotten; every start under it counts again from zero. */
export const SESSION_TTL_MS = 90 * 24 * 60 * 60 * 1000;

/** `session/<id>`: the id as it is when it fits the key rule (a UUID does), else its SHA-256. */
export function sessionKey(sessionId: string): string {
  const plain = `${SESSION_PREFIX}${sessionId.toLowerCase()}`;
  return isStateKey(plain)
    ? plain
    : `${SESSION_PREFIX}${createHash('sha256').update(sessionId).digest('hex').slice(0, 48)}`;
}

/** The client's session id from the environment, if it has one. */
export function clientSessionId(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const id = env[SESSION_ID_VARIABLE]?.trim();
  return id ? id : undefined;
}

/** The name this session had before, if the state remembers one that is still a valid name. */
export async function rememberedName(state: State, sessionId: string, logger: Logger): Promise<AgentName | undefined> {
  try {
    const value = (await state.get(sessionKey(sessionId)))?.value;
    return isAgentName(value) ? value : undefined;
  } catch (error) {
    logger.warn(`could not read the name of session ${sessionId}: ${describeError(error)}; picking a new one`);
    return undefined;
  }
}

/** Remember (or refresh) the name this session serves under. A failure costs only the name on resume. */
export async function rememberName(state: State, sessionId: string, name: AgentName, logger: Logger): Promise<void> {
  try {
    await state.set(sessionKey(sessionId), name, { ttlMs: SESSION_TTL_MS });
  } catch (error) {
    logger.warn(
      `could not remember the name ${name} for session ${sessionId}: ${describeError(error)}; a ` +
        `resumed session will get a new name`,
    );
  }
}
