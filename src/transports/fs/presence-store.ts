import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { isAgentName, type AgentName } from '../../kernel/names.js';
import { checkPresenceRecord, PresenceSchema, type PresenceRecord } from '../../kernel/presence.js';
import { tempName, writeFileAtomic } from './atomic-write.js';
import { ioFailed, isMissing } from './fs-errors.js';
import { checkDir, type FsLayout } from './layout.js';
import { readRegularFile } from './message-file.js';

const MAX_PRESENCE_BYTES = 256 * 1024;
const PRESENCE_FILE = /^(.+)\.json$/;

/** `agents/<name>.json`: each agent writes only its own record, by tmp + rename. */
export class PresenceStore {
  constructor(
    private readonly layout: FsLayout,
    private readonly logger: Logger,
  ) {}

  async write(record: PresenceRecord): Promise<void> {
    const checked = checkPresenceRecord(record);
    const target = this.layout.presenceFile(checked.name);
    await this.layout.ensureAgentsDir();
    // The temp file is a dotfile beside the record: `read` skips dotfiles, so it is never listed.
    const temp = join(this.layout.agentsDir, tempName(`.${checked.name}`, '.tmp'));
    try {
      // A heartbeat rewrites it every few seconds: no fsync, a lost record is rewritten.
      await writeFileAtomic(temp, target, `${JSON.stringify(checked)}\n`, { fsync: false });
    } catch (error) {
      throw ioFailed('write the presence record', target, error);
    }
  }

  /** Every readable record by name; bad files are reported and skipped. */
  async readAll(): Promise<Map<AgentName, PresenceRecord>> {
    const records = new Map<AgentName, PresenceRecord>();
    if (!(await checkDir(this.layout.agentsDir))) return records;
    let names: string[];
    try {
      names = await readdir(this.layout.agentsDir);
    } catch (error) {
      if (isMissing(error)) return records;
      throw ioFailed('list', this.layout.agentsDir, error);
    }
    const wanted: Array<{ path: string; name: AgentName }> = [];
    for (const fileName of names.sort()) {
      if (fileName.startsWith('.')) continue;
      const name = PRESENCE_FILE.exec(fileName)?.[1];
      if (name === undefined) continue;
      const path = join(this.layout.agentsDir, fileName);
      if (!isAgentName(name)) this.logger.warn(`skipping presence file ${path}: its name is not a valid agent name`);
      else wanted.push({ path, name });
    }
    // Read side by side: with fifty agents, one after another is fifty round trips.
    const read = await Promise.all(wanted.map(({ path, name }) => this.readOne(path, name)));
    wanted.forEach(({ name }, index) => {
      const record = read[index];
      if (record) records.set(name, record);
    });
    return records;
  }

  private async readOne(path: string, name: AgentName): Promise<PresenceRecord | undefined> {
    const read = await readRegularFile(path, MAX_PRESENCE_BYTES);
    if (read.missing) return undefined;
    if (read.reason !== undefined) {
      this.logger.warn(`skipping presence file ${path}: ${read.reason}`);
      return undefined;
    }
    try {
      const record = PresenceSchema.parse(JSON.parse(read.content));
      if (record.name !== name) throw new Error(`it names agent "${record.name}"`);
      return record;
    } catch (error) {
      this.logger.warn(`skipping presence file ${path}: not a valid presence record (${describeError(error)})`);
      return undefined;
    }
  }
}
