import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../../kernel/errors.js';
import { isAgentName } from '../../kernel/names.js';
import { readRegularFile } from '../../transports/fs/message-file.js';
import { judgeHolder, type ProcessIdentity } from '../../transports/fs/process-identity.js';
import type { Cc2cc } from '../../kernel/compose.js';
import type { LoadedConfig } from '../../config/load.js';
import { droppedCounts, type FilterRule } from '../../../plugins/filters/index.js';

/** `ok` and `info` need nothing; `warn` and `fail` make `cc2cc doctor` exit 1. */
export type Level = 'ok' | 'info' | 'warn' | 'fail';

export interface Finding {
  level: Level;
  check: string;
  message: string;
  /** What to do about it, when it is not ok. */
  fix?: string;
}

/**
 * Writable means a message fits: write (and fsync) a file of the largest message size in the
 * root, then remove it. Permission bits alone say nothing about a full disk, a read-only
 * mount or a quota, and root passes every permission check.
 */
async function checkWritable(root: string, bytes: number): Promise<Finding> {
  const probe = join(root, `.doctor-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(probe, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
    await handle.writeFile(Buffer.alloc(bytes, 0x20));
    await handle.sync();
    return { level: 'ok', check: 'root', message: `${root} is writable (wrote and removed a ${Math.round(bytes / 1024)} KiB file)` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' || code === 'EDQUOT' ? 'the disk (or quota) is full' : code === 'EROFS' ? 'it is on a read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'this user may not write there' : describeError(error);
    const fix = code === 'ENOSPC' || code === 'EDQUOT' ? 'free some space: nothing can be sent or acknowledged until then' : code === 'EACCES' || code === 'EPERM' ? 'chown it to the user that runs the agents' : 'make it writable';
    return { level: 'fail', check: 'root', message: `${root} is not writable: ${why} (${code ?? 'error'} writing a ${Math.round(bytes / 1024)} KiB test file)`, fix };
  } finally {
    await handle?.close().catch(() => {});
    await unlink(probe).catch(() => {});
  }
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
  findings.push(await checkWritable(root, config.maxBytes));
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
    // Never through a link, never a FIFO (reading one would hang doctor), never a huge file.
    const read = await readRegularFile(lockPath, 4096);
    if (read.missing) continue;
    if (read.reason !== undefined) {
      findings.push({ level: 'warn', check: 'locks', message: `${lockPath} is not a lock file: ${read.reason}`, fix: `stop ${name}'s server and remove ${lockPath}` });
      continue;
    }
    const text = read.content;
    let holder: { pid?: unknown; host?: unknown; token?: unknown } = {};
    try {
      holder = JSON.parse(text);
    } catch {
      findings.push({ level: 'warn', check: 'locks', message: `${lockPath} is unreadable`, fix: `stop ${name}'s server and delete the lock` });
      continue;
    }
    if (typeof holder.pid !== 'number' || typeof holder.host !== 'string') continue;
    // The same rules a server uses to take a lock over (pid, start time, boot id: transports.md).
    const verdict = judgeHolder({ ...(holder as ProcessIdentity), token: typeof holder.token === 'string' ? holder.token : '' }, new Set());
    if (verdict.state === 'gone') {
      findings.push({
        level: 'warn',
        check: 'locks',
        message: `stale lock on ${name}'s inbox (pid ${holder.pid}: ${verdict.why})`,
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
    // A symlink or a file where one of its folders belongs: say so, and look at the others.
    const stats = await runtime.bus.transport.stats(agent.name).catch((error: unknown) => {
      findings.push({ level: 'fail', check: 'agents', message: `${agent.name}: ${describeError(error)}`, fix: 'move that away; cc2cc never follows links or uses a file where a folder belongs' });
      return undefined;
    });
    if (!stats) continue;
    const waiting = stats.queued + stats.claimed;
    const summary = `${agent.name}: ${agent.state}, ${waiting} waiting, ${stats.done} done, ${stats.dead} dead`;
    if (agent.state === 'stale') {
      findings.push({ level: 'warn', check: 'agents', message: `${summary} (its process stopped without signing off)`, fix: `restart it with \`cc2cc serve --name ${agent.name}\`` });
    } else findings.push({ level: 'ok', check: 'agents', message: summary });
    findings.push(...checkFilterDrops(agent.name, agent.presence?.data));
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

/** Rules whose drops mean a message did not reach the agent (or was not sent). */
const LOSING_RULES: readonly FilterRule[] = ['deny', 'allow', 'size', 'events', 'ping-pong'];

/** What the filters plugin of a running (or last run) agent counted, from its presence record. */
export function checkFilterDrops(agent: string, data: Record<string, unknown> | undefined): Finding[] {
  const counts = Object.entries(droppedCounts(data)).filter(([, count]) => typeof count === 'number' && count > 0) as Array<[FilterRule, number]>;
  if (counts.length === 0) return [];
  const list = (rules: Array<[FilterRule, number]>) => rules.map(([rule, count]) => `${rule} ${count}`).join(', ');
  const losing = counts.filter(([rule]) => LOSING_RULES.includes(rule));
  const kept = counts.filter(([rule]) => !LOSING_RULES.includes(rule));
  const parts = [
    ...(losing.length > 0 ? [`dropped ${list(losing)}`] : []),
    ...(kept.length > 0 ? [`held back or deduplicated ${list(kept)} (nothing lost)`] : []),
  ];
  const message = `${agent}: filters ${parts.join('; ')}`;
  if (losing.length === 0) return [{ level: 'info', check: 'filters', message }];
  return [
    {
      level: 'warn',
      check: 'filters',
      message,
      fix: `a message dropped on arrival is a dead letter with its reason (listed here; \`cc2cc tail\` shows drops live); if such messages should get through, change the "filters" options in the config`,
    },
  ];
}
