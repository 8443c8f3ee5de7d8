import type { CheckContext, CheckFinding } from '../../src/plugin.js';
import { describeClaim, storedClaims } from './claim-store.js';

/**
 * For `cc2cc doctor`: each claim whose time passed but is still stored, and each claim held
 * by an agent that is not running (stale, offline or unknown), which lasts until it expires
 * because no heartbeat renews it.
 */
export async function checkClaims({ bus }: CheckContext, now: number): Promise<CheckFinding[]> {
  const [claims, agents] = await Promise.all([storedClaims(bus.state), bus.agents()]);
  const states = new Map(agents.map((agent) => [agent.name as string, agent.state]));
  const findings: CheckFinding[] = [];
  for (const claim of claims) {
    if (claim.expiresAt <= now) {
      const until = new Date(claim.expiresAt).toISOString();
      const message =
        `expired: ${claim.holder}'s claim on ${claim.paths.join(', ')} (until ${until}); ` +
        "it no longer refuses anything and goes with its holder's next write";
      findings.push({ level: 'info', message });
      continue;
    }
    const state = states.get(claim.holder) ?? 'unknown';
    if (state === 'online') findings.push({ level: 'ok', message: describeClaim(claim, now) });
    else {
      findings.push({
        level: 'warn',
        message: `orphaned: ${describeClaim(claim, now)}, but ${claim.holder} is ${state}: nothing renews it`,
        fix: `start ${claim.holder} again and call "release", or wait until it expires`,
      });
    }
  }
  if (claims.length === 0) findings.push({ level: 'ok', message: 'no file claims' });
  return findings;
}
