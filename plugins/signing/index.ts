import { createHmac, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { Cc2ccError, definePlugin, drop, pass, type Envelope } from '../../src/plugin.js';
import { AgentKeys } from './agent-keys.js';
import { PublishedKeys } from './published-keys.js';
import { canonicalJson } from './canonical.js';
import { loadOrCreateKey } from './key-file.js';

export interface SigningOptions {
  /**
   * `project` (default): one HMAC key for the project, any holder signs as anyone.
   * `agent`: each agent signs with its own Ed25519 key (see `agent-keys.ts`), so a receiver
   * that cannot read the other agents' private keys knows which agent sent a message.
   */
  keys?: 'project' | 'agent';
  /** Project key file (default `<root>/signing.key`, made on first use with mode 0600). */
  keyFile?: string;
  /**
   * Per-agent keys: the folder for private keys and pins, outside the bus folder (default
   * `$CC2CC_KEYS_DIR`, else `$XDG_CONFIG_HOME/cc2cc/keys`, else `~/.config/cc2cc/keys`).
   */
  keysDir?: string;
  /** A message dated further in the future than this is refused (clock skew allowed). */
  maxSkewMs?: number;
  /** A message older than this is refused as a possible replay. Keep it above how long an agent may stay offline. */
  maxAgeMs?: number;
  /** How many recent ids are remembered to refuse replays. */
  rememberIds?: number;
}

const DEFAULTS = {
  keys: 'project' as const,
  maxSkewMs: 5 * 60_000,
  maxAgeMs: 7 * 24 * 60 * 60_000,
  rememberIds: 100_000,
};

/**
 * Sender authenticity: every outgoing envelope carries `sig`, an HMAC-SHA256 over its
 * canonical form (without `sig`) with the project's key. With signing on, a receiver
 * dead-letters unsigned, badly signed and replayed messages (an id seen before, or a
 * timestamp outside the allowed window) before any other plugin or the sink sees them.
 * It proves "written by a holder of the key", nothing more: see docs/signing.md.
 * With `keys: 'agent'` each agent signs with its own Ed25519 key instead, and a receiver
 * checks the signature against the key the sender published in the bus State (pinned on
 * first use).
 */
export const signing = definePlugin((options: SigningOptions = {}) => {
  const settings = { ...DEFAULTS, ...options };
  let key: Buffer | undefined;
  let agentKeys: AgentKeys | undefined;
  let published: PublishedKeys | undefined;
  const seen = new Set<string>();

  const sign = (envelope: Envelope) => signatureFor(envelope, key!);
  /** Why the signature does not hold, or undefined. */
  const checkSignature = async (envelope: Envelope): Promise<string | undefined> => {
    if (agentKeys) return agentKeys.check(envelope, () => published!.read(envelope.from));
    const expected = Buffer.from(sign(envelope));
    const given = Buffer.from(envelope.sig!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return "bad signature: not signed with this project's key, or changed after signing";
    return undefined;
  };

  const publishOwnKey = async (name: string) =>
    published!.publish(name, await agentKeys!.publicKey(name), agentKeys!.keyPath(name));

  return {
    name: 'signing',
    // Loads last, so its outbound hook signs after every other plugin changed the envelope.
    enforce: 'post',
    async setup(ctx) {
      const root = ctx.config.rootDir ?? join(ctx.config.projectDir, '.cc2cc');
      if (settings.keys === 'agent') {
        agentKeys = new AgentKeys(AgentKeys.folder(root, settings.keysDir), ctx.logger);
        published = new PublishedKeys(ctx.state);
        // Made at first start, published in the bus State every agent (on any machine) reads.
        // A name whose published key is another one is claimed elsewhere: refuse to start.
        ctx.onStart((bus) => publishOwnKey(bus.name!));
      } else key = await loadOrCreateKey(settings.keyFile ?? join(root, 'signing.key'), ctx.logger);

      // After routing, so the signature covers `rcpt`: the agents this message was stored for.
      ctx.onRouted(
        async (envelope) => {
          if (!agentKeys) return pass({ ...envelope, sig: sign(envelope) });
          // One-shot senders (`cc2cc send --from`) never start: they publish on first send.
          try {
            await publishOwnKey(envelope.from);
          } catch (error) {
            if (error instanceof Cc2ccError && error.code === 'SIGNING_KEY_CONFLICT')
              return drop(`not sent: ${error.message}`);
            throw error;
          }
          return pass({ ...envelope, sig: await agentKeys.sign(envelope) });
        },
        { order: 'post' },
      );

      ctx.onReceive(
        async (envelope, { attempt }) => {
          if (envelope.sig === undefined) return drop('unsigned message refused (signing is on)');
          const bad = await checkSignature(envelope);
          if (bad) return drop(bad);
          // The kernel checked `rcpt` names this agent; signed, it cannot have been rewritten.
          if (envelope.rcpt === undefined)
            return drop(
              'signed without its recipients (rcpt): refused, since a copy could be replayed into ' +
                'any inbox (the sender runs an older cc2cc?)',
            );
          const age = ctx.clock.now().getTime() - Date.parse(envelope.ts);
          if (age < -settings.maxSkewMs)
            return drop(`timestamp ${envelope.ts} is ${-age} ms in the future (allowed skew ${settings.maxSkewMs} ms)`);
          if (age > settings.maxAgeMs)
            return drop(`timestamp ${envelope.ts} is older than ${settings.maxAgeMs} ms: refused as a possible replay`);
          // A retry of the same delivery is not a replay; a second copy of an id is.
          if (attempt === 1) {
            if (seen.has(envelope.id)) return drop(`replayed id ${envelope.id}: already received`);
            seen.add(envelope.id);
            if (seen.size > settings.rememberIds) seen.delete(seen.values().next().value!);
          }
          return pass();
        },
        { order: 'pre' },
      );
    },
  };
});

export { canonicalJson };

/** For tools and tests: the signature a key gives an envelope. */
export function signatureFor(envelope: Envelope, key: Buffer): string {
  if (key.length === 0) throw new Cc2ccError('BAD_INPUT', 'an empty signing key signs nothing');
  return createHmac('sha256', key)
    .update(canonicalJson({ ...envelope, sig: undefined }))
    .digest('base64url');
}
