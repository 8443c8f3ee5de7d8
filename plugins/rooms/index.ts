import { z } from 'zod';
import { AGENT_NAME_RULE, Cc2ccError, assertAgentName, definePlugin, isAgentName, type AgentInfo } from '../../src/index.js';
import { listIn, ownList, requireAgent, updateOwnList } from '../shared/presence-list.js';

export interface RoomsOptions {
  /** Static members per room, besides the agents that join: `{ reviewers: ['calm-owl'] }`. */
  members?: Record<string, string[]>;
}

const KEY = 'rooms';

/**
 * `room:<name>` addresses. Members are the static ones from the options plus every agent
 * whose own presence record lists the room, so no file is written by two agents.
 * A send fans out on write: one copy per member, the sender excluded.
 */
export const rooms = definePlugin((options: RoomsOptions = {}) => {
  const members = checkMembers(options.members ?? {});
  return {
    name: 'rooms',
    setup(ctx) {
      ctx.addScheme('room', async (room, { directory }) => {
        assertRoomName(room);
        const all = roomTable(await directory.agents(), members);
        const found = all.get(room);
        if (!found || found.size === 0) {
          const known = [...all.keys()].sort();
          throw new Cc2ccError(
            'NO_RECIPIENTS',
            `room "${room}" has no members; ${known.length > 0 ? `rooms: ${known.join(', ')}` : 'no rooms yet'} (agents join with the "join" tool)`,
            { room, known },
          );
        }
        return [...found];
      });

      ctx.addTool({
        name: 'join',
        description: 'Join a room: you receive every message sent to room:<name>.',
        input: { room: z.string().describe('room name, e.g. "backend"') },
        async run({ room }, { bus }) {
          requireAgent(bus, 'join');
          assertRoomName(room);
          const changed = await updateOwnList(bus, KEY, room, true);
          const roomMembers = roomTable(await bus.agents(), members).get(room) ?? new Set();
          return { text: `${changed ? 'joined' : 'already in'} room:${room}; members: ${[...roomMembers].sort().join(', ')}` };
        },
      });

      ctx.addTool({
        name: 'leave',
        description: 'Leave a room you joined.',
        input: { room: z.string().describe('room name') },
        async run({ room }, { bus }) {
          requireAgent(bus, 'leave');
          assertRoomName(room);
          const changed = await updateOwnList(bus, KEY, room, false);
          const note = members[room]?.includes(bus.name!) ? ' (you stay a static member from the config)' : '';
          return { text: `${changed ? 'left' : 'was not in'} room:${room}${note}` };
        },
      });

      ctx.addCommand({
        name: 'rooms',
        description: 'list rooms and their members',
        async run(_args, _options, { bus, print }) {
          const table = roomTable(await bus.agents(), members);
          if (table.size === 0) print('no rooms yet');
          for (const [room, who] of [...table].sort(([a], [b]) => a.localeCompare(b))) print(`room:${room}  ${[...who].sort().join(', ')}`);
        },
      });
    },
  };
});

/** This agent's joined rooms (for list_agents and the self-wake note). */
export function joinedRooms(agent: Pick<AgentInfo, 'presence'>): string[] {
  return listIn(agent, KEY);
}

export { ownList as ownRooms };

function roomTable(agents: AgentInfo[], members: Record<string, string[]>): Map<string, Set<string>> {
  const table = new Map<string, Set<string>>();
  const add = (room: string, agent: string) => {
    if (!table.has(room)) table.set(room, new Set());
    table.get(room)!.add(agent);
  };
  for (const [room, names] of Object.entries(members)) for (const name of names) add(room, name);
  for (const agent of agents) for (const room of listIn(agent, KEY)) if (isAgentName(room)) add(room, agent.name);
  return table;
}

function assertRoomName(room: string): void {
  if (!isAgentName(room)) throw new Cc2ccError('INVALID_ADDRESS', `invalid room name ${JSON.stringify(room)}: ${AGENT_NAME_RULE.replace('an agent name', 'a room name')}`);
}

function checkMembers(members: Record<string, string[]>): Record<string, string[]> {
  for (const [room, names] of Object.entries(members)) {
    assertRoomName(room);
    for (const name of names) assertAgentName(name, `member of room "${room}"`);
  }
  return members;
}
