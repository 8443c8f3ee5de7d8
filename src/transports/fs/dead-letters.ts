import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { newId } from '../../kernel/ids.js';
import type { DeadLetter } from '../../kernel/transport.js';
import { tempName, writeFileAtomic } from './atomic-write.js';
import { errnoCode, ioFailed, isMissing } from './fs-errors.js';
import { checkDir, type InboxPaths } from './layout.js';
import { messageFileName, messageId, readMessageFile, readRegularFile } from './message-file.js';
import { renameWithRetry } from './rename-retry.js';

const MAX_REASON_BYTES = 64 * 1024;
const NO_REASON = '(no reason recorded)';

/**
 * Move `from` to `dead/<id>.json` with its reason in `dead/<id>.reason`. The reason is
 * written first: a crash in between leaves the message where it was, never a reasonless
 * dead letter. Dead letters are never replaced: when `id` is unknown (a stray file), or an
 * earlier dead letter has it (a copy refused again), or its slot is taken by something that
 * cannot be replaced, a fresh id is used. Returns the id the dead letter got.
 */
export async function moveToDead(
  paths: InboxPaths,
  from: string,
  reason: string,
  id: string = newId(),
): Promise<string> {
  for (const candidate of [id, newId()]) {
    const target = join(paths.dead, messageFileName(candidate));
    const fresh = candidate !== id;
    if (!fresh && ((await taken(target)) || (await taken(join(paths.dead, `${candidate}.reason`))))) continue;
    await writeReason(paths, candidate, fresh ? `${reason} (message ${id}: dead/ already holds that id)` : reason);
    try {
      await renameWithRetry(from, target);
      return candidate;
    } catch (error) {
      const code = errnoCode(error);
      // A folder cannot replace a file (nor a file a non-empty folder): take a fresh slot.
      if (!fresh && (code === 'EISDIR' || code === 'ENOTDIR' || code === 'ENOTEMPTY' || code === 'EEXIST')) {
        await unlink(join(paths.dead, `${candidate}.reason`)).catch(() => {});
        continue;
      }
      if (code === 'ENOENT') {
        // The file went away (another process moved it): its reason has nothing to explain.
        await unlink(join(paths.dead, `${candidate}.reason`)).catch(() => {});
        throw error;
      }
      throw ioFailed('move to dead letters', from, error);
    }
  }
  throw ioFailed('move to dead letters', from, new Error('no free name in dead/'));
}

/** Only the holder of the inbox lock writes dead/, so a look before the move does not race. */
async function taken(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    (error: unknown) => {
      if (isMissing(error)) return false;
      throw ioFailed('inspect', path, error);
    },
  );
}

async function writeReason(paths: InboxPaths, id: string, reason: string): Promise<void> {
  const target = join(paths.dead, `${id}.reason`);
  try {
    await writeFileAtomic(join(paths.tmp, tempName(id, '.reason')), target, `${reason}\n`);
  } catch (error) {
    throw ioFailed('write the dead-letter reason', target, error);
  }
}

/** Every dead letter of one inbox, oldest id first. Reads only; never follows a link. */
export async function listDeadLetters(paths: InboxPaths, maxBytes: number): Promise<DeadLetter[]> {
  if (!(await checkDir(paths.dir)) || !(await checkDir(paths.dead))) return [];
  let names: string[];
  try {
    names = await readdir(paths.dead);
  } catch (error) {
    if (isMissing(error)) return [];
    throw ioFailed('list', paths.dead, error);
  }
  const letters: DeadLetter[] = [];
  for (const fileName of names.sort()) {
    const id = messageId(fileName);
    if (id === undefined) continue;
    const reasonFile = await readRegularFile(join(paths.dead, `${id}.reason`), MAX_REASON_BYTES);
    const reason =
      reasonFile.missing || reasonFile.reason !== undefined ? NO_REASON : reasonFile.content.trimEnd() || NO_REASON;
    const read = await readMessageFile(join(paths.dead, fileName), maxBytes);
    letters.push(read.ok ? { id, reason, envelope: read.envelope } : { id, reason });
  }
  return letters;
}

/** Read the reason next to a dead letter (for the observer); undefined when there is none. */
export async function readDeadReason(paths: InboxPaths, id: string): Promise<string | undefined> {
  const read = await readRegularFile(join(paths.dead, `${id}.reason`), MAX_REASON_BYTES);
  if (read.missing || read.reason !== undefined) return undefined;
  return read.content.trimEnd();
}
