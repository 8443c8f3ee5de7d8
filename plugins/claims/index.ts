import { z } from 'zod';
import { definePlugin, describeError, tokens, type EditGuard } from '../../src/plugin.js';
import { requireAgent } from '../shared/state-list.js';
import {
  addClaim,
  allClaims,
  describeClaim,
  holdersOf,
  releaseClaims,
  renewClaims,
  type Claim,
} from './claim-store.js';
import { claimsCommand } from './claims-command.js';
import { checkClaims } from './claims-check.js';

export interface ClaimsOptions {
  /** An edit of an unclaimed path claims it for the editing agent (`cc2cc hook pre-tool`). Default false. */
  autoClaim?: boolean;
  /** Whether such an automatic claim is exclusive. Default false (shared). */
  autoClaimExclusive?: boolean;
  /** Time-to-live of an automatic claim, in seconds. Default 3600. */
  autoClaimTtlS?: number;
}

const DEFAULT_TTL_S = 3600;

/**
 * File claims: agents claim paths by glob (exclusive or shared, with a time-to-live), and
 * the client's pre-edit hook refuses an edit of a path another agent holds. Claims are
 * bus state at `agent/<name>/claims`, so forgetting an agent drops them; a running agent's
 * heartbeat renews them, so they outlive it by at most their time-to-live.
 */
export const claims = definePlugin((options: ClaimsOptions = {}) => {
  const autoTtlS = options.autoClaimTtlS ?? DEFAULT_TTL_S;
  if (!(autoTtlS > 0)) throw new Error(`claims: autoClaimTtlS must be a positive number of seconds, got ${autoTtlS}`);
  return {
    name: 'claims',
    setup(ctx) {
      const state = ctx.state;
      const now = () => ctx.clock.now().getTime();

      ctx.addTool({
        name: 'claim',
        description:
          "Claim files before you edit them, so other agents' edits there are refused: globs " +
          'relative to the repository root. Exclusive (default) refuses any overlapping claim; ' +
          'shared refuses only exclusive ones. Renewed while you run; release when done.',
        input: {
          paths: z.array(z.string()).min(1).describe('globs or paths, e.g. ["src/auth/**", "README.md"]'),
          exclusive: z.boolean().default(true).describe('false: others may claim them shared too'),
          ttl_s: z
            .number()
            .positive()
            .default(DEFAULT_TTL_S)
            .describe('how long the claim outlives you if you stop without releasing it'),
          reason: z.string().max(200).optional().describe('what you are doing there, shown to whoever is refused'),
        },
        async run({ paths, exclusive, ttl_s, reason }, { bus }) {
          const self = requireAgent(bus, 'claim');
          // Defaults again: a caller that skips the schema (a library user, a test) gets them too.
          const request = {
            paths,
            exclusive: exclusive ?? true,
            ttlMs: Math.round((ttl_s ?? DEFAULT_TTL_S) * 1000),
            ...(reason && { reason }),
          };
          const claim = await addClaim(state, self, request, now);
          return {
            text:
              `claimed ${claim.paths.join(', ')} ` +
              `(${claim.exclusive ? 'exclusive' : 'shared'}, until ` +
              `${new Date(claim.expiresAt).toISOString()}, renewed while you run)`,
          };
        },
      });

      ctx.addTool({
        name: 'release',
        description:
          'Release your claims on these globs (exactly as claimed), or all your claims when paths is left out.',
        input: { paths: z.array(z.string()).optional().describe('globs you claimed; omit to release all') },
        async run({ paths }, { bus }) {
          const self = requireAgent(bus, 'release');
          const released = await releaseClaims(state, self, paths, now());
          return { text: released.length > 0 ? `released ${released.join(', ')}` : 'you held no such claim' };
        },
      });

      ctx.addTool({
        name: 'list_claims',
        description: 'Every file claim on the bus: holder, paths, exclusive or shared, reason, since, expires.',
        input: {},
        async run() {
          const at = now();
          const all = await allClaims(state, at);
          return {
            text:
              all.length === 0
                ? 'no claims'
                : all.map((claim) => `${describeClaim(claim, at)}, since ${claim.since}`).join('\n'),
          };
        },
      });

      ctx.addCommand(claimsCommand(state, now));
      ctx.addCheck('claims', (context) => checkClaims(context, now()));

      const guard: EditGuard = {
        async checkEdit(paths, agent) {
          const at = now();
          const held = holdersOf(await allClaims(state, at), agent, paths);
          if (held.length > 0) return refusal(held, at);
          if (options.autoClaim && agent) {
            const auto = {
              paths: [...paths],
              exclusive: options.autoClaimExclusive ?? false,
              ttlMs: Math.round(autoTtlS * 1000),
              reason: 'edited',
            };
            // Claims made meanwhile by another agent win: then this edit is refused after all.
            const refused = await addClaim(state, agent, auto, now).then(
              () => undefined,
              (error: unknown) => `cc2cc: ${describeError(error)}`,
            );
            if (refused) return refused;
          }
          return undefined;
        },
      };
      ctx.provide(tokens.EDIT_GUARD, guard);

      let timer: NodeJS.Timeout | undefined;
      ctx.onStart((bus) => {
        const self = bus.name;
        if (!self) return;
        const renew = () =>
          renewClaims(state, self, now).catch((error: unknown) =>
            ctx.logger.warn(`claims: renewal failed: ${describeError(error)}`),
          );
        timer = setInterval(renew, ctx.config.heartbeatMs);
        timer.unref();
        return renew().then(() => undefined);
      });
      ctx.onStop(() => {
        if (timer) clearInterval(timer);
      });
    },
  };
});

export { globsOverlap, globMatches } from './glob-overlap.js';
export { allClaims, storedClaims, describeClaim, type Claim } from './claim-store.js';

function refusal(held: Claim[], at: number): string {
  return (
    `cc2cc: this file is claimed by another agent: ` +
    `${held.map((claim) => describeClaim(claim, at)).join('; ')}. Do not edit it: ask ` +
    `${[...new Set(held.map((claim) => claim.holder))].join(' or ')} (send) to release it, or work elsewhere.`
  );
}
