import { plural } from './delivery.js';
import type { Bus } from '../kernel/bus.js';
import type { AgentName } from '../kernel/names.js';
import type { ChannelNotification } from '../sinks/channel-sink.js';
import type { HeldName } from './held-name.js';

/**
 * The first push of a session: who this agent is, who else is online, how many messages
 * wait (they follow it, in order). Its meta says `kind="system"`, so it cannot be taken
 * for a message from another agent. A session serving under a derived name (its chosen
 * name is held by another live session) says so first. `wakeToken` (meta `wake`) lets a
 * hook find it in the client's transcript.
 */
export async function selfWake(
  bus: Bus,
  agent: AgentName,
  held?: HeldName,
  wakeToken?: string,
): Promise<ChannelNotification> {
  const online = (await bus.agents())
    .filter((info) => info.state === 'online' && info.name !== agent)
    .map((info) => info.name);
  const stats = await bus.transport.stats(agent);
  const waiting = stats.queued + stats.claimed;
  const who = online.length > 0 ? `Online: ${online.join(', ')}.` : 'No other agent is online.';
  const backlog =
    waiting === 0
      ? 'No messages waiting.'
      : `${plural(waiting, 'message')} waiting; ${waiting === 1 ? 'it follows' : 'they follow, oldest first'}.`;
  return {
    content: `cc2cc: ${held ? held.note : `you are ${agent}`}. ${who} ${backlog}`,
    meta: {
      kind: 'system',
      to: agent,
      waiting: String(waiting),
      ...(online.length > 0 && { online: online.join(',') }),
      ...(held && { held_name: held.name }),
      // Found in the client's transcript, it proves pushes reach the conversation.
      ...(wakeToken && { wake: wakeToken }),
    },
  };
}
