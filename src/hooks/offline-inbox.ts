import { readdir, readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../kernel/process-alive.js';
import type { Envelope } from '../kernel/envelope.js';
import { DeliveryLedger, OFFLINE_HOOK_VIA } from './ledger.js';
import { ledgerPath } from './session-files.js';

export type OfflineRead = { messages: Envelope[]; pushedEarlier: Envelope[] } | { serverStarting: number };

/** Most messages one hook puts into context; the rest wait for the next hook or check_inbox. */
const MAX_MESSAGES = 50;

/**
 * A hook's read of `name`'s inbox while no server runs (folder transport): the messages
 * in `inbox/` and `cur/` the model has not seen, oldest first, without moving any file.
 * Each one returned is recorded as seen in the agent's ledger, so the next server acks
 * it without showing it again (and sends its receipt). A live inbox lock means a server
 * is starting: then nothing is read.
 */
export async function readInboxWithoutServer(root: string, name: string): Promise<OfflineRead> {
  const found = await stat(root).catch(() => undefined);
  if (found && !found.isDirectory()) throw new Error(`the bus root ${root} is not a folder`);
  const dir = join(root, `to-${name}`);
  const holder = await readFile(join(dir, 'lock'), 'utf8').then(
    (text) => JSON.parse(text) as { pid?: number; host?: string },
    () => undefined,
  );
  if (holder?.pid && holder.host === hostname() && processAlive(holder.pid)) return { serverStarting: holder.pid };
  const ledger = await DeliveryLedger.load(ledgerPath(root, name));
  const files = new Map<string, string>();
  for (const folder of ['cur', 'inbox']) {
    const names = await readdir(join(dir, folder)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[]; // no inbox yet: nothing waits
      throw new Error(`cannot read ${join(dir, folder)}: ${error.message}`);
    });
    for (const file of names) if (file.endsWith('.json')) files.set(file.slice(0, -5), join(dir, folder, file));
  }
  const { decodeEnvelope } = await import('../kernel/envelope.js'); // zod: only on this rare path
  const messages: Envelope[] = [];
  const pushedEarlier: Envelope[] = [];
  for (const id of [...files.keys()].sort()) {
    if (messages.length >= MAX_MESSAGES) break;
    const state = ledger.state(id);
    if (state === 'seen') continue;
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(await readFile(files.get(id)!, 'utf8'));
    } catch {
      continue; // moved meanwhile, or a bad file the server will dead-letter
    }
    if (envelope.expiresAt && Date.parse(envelope.expiresAt) <= Date.now()) continue;
    // One an earlier session pushed is named by id, never shown in full again.
    (state === 'pushed' ? pushedEarlier : messages).push(envelope);
  }
  for (const envelope of messages) await ledger.record(envelope.id, 'seen', OFFLINE_HOOK_VIA);
  return { messages, pushedEarlier };
}
