import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isUlid } from '../../kernel/ids.js';
import type { MessageLocation } from '../../kernel/transport.js';
import type { InboxPaths } from './layout.js';
import { messageFileName } from './message-file.js';

const REASON_LIMIT = 4096;

/**
 * Where message `id` is in one inbox: dead (with its reason), done, claimed or queued;
 * undefined when it is in none (never sent there, or pruned from done/). Checked from the
 * last state back, so a file that moves while we look is found in its newer place.
 */
export async function locateMessage(paths: InboxPaths, id: string): Promise<MessageLocation | undefined> {
  if (!isUlid(id)) return undefined; // never make a path from something that is not an id
  const file = messageFileName(id);
  if (await exists(join(paths.dead, file))) {
    const reason = await readFile(join(paths.dead, `${id}.reason`), 'utf8').catch(() => '(no reason recorded)');
    return { state: 'dead', reason: reason.slice(0, REASON_LIMIT).trim() };
  }
  for (const [folder, state] of [
    ['done', 'done'],
    ['cur', 'claimed'],
    ['inbox', 'queued'],
  ] as const) {
    if (await exists(join(paths[folder], file))) return { state };
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    (found) => found.isFile(),
    () => false,
  );
}
