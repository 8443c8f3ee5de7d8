import { createHmac, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { Cc2ccError, definePlugin, drop, pass, type Envelope } from '../../src/index.js';
import { canonicalJson } from './canonical.js';
import { loadOrCreateKey } from './key-file.js';

export interface SigningOptions {
  /** Key file (default `<root>/signing.key`, made on first use with mode 0600). */
  keyFile?: string;
  /** A message dated further in the future than this is refused (clock skew allowed). */
  maxSkewMs?: number;
  /** A message older than this is refused as a possible replay. Keep it above how long an agent may stay offline. */
  maxAgeMs?: number;
  /** How many recent ids are remembered to refuse replays. */
  rememberIds?: number;
}

const DEFAULTS = { maxSkewMs: 5 * 60_000, maxAgeMs: 7 * 24 * 60 * 60_000, rememberIds: 100_000 };

/**
 * Sender authenticity: every outgoing envelope carries `sig`, an HMAC-SHA256 over its
 * canonical form (without `sig`) with the project's key. With signing on, a receiver
 * dead-letters unsigned, badly signed and replayed messages (an id seen before, or a
 * timestamp outside the allowed window) before any other plugin or the sink sees them.
 * It proves "written by a holder of the key", nothing more: see docs/signing.md.
 */
export const signing = definePlugin((options: SigningOptions = {}) => {
  const settings = { ...DEFAULTS, ...options };
  let key: Buffer | undefined;
  const seen = new Set<string>();

  const sign = (envelope: Envelope) => signatureFor(envelope, key!);

  return {
    name: 'signing',
    // Loads last, so its outbound hook signs after every other plugin changed the envelope.
    enforce: 'post',
    async setup(ctx) {
      const root = ctx.config.rootDir ?? join(ctx.config.projectDir, '.cc2cc');
      key = await loadOrCreateKey(settings.keyFile ?? join(root, 'signing.key'), ctx.logger);

      // After routing, so the signature covers `rcpt`: the agents this message was stored for.
      ctx.onRouted((envelope) => pass({ ...envelope, sig: sign(envelope) }), { order: 'post' });

      ctx.onReceive(
        (envelope, { attempt }) => {
          if (envelope.sig === undefined) return drop('unsigned message refused (signing is on)');
          const expected = Buffer.from(sign(envelope));
          const given = Buffer.from(envelope.sig);
          if (expected.length !== given.length || !timingSafeEqual(expected, given)) return drop('bad signature: not signed with this project\'s key, or changed after signing');
          // The kernel checked `rcpt` names this agent; signed, it cannot have been rewritten.
          if (envelope.rcpt === undefined) return drop('signed without its recipients (rcpt): refused, since a copy could be replayed into any inbox (the sender runs an older cc2cc?)');
          const age = ctx.clock.now().getTime() - Date.parse(envelope.ts);
          if (age < -settings.maxSkewMs) return drop(`timestamp ${envelope.ts} is ${-age} ms in the future (allowed skew ${settings.maxSkewMs} ms)`);
          if (age > settings.maxAgeMs) return drop(`timestamp ${envelope.ts} is older than ${settings.maxAgeMs} ms: refused as a possible replay`);
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
  return createHmac('sha256', key).update(canonicalJson({ ...envelope, sig: undefined })).digest('base64url');
}
