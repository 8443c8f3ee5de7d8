import { describeClaim, storedClaims } from '../../../plugins/claims/index.js';
import type { Cc2cc } from '../../kernel/compose.js';
import type { Finding } from '../../kernel/check.js';

/**
 * With the claims plugin on: each claim whose time passed but is still stored, and each
 * claim held by an agent that is not running (stale, offline or unknown), which lasts
 * until it expires because no heartbeat renews it.
 */
export async function checkClaims(runtime: Cc2cc): Promise<Finding[]> {
  if (!runtime.plugins.includes('claims')) return [];
  const now = Date.now();
  const [claims, agents] = await Promise.all([storedClaims(runtime.bus.state), runtime.bus.agents()]);
  const states = new Map(agents.map((agent) => [agent.name as string, agent.state]));
  const findings: Finding[] = [];
  for (const claim of claims) {
    if (claim.expiresAt <= now) {
      findings.push({ level: 'info', check: 'claims', message: `expired: ${claim.holder}'s claim on ${claim.paths.join(', ')} (until ${new Date(claim.expiresAt).toISOString()}); it no longer refuses anything and goes with its holder's next write` });
      continue;
    }
    const state = states.get(claim.holder) ?? 'unknown';
    if (state === 'online') findings.push({ level: 'ok', check: 'claims', message: describeClaim(claim, now) });
    else {
      findings.push({
        level: 'warn',
        check: 'claims',
        message: `orphaned: ${describeClaim(claim, now)}, but ${claim.holder} is ${state}: nothing renews it`,
        fix: `start ${claim.holder} again and call "release", or wait until it expires`,
      });
    }
  }
  if (claims.length === 0) findings.push({ level: 'ok', check: 'claims', message: 'no file claims' });
  return findings;
}
