import { constants } from 'node:fs';
import { access, lstat, readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isAgentName } from '../../kernel/names.js';
import { processAlive } from '../../kernel/process-alive.js';
import type { Cc2cc } from '../../kernel/compose.js';
import type { LoadedConfig } from '../../config/load.js';

export type Level = 'ok' | 'warn' | 'fail';

export interface Finding {
  level: Level;
  check: string;
  message: string;
  /** What to do about it, when it is not ok. */
  fix?: string;
}

/** Checks that only make sense for the folder transport: the root and its locks. */
export async function checkFolder(config: LoadedConfig): Promise<Finding[]> {
  const root = config.rootDir;
  const stat = await lstat(root).catch(() => undefined);
  if (!stat) {
    return [{ level: 'ok', check: 'root', message: `${root} does not exist yet; it is made on first send or serve` }];
  }
  if (stat.isSymbolicLink() || !stat.isDirectory()) {
    return [{ level: 'fail', check: 'root', message: `${root} is not a plain folder`, fix: `move it away; cc2cc refuses symlinks and files where its folder should be` }];
  }
  const findings: Finding[] = [];
  const writable = await access(root, constants.W_OK).then(() => true, () => false);
  findings.push(
    writable
      ? { level: 'ok', check: 'root', message: `${root} is writable` }
      : { level: 'fail', check: 'root', message: `${root} is not writable by this user`, fix: `chown it to the user that runs the agents` },
  );
  const mode = stat.mode & 0o777;
  findings.push(
    (mode & 0o077) === 0
      ? { level: 'ok', check: 'permissions', message: `root mode ${mode.toString(8)} (only the owner can read it)` }
      : { level: 'warn', check: 'permissions', message: `root mode ${mode.toString(8)}: other users can read messages`, fix: `chmod 700 ${root}` },
  );
  findings.push(...(await checkLocks(root)));
  return findings;
}

async function checkLocks(root: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries) {
    const name = entry.slice(3);
    if (!entry.startsWith('to-') || !isAgentName(name)) continue;
    const lockPath = join(root, entry, 'lock');
    const text = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let holder: { pid?: number; host?: string } = {};
    try {
      holder = JSON.parse(text);
    } catch {
      findings.push({ level: 'warn', check: 'locks', message: `${lockPath} is unreadable`, fix: `stop ${name}'s server and delete the lock` });
      continue;
    }
    if (holder.host === hostname() && typeof holder.pid === 'number' && !processAlive(holder.pid)) {
      findings.push({
        level: 'warn',
        check: 'locks',
        message: `stale lock on ${name}'s inbox (pid ${holder.pid} is gone)`,
        fix: `harmless: the next \`cc2cc serve --name ${name}\` takes it over; or delete ${lockPath}`,
      });
    }
  }
  if (findings.length === 0) findings.push({ level: 'ok', check: 'locks', message: 'no stale inbox locks' });
  return findings;
}

/** Transport-independent: agents, their waiting messages, dead letters. */
export async function checkAgents(runtime: Cc2cc): Promise<Finding[]> {
  const findings: Finding[] = [];
  const agents = await runtime.bus.agents();
  if (agents.length === 0) findings.push({ level: 'ok', check: 'agents', message: 'no agents yet' });
  for (const agent of agents) {
    const stats = await runtime.bus.transport.stats(agent.name);
    const waiting = stats.queued + stats.claimed;
    const summary = `${agent.name}: ${agent.state}, ${waiting} waiting, ${stats.done} done, ${stats.dead} dead`;
    if (agent.state === 'stale') {
      findings.push({ level: 'warn', check: 'agents', message: `${summary} (its process stopped without signing off)`, fix: `restart it with \`cc2cc serve --name ${agent.name}\`` });
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
      if (letters.length > 5) findings.push({ level: 'warn', check: 'dead-letters', message: `${agent.name}: ${letters.length - 5} more dead letters` });
    }
  }
  return findings;
}
