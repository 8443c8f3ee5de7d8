import { z } from 'zod';
import {
  AGENT_NAME_RULE,
  Cc2ccError,
  assertAgentName,
  definePlugin,
  isAgentName,
  type State,
} from '../../src/plugin.js';
import { listOf, listsOf, requireAgent, updateList } from '../shared/state-list.js';

export interface RoomsOptions {
  /** Static members per room, besides the agents that join: `{ reviewers: ['calm-owl'] }`. */
  members?: Record<string, string[]>;
}

const KEY = 'rooms';

/**
 * `room:<name>` addresses. Members are the static ones from the options plus every agent
 * that joined: the rooms an agent joined are bus state at `agent/<name>/rooms`, so they
 * belong to the name and survive restarts until it leaves (or is forgotten).
 * A send fans out on write: one copy per member, the sender excluded.
 */
export const rooms = definePlugin((options: RoomsOptions = {}) => {
  const members = checkMembers(options.members ?? {});
  return {
    name: 'rooms',
    setup(ctx) {
      const state = ctx.state;
      ctx.addScheme('room', {
        describe: 'a room (room:NAME)',
        async resolve(room) {
          assertRoomName(room);
          const all = await roomTable(state, members);
          const found = all.get(room);
          if (!found || found.size === 0) {
            const known = [...all.keys()].sort();
            throw new Cc2ccError(
              'NO_RECIPIENTS',
              `room "${room}" has no members; ` +
                `${known.length > 0 ? `rooms: ${known.join(', ')}` : 'no rooms yet'} ` +
                '(agents join with the "join" tool)',
              { room, known },
            );
          }
          return [...found];
        },
        // Static members come from the options, whichever form the config used: `['rooms', {...}]` or rooms({...}).
        async list() {
          return [...(await roomTable(state, members))].map(([target, agents]) => ({ target, agents: [...agents] }));
        },
      });

      ctx.addTool({
        name: 'join',
        description: 'Join a room: you receive every message sent to room:<name>.',
        input: { room: z.string().describe('room name, e.g. "backend"') },
        async run({ room }, { bus }) {
          const self = requireAgent(bus, 'join');
          assertRoomName(room);
          const changed = await updateList(state, self, KEY, room, true);
          const roomMembers = (await roomTable(state, members)).get(room) ?? new Set();
          return {
            text: `${changed ? 'joined' : 'already in'} room:${room}; members: ${[...roomMembers].sort().join(', ')}`,
          };
        },
      });

      ctx.addTool({
        name: 'leave',
        description: 'Leave a room you joined.',
        input: { room: z.string().describe('room name') },
        async run({ room }, { bus }) {
          const self = requireAgent(bus, 'leave');
          assertRoomName(room);
          const changed = await updateList(state, self, KEY, room, false);
          const note = members[room]?.includes(bus.name!) ? ' (you stay a static member from the config)' : '';
          return { text: `${changed ? 'left' : 'was not in'} room:${room}${note}` };
        },
      });

      ctx.addCommand({
        name: 'rooms',
        description: 'list rooms and their members',
        async run(_args, _options, { print }) {
          const table = await roomTable(state, members);
          if (table.size === 0) print('no rooms yet');
          for (const [room, who] of [...table].sort(([a], [b]) => a.localeCompare(b)))
            print(`room:${room}  ${[...who].sort().join(', ')}`);
        },
      });
    },
  };
});

/** The rooms an agent joined (static memberships from the config not included). */
export function joinedRooms(state: State, name: string): Promise<string[]> {
  return listOf(state, name, KEY);
}

async function roomTable(state: State, members: Record<string, string[]>): Promise<Map<string, Set<string>>> {
  const table = new Map<string, Set<string>>();
  const add = (room: string, agent: string) => {
    if (!table.has(room)) table.set(room, new Set());
    table.get(room)!.add(agent);
  };
  for (const [room, names] of Object.entries(members)) for (const name of names) add(room, name);
  for (const [agent, rooms] of await listsOf(state, KEY))
    for (const room of rooms) if (isAgentName(room)) add(room, agent);
  return table;
}

function assertRoomName(room: string): void {
  if (!isAgentName(room))
    throw new Cc2ccError(
      'INVALID_ADDRESS',
      `invalid room name ${JSON.stringify(room)}: ${AGENT_NAME_RULE.replace('an agent name', 'a room name')}`,
    );
}

function checkMembers(members: Record<string, string[]>): Record<string, string[]> {
  for (const [room, names] of Object.entries(members)) {
    assertRoomName(room);
    for (const name of names) assertAgentName(name, `member of room "${room}"`);
  }
  return members;
}
