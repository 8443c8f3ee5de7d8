import type { Finding } from '../../kernel/check.js';
import { describeError } from '../../kernel/errors.js';
import type { RedisLink } from './connection.js';
import type { RedisKeys } from './keys.js';

/**
 * What `cc2cc doctor` says about Redis: that it answers and which version it is, how many
 * agents the namespace holds, and the server settings that can lose messages (eviction
 * under a memory limit, no persistence).
 */
export async function diagnoseRedis(link: RedisLink, keys: RedisKeys): Promise<Finding[]> {
  let info: Map<string, string>;
  let agents: number;
  try {
    [info, agents] = await link.run('read the server info', async (client) => {
      return [parseInfo(await client.info()), await client.sCard(keys.agents)] as const;
    });
  } catch (error) {
    const fix = 'start redis-server, or point transport.url (or CC2CC_REDIS_URL) at a running one';
    return [{ level: 'fail', check: 'redis', message: describeError(error), fix }];
  }
  const version = info.get('redis_version') ?? 'of unknown version';
  const role = info.get('role') === 'slave' ? ', a replica' : '';
  const namespace = `namespace "${keys.namespace}" has ${agents} agent${agents === 1 ? '' : 's'}`;
  const answers = `${link.where} answers: Redis ${version}${role}; ${namespace}`;
  const findings: Finding[] = [{ level: 'ok', check: 'redis', message: answers }];
  const policy = info.get('maxmemory_policy') ?? 'noeviction';
  if (Number(info.get('maxmemory') ?? 0) > 0 && policy !== 'noeviction') {
    findings.push({
      level: 'warn',
      check: 'redis-memory',
      message:
        `maxmemory-policy is ${policy}: when Redis reaches maxmemory it deletes keys, ` +
        'queued messages and inbox locks among them',
      fix: 'redis-cli config set maxmemory-policy noeviction (a full Redis then refuses sends, losing nothing)',
    });
  }
  if (info.get('aof_enabled') === '0' && !(await savesSnapshots(link))) {
    findings.push({
      level: 'info',
      check: 'redis-persistence',
      message:
        'Redis keeps its data only in memory (no append-only file, no snapshots): ' +
        'a restart of redis-server loses every queued message',
      fix: 'redis-cli config set appendonly yes, if messages must survive a Redis restart',
    });
  }
  return findings;
}

/** INFO's `key:value` lines; section headers (`# Server`) and blank lines are left out. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** True when RDB snapshots are configured, or when CONFIG is not allowed (a managed Redis: say nothing). */
async function savesSnapshots(link: RedisLink): Promise<boolean> {
  try {
    const config = await link.run('read the save setting', (client) => client.configGet('save'));
    return (config.save ?? '').trim() !== '';
  } catch {
    return true;
  }
}
