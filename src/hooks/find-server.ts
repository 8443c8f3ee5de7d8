import { processAlive } from '../kernel/process-alive.js';
import type { SessionEndpoint } from './session-files.js';

/**
 * A shared ancestor counts only this close to both: the client's process is within a few
 * levels (hook ← sh ← npm exec ← sh ← client), while a terminal or tmux server that two
 * sessions share is further up and must not join them.
 */
const NEAR = 5;

export type ServerMatch =
  | { endpoint: SessionEndpoint; how: string }
  | { ambiguous: SessionEndpoint[]; why: string }
  | { none: string };

/**
 * Which running server belongs to this hook's session (DESIGN §4): the one with the same
 * `CLAUDE_CODE_SESSION_ID`; else the one whose process shares the nearest ancestor with
 * the hook (both are children of the client's process); else the one `CC2CC_NAME` names.
 * Where two servers fit equally (one Codex app-server serving several sessions), it says
 * so instead of guessing, unless `CC2CC_NAME` picks one of them.
 */
export function matchServer(
  endpoints: readonly SessionEndpoint[],
  hookAncestors: readonly number[],
  env: NodeJS.ProcessEnv,
): ServerMatch {
  const sessionId = env.CLAUDE_CODE_SESSION_ID;
  // A server of another Claude Code session is never this one's, whatever else they share.
  const live = endpoints.filter(
    (endpoint) =>
      processAlive(endpoint.pid) && !(sessionId && endpoint.claudeSessionId && endpoint.claudeSessionId !== sessionId),
  );
  if (live.length === 0) return { none: 'no cc2cc server of this session runs in this project' };
  const named = env.CC2CC_NAME || undefined;
  if (sessionId) {
    const same = live.filter((endpoint) => endpoint.claudeSessionId === sessionId);
    if (same.length === 1) return { endpoint: same[0]!, how: 'same Claude Code session id' };
    if (same.length > 1) return pickByName(same, named, `${same.length} servers have this session id`);
  }
  for (const ancestor of hookAncestors.slice(0, NEAR)) {
    const sharing = live.filter((endpoint) => endpoint.ancestors.slice(0, NEAR).includes(ancestor));
    if (sharing.length === 1) return { endpoint: sharing[0]!, how: `shared parent process ${ancestor}` };
    if (sharing.length > 1)
      return pickByName(sharing, named, `${sharing.length} servers share the parent process ${ancestor}`);
  }
  if (named) {
    const byName = live.find((endpoint) => endpoint.name === named);
    if (byName) return { endpoint: byName, how: 'CC2CC_NAME' };
  }
  return {
    none:
      `none of the running cc2cc servers ` +
      `(${live.map((endpoint) => endpoint.name).join(', ')}) belongs to this session`,
  };
}

function pickByName(candidates: SessionEndpoint[], named: string | undefined, why: string): ServerMatch {
  const chosen = named ? candidates.find((endpoint) => endpoint.name === named) : undefined;
  if (chosen) return { endpoint: chosen, how: `CC2CC_NAME among ${why}` };
  return { ambiguous: candidates, why };
}
