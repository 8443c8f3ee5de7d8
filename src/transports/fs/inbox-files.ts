import { join } from 'node:path';
import type { Logger } from '../../kernel/logger.js';
import { moveToDead } from './dead-letters.js';
import { ioFailed, isMissing } from './fs-errors.js';
import { checkDir, type InboxPaths } from './layout.js';
import { messageFileName } from './message-file.js';
import { renameWithRetry } from './rename-retry.js';

/**
 * The moves a receiver makes between the folders of its inbox. Each tolerates the file
 * being gone already (another process moved it), returning false or logging it.
 */
export class InboxFiles {
  constructor(
    private readonly paths: InboxPaths,
    private readonly logger: Logger,
  ) {}

  /** inbox/ → cur/. False when another claimer won. */
  claim(name: string): Promise<boolean> {
    return this.move(join(this.paths.inbox, name), join(this.paths.cur, name), 'claim', false);
  }

  /** cur/ → done/. */
  async acknowledge(id: string): Promise<void> {
    const name = messageFileName(id);
    await this.move(join(this.paths.cur, name), join(this.paths.done, name), 'acknowledge', true);
  }

  /** inbox/ → done/, for a copy of a message that was delivered already. */
  async acknowledgeRepeat(name: string): Promise<void> {
    await this.move(join(this.paths.inbox, name), join(this.paths.done, name), 'acknowledge a repeated message', true);
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
      await renameWithRetry(from, to);
      return true;
    } catch (error) {
      if (!isMissing(error)) throw ioFailed(what, from, error);
      if (reportMissing) this.logger.warn(`could not ${what} ${from}: it is gone (moved by another process?)`);
      return false;
    }
  }
}
