import { checkPresenceRecord, PresenceSchema, type PresenceRecord } from '../../kernel/presence.js';
import { describeError } from '../../kernel/errors.js';
import { isAgentName, type AgentName } from '../../kernel/names.js';
import type { Logger } from '../../kernel/logger.js';
import type { RedisLink } from './connection.js';
import type { RedisKeys } from './keys.js';
import { runScript } from './script-call.js';
import { AGENTS } from './scripts.js';

/**
 * Presence records as `cc2cc:<ns>:presence:<agent>` keys with a TTL that each heartbeat
 * (`announce`) renews, and the `cc2cc:<ns>:agents` set of every name with a record or an
 * inbox, so listing agents never scans the keyspace.
 */
export class RedisPresence {
  /** The last record read per agent: a send lists the agents each time, and records change only on a heartbeat. */
  private readonly parsed = new Map<AgentName, { text: string; record: PresenceRecord }>();
  private listing: { generation: number; reply: Promise<Array<string | null>> } | undefined;
  private generation = 0;

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
    try {
      await this.link.run(`write the presence record of "${name}"`, (client) =>
        client.multi().set(this.keys.presence(name), text, { PX: this.ttlMs }).sAdd(this.keys.agents, name).exec(),
      );
    } finally {
      this.changed();
    }
  }

  /** This process changed the agents (a presence record, a put to a new inbox): later listings must show it. */
  changed(): void {
    this.generation++;
  }

  /** Every known name, with its record where one is readable and has not expired. */
  async all(): Promise<Array<{ name: AgentName; presence?: PresenceRecord }>> {
    const listed = await this.list();
    const agents: Array<{ name: AgentName; presence?: PresenceRecord }> = [];
    for (let i = 0; i < listed.length; i += 2) {
      const name = String(listed[i]);
      if (!isAgentName(name)) {
        this.logger.warn(`skipping ${JSON.stringify(name)} in ${this.keys.agents}: not a valid agent name`);
        continue;
      }
      const presence = this.parse(name, listed[i + 1] ?? null);
      agents.push(presence ? { name, presence } : { name });
    }
    const live = new Set(agents.map(({ name }) => name));
    for (const name of this.parsed.keys()) if (!live.has(name)) this.parsed.delete(name);
    return agents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * One read for every caller that asks while it is on its way (16 sends in flight each list
   * the agents), unless this process changed something since it left: what a caller wrote
   * before asking is always in its answer.
   */
  private list(): Promise<Array<string | null>> {
    if (this.listing?.generation === this.generation) return this.listing.reply;
    const listing = {
      generation: this.generation,
      reply: this.link.run('list the agents', async (client) => {
        const options = { keys: [this.keys.agents], arguments: [this.keys.presence('')] };
        return (await runScript(client, AGENTS, options)) as Array<string | null>;
      }),
    };
    this.listing = listing;
    const done = () => {
      if (this.listing === listing) this.listing = undefined;
    };
    listing.reply.then(done, done);
    return listing.reply;
  }

  private parse(name: AgentName, text: string | null): PresenceRecord | undefined {
    if (text === null) return undefined;
    const known = this.parsed.get(name);
    if (known?.text === text) return structuredClone(known.record);
    try {
      const record = PresenceSchema.parse(JSON.parse(text));
      if (record.name !== name) throw new Error(`it names agent "${record.name}"`);
      this.parsed.set(name, { text, record: structuredClone(record) });
      return record;
    } catch (error) {
      this.logger.warn(
        `skipping the presence record of "${name}": not a valid presence record (${describeError(error)})`,
      );
      return undefined;
    }
  }
}
