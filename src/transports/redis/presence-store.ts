import { checkPresenceRecord, PresenceSchema, type PresenceRecord } from '../../kernel/presence.js';
import { describeError } from '../../kernel/errors.js';
import { isAgentName, type AgentName } from '../../kernel/names.js';
import type { Logger } from '../../kernel/logger.js';
import type { RedisLink } from './connection.js';
import type { RedisKeys } from './keys.js';

/**
 * Presence records as `cc2cc:<ns>:presence:<agent>` keys with a TTL that each heartbeat
 * (`announce`) renews, and the `cc2cc:<ns>:agents` set of every name with a record or an
 * inbox, so listing agents never scans the keyspace.
 */
export class RedisPresence {
  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number,
    private readonly logger: Logger,
  ) {}

  async write(record: PresenceRecord): Promise<void> {
    const checked = checkPresenceRecord(record);
    const { name } = checked;
    const text = JSON.stringify(checked);
    await this.link.run(`write the presence record of "${name}"`, (client) =>
      client.multi().set(this.keys.presence(name), text, { PX: this.ttlMs }).sAdd(this.keys.agents, name).exec(),
    );
  }

  /** Every known name, with its record where one is readable and has not expired. */
  async all(): Promise<Array<{ name: AgentName; presence?: PresenceRecord }>> {
    const members = await this.link.run('list the agents', (client) => client.sMembers(this.keys.agents));
    const names = members.filter((name) => {
      if (isAgentName(name)) return true;
      this.logger.warn(`skipping ${JSON.stringify(name)} in ${this.keys.agents}: not a valid agent name`);
      return false;
    });
    names.sort();
    if (names.length === 0) return [];
    const texts = await this.link.run('read the presence records', (client) => client.mGet(names.map((name) => this.keys.presence(name))));
    return names.map((name, index) => {
      const presence = this.parse(name, texts[index] ?? null);
      return presence ? { name, presence } : { name };
    });
  }

  private parse(name: AgentName, text: string | null): PresenceRecord | undefined {
    if (text === null) return undefined;
    try {
      const record = PresenceSchema.parse(JSON.parse(text));
      if (record.name !== name) throw new Error(`it names agent "${record.name}"`);
      return record;
    } catch (error) {
      this.logger.warn(`skipping the presence record of "${name}": not a valid presence record (${describeError(error)})`);
      return undefined;
    }
  }
}
