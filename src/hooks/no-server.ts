import { loadConfig } from '../config/load.js';
import { transportName } from '../config/transport-entry.js';
import { formatMessageFrames } from '../sinks/message-frame.js';
import { isAgentName } from '../kernel/names.js';
import { readInboxWithoutServer } from './offline-inbox.js';
import type { HookAnswer, HookRequest } from './protocol.js';

export type NoServerResult =
  | { answer: HookAnswer; root: string }
  | { why: string; root?: string; serverStarting?: number };

/**
 * The hook's path when no server of this session runs (loaded only then: it reads the
 * config): the agent's inbox is read without moving a file, and what the model is given
 * is recorded as seen, so the server that starts later does not show it again. Only on
 * the folder transport and without plugins: inbound plugins (signing, filters) must check
 * a message before the model reads it, and they run in the server.
 */
export async function readWithoutServer(
  request: HookRequest,
  project: string,
  env: NodeJS.ProcessEnv,
): Promise<NoServerResult> {
  const config = await loadConfig({ cwd: project });
  const root = config.rootDir;
  const name = isAgentName(env.CC2CC_NAME) ? env.CC2CC_NAME : config.name;
  if (!name) return { root, why: 'no agent name to read an inbox for (set CC2CC_NAME, or "name" in the config)' };
  if (transportName(config.transport) !== 'fs')
    return { root, why: 'without a server the inbox is read only on the folder transport' };
  if (config.plugins.length > 0)
    return { root, why: 'plugins check incoming messages first: they arrive once the server runs' };
  const read = await readInboxWithoutServer(root, name);
  if ('serverStarting' in read)
    return {
      root,
      serverStarting: read.serverStarting,
      why: `the server that holds ${name}'s inbox (pid ${read.serverStarting}) has no hook socket yet`,
    };
  const { messages, pushedEarlier } = read;
  const frames = messages.length > 0 ? formatMessageFrames(messages, { maxTextChars: config.maxPushChars }) : undefined;
  if (request.event === 'stop')
    return {
      root,
      answer: frames ? { block: `cc2cc: messages arrived for ${name}; read them before you stop:\n\n${frames}` } : {},
    };
  const parts: string[] = [];
  if (request.event === 'session-start')
    parts.push(
      `cc2cc: you are the agent "${name}". Its cc2cc server is not running yet; ` +
        `${messages.length === 0 ? 'no messages wait.' : 'the messages below were waiting, oldest first.'}`,
    );
  if (frames) parts.push(frames);
  if (pushedEarlier.length > 0) {
    parts.push(
      `cc2cc: pushed to an earlier session, not shown again here: ` +
        `${pushedEarlier.map((envelope) => `${envelope.id} from ${envelope.from}`).join('; ')}. ` +
        'Call check_inbox if you have not read them.',
    );
  }
  return { root, answer: parts.length > 0 ? { context: parts.join('\n\n') } : {} };
}
