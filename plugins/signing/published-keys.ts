import { Cc2ccError, agentStateKey, type State } from '../../src/plugin.js';

/** The part of `agent/<name>/` where an agent's public signing key is published. */
export const SIGNING_KEY_PART = 'signing-key';

/**
 * Public keys of per-agent signing, published in the bus State (`agent/<name>/signing-key`),
 * which every agent of the bus reads: the folder transport's `.cc2cc/state/`, or Redis for
 * agents on other machines. The first key written for a name stays (create-if-absent);
 * `cc2cc agents forget <name>` drops it with the rest of the agent's state.
 */
export class PublishedKeys {
  /** Names this process published (or found its own key for), so each is checked once. */
  private readonly done = new Map<string, Promise<void>>();

  constructor(private readonly state: State) {}

  /** The key published for `name`, if any (a value that is not a string is no key). */
  async read(name: string): Promise<string | undefined> {
    const entry = await this.state.get(agentStateKey(name, SIGNING_KEY_PART));
    return typeof entry?.value === 'string' ? entry.value : undefined;
  }

  /**
   * Publish `publicKey` for `name` unless a key is there already. Throws SIGNING_KEY_CONFLICT
   * when the State holds another key for the name: another process claims it, and signing
   * on would only make every receiver refuse this process's messages.
   */
  publish(name: string, publicKey: string, keyFile: string): Promise<void> {
    let done = this.done.get(name);
    if (!done) {
      done = this.create(name, publicKey, keyFile);
      this.done.set(name, done);
      done.catch(() => this.done.delete(name));
    }
    return done;
  }

  private async create(name: string, publicKey: string, keyFile: string): Promise<void> {
    const key = agentStateKey(name, SIGNING_KEY_PART);
    const result = await this.state.set(key, publicKey, { ifVersion: null });
    if (result.ok || result.current?.value === publicKey) return;
    throw new Cc2ccError(
      'SIGNING_KEY_CONFLICT',
      `the bus state (${key}) holds another public key for "${name}" than this process's private ` +
        `key ${keyFile}: another process, on another machine or account, claims the name. ` +
        `Fix: give this agent another name; or, if "${name}" really has a new key, run \`cc2cc ` +
        `agents forget ${name}\` (drops the old key) and have each receiver delete its known/${name}.pub`,
      { name, key },
    );
  }
}
