import { describeError } from '../../kernel/errors.js';
import type { Finding } from '../../kernel/check.js';
import type { Cc2cc } from '../../kernel/compose.js';

/** Transport-independent: agents, their waiting messages, dead letters. */
export async function checkAgents(runtime: Cc2cc): Promise<Finding[]> {
  const findings: Finding[] = [];
  const agents = await runtime.bus.agents();
  if (agents.length === 0) findings.push({ level: 'ok', check: 'agents', message: 'no agents yet' });
  for (const agent of agents) {
    // A symlink or a file where one of its folders belongs: say so, and look at the others.
    const stats = await runtime.bus.transport.stats(agent.name).catch((error: unknown) => {
      findings.push({
        level: 'fail',
        check: 'agents',
        message: `${agent.name}: ${describeError(error)}`,
        fix: 'move that away; cc2cc never follows links or uses a file where a folder belongs',
      });
      return undefined;
    });
    if (!stats) continue;
    const waiting = stats.queued + stats.claimed;
    const summary = `${agent.name}: ${agent.state}, ${waiting} waiting, ${stats.done} done, ${stats.dead} dead`;
    if (agent.state === 'stale') {
      findings.push({
        level: 'warn',
        check: 'agents',
        message: `${summary} (its process stopped without signing off)`,
        fix: `restart it with \`cc2cc serve --name ${agent.name}\``,
      });
    } else findings.push({ level: 'ok', check: 'agents', message: summary });
    if (stats.dead > 0) {
      const letters = await runtime.bus.transport.deadLetters(agent.name);
      for (const letter of letters.slice(-5)) {
        findings.push({
          level: 'warn',
          check: 'dead-letters',
          message: `${agent.name}: ${letter.id}: ${letter.reason}`,
          fix: 'read the reason; dead letters are kept for inspection and never delivered',
        });
      }
      if (letters.length > 5)
        findings.push({
          level: 'warn',
          check: 'dead-letters',
          message: `${agent.name}: ${letters.length - 5} more dead letters`,
        });
    }
  }
  return findings;
}
