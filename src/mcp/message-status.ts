import { DeliveryLedger } from '../hooks/ledger.js';
import { ledgerPath } from '../hooks/session-files.js';
import { Cc2ccError } from '../kernel/errors.js';
import { isUlid } from '../kernel/ids.js';
import type { Bus } from '../kernel/bus.js';
import type { AgentName } from '../kernel/names.js';

/** A message's state in one recipient's inbox (DESIGN §4, message states). */
export type RecipientState = 'queued' | 'claimed' | 'pushed' | 'seen' | 'done' | 'dead';

export interface RecipientStatus {
  agent: AgentName;
  state: RecipientState;
  /** Why it is dead. */
  reason?: string;
}

/**
 * Where message `id` stands for every recipient that holds it: the transport says where
 * the file is (queued, claimed, done, dead), the recipient's ledger says what its model was
 * given (pushed, seen). Seen wins over done: a seen message is acked, so it is also done.
 * The ledger is a local file, so on a bus shared across machines a remote recipient's
 * message shows `done` where it was seen.
 */
export async function messageStatus(bus: Bus, rootDir: string, id: string): Promise<RecipientStatus[]> {
  if (!isUlid(id))
    throw new Cc2ccError(
      'BAD_INPUT',
      `"${id}" is not a message id: ids are 26-character ULIDs such as ` +
        `01J0000000000000000000000A, as a send result gives them`,
    );
  const { transport } = bus;
  if (!transport.locate)
    throw new Cc2ccError('BAD_INPUT', `the ${transport.kind} transport cannot look up a message by id`);
  const agents = await bus.agents();
  const found = await Promise.all(
    agents.map(async ({ name }): Promise<RecipientStatus | undefined> => {
      const location = await transport.locate!(name, id);
      if (!location) return undefined;
      if (location.state === 'dead')
        return { agent: name, state: 'dead', ...(location.reason && { reason: location.reason }) };
      const ledger = await DeliveryLedger.load(ledgerPath(rootDir, name));
      const given = ledger.state(id);
      if (given === 'seen') return { agent: name, state: 'seen' };
      if (location.state === 'done') return { agent: name, state: 'done' };
      return { agent: name, state: given === 'pushed' ? 'pushed' : location.state };
    }),
  );
  return found.filter((entry): entry is RecipientStatus => entry !== undefined);
}

/** The lines `cc2cc status` and the `status` tool print. */
export function describeStatus(id: string, statuses: readonly RecipientStatus[]): string {
  if (statuses.length === 0) return `no inbox holds message ${id}: not sent, or pruned from done/ after its retention`;
  const lines = statuses.map((entry) => `  ${entry.agent}: ${entry.state}${entry.reason ? ` (${entry.reason})` : ''}`);
  return `message ${id}:\n${lines.join('\n')}`;
}
