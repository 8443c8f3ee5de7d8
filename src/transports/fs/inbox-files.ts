import { lstat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../../kernel/logger.js';
import { moveToDead } from './dead-letters.js';
import { errnoCode, ioFailed, isMissing } from './fs-errors.js';
import { checkDir, type InboxPaths } from './layout.js';
import { describeFileType, messageFileName } from './message-file.js';
import { renameSoon } from './rename-retry.js';

/** What `rename` says when a folder and a file meet at the two ends of a move. */
const WRONG_TYPE_AT_AN_END = new Set(['EISDIR', 'ENOTDIR', 'ENOTEMPTY', 'EEXIST']);

/**
 * The moves a receiver makes between the folders of its inbox. Each tolerates the file
 * being gone already (another process moved it), returning false or logging it. When
 * something that is not a regular file sits at either end of a move (a folder named
 * `<id>.json` in `cur/` or `done/`, say), that thing is moved to `dead/` with the reason,
 * never opened or followed, and the move is tried once more: a planted folder cannot
 * block an inbox or make the receiver push a message again and again.
 */
export class InboxFiles {
  constructor(
    private readonly paths: InboxPaths,
    private readonly logger: Logger,
  ) {}

  /** inbox/ → cur/. False when another claimer won (or what was there was refused). */
  claim(name: string): Promise<boolean> {
    return this.move(join(this.paths.inbox, name), join(this.paths.cur, name), 'claim', false);
  }

  /** cur/ → inbox/, at open: what a dead receiver had claimed is offered again. */
  unclaim(name: string): Promise<boolean> {
    return this.move(
      join(this.paths.cur, name),
      join(this.paths.inbox, name),
      'return a claimed message to inbox/',
      false,
    );
  }

  /** cur/ → done/. */
  async acknowledge(id: string): Promise<void> {
    const name = messageFileName(id);
    await this.move(join(this.paths.cur, name), join(this.paths.done, name), 'acknowledge', true);
  }

  /** inbox/ → done/, for a copy of a message that was delivered already; false if it was refused or gone. */
  async acknowledgeRepeat(name: string): Promise<boolean> {
    const path = join(this.paths.inbox, name);
    const info = await lstat(path).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw ioFailed('inspect', path, error);
    });
    if (!info) return false;
    if (!info.isFile()) {
      await this.refuse(path, undefined, `${describeFileType(info)} in inbox/, never opened or followed`);
      return false;
    }
    return this.move(path, join(this.paths.done, name), 'acknowledge a repeated message', true);
  }

  /** cur/ → inbox/, to be offered again. */
  async giveBack(id: string): Promise<void> {
    const name = messageFileName(id);
    await this.move(join(this.paths.cur, name), join(this.paths.inbox, name), 'return for a retry', true);
  }

  /** A claimed message the handler refused goes to dead/ with its reason. */
  deadLetter(id: string, reason: string): Promise<void> {
    return this.refuse(join(this.paths.cur, messageFileName(id)), id, reason);
  }

  /** Any file (in inbox/ or cur/) to dead/, with its reason, reported as a warning. */
  async refuse(path: string, id: string | undefined, reason: string): Promise<void> {
    try {
      const deadId = await moveToDead(this.paths, path, reason, id);
      this.logger.warn(`dead letter ${deadId} in the inbox of "${this.paths.agent}": ${reason}`, { file: path });
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  /** True when every folder is in place; UNSAFE_PATH when a symlink was planted since open. */
  async foldersPresent(): Promise<boolean> {
    const { dir, tmp, inbox, cur, done, dead } = this.paths;
    const present = await Promise.all([dir, tmp, inbox, cur, done, dead].map((path) => checkDir(path)));
    return !present.includes(false);
  }

  private async move(from: string, to: string, what: string, reportMissing: boolean): Promise<boolean> {
    try {
      await renameSoon(from, to);
      return true;
    } catch (error) {
      if (isMissing(error)) {
        if (reportMissing) this.logger.warn(`could not ${what} ${from}: it is gone (moved by another process?)`);
        return false;
      }
      if (!WRONG_TYPE_AT_AN_END.has(errnoCode(error) ?? '')) throw ioFailed(what, from, error);
      const refused = await this.refuseOddEnd(from, to);
      if (refused === undefined) throw ioFailed(what, from, error);
      if (refused === from) return false;
    }
    try {
      await renameSoon(from, to);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw ioFailed(what, from, error);
    }
  }

  /** Move whichever end of a failed move is not a regular file to dead/ (under a fresh id). */
  private async refuseOddEnd(from: string, to: string): Promise<string | undefined> {
    for (const path of [to, from]) {
      const info = await lstat(path).catch(() => undefined);
      if (!info || info.isFile()) continue;
      const where = `${basename(dirname(path))}/`;
      await this.refuse(
        path,
        undefined,
        `${describeFileType(info)} named ${basename(path)} in ${where}, where only message files ` +
          `belong; never opened or followed`,
      );
      return path;
    }
    return undefined;
  }
}
