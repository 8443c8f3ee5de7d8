import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Cc2ccError, describeError } from '../../kernel/errors.js';
import { processAlive } from '../../kernel/process-alive.js';
import type { AgentName } from '../../kernel/names.js';
import type { Logger } from '../../kernel/logger.js';
import { parseLockRecord, type LockRecord } from '../lock-record.js';
import type { RedisLink } from './connection.js';
import { LOCK_REFRESH, LOCK_RELEASE, LOCK_TAKE_OVER } from './scripts.js';

/** What `cc2cc:<ns>:lock:<agent>` says about the receiver that holds the inbox (no Linux identity fields here). */
export type LockHolder = LockRecord;

export interface RedisInboxLock {
  readonly holder: LockHolder;
  /**
   * 'held'; 'retaken' when the key had lapsed or was deleted (Redis out of reach for longer
   * than the lock lives, or restarted without its data) and is ours again; or why it is lost
   * once another receiver holds the key (then stop receiving).
   */
  refresh(): Promise<'held' | 'retaken' | { lost: Cc2ccError }>;
  /** Delete the key if it is still ours. Never throws. */
  release(): Promise<void>;
}

/**
 * The inbox lock: `SET NX PX ttl` with a JSON holder record, refreshed while the inbox is
 * open and deleted on close. A holder that stops refreshing (it crashed, or lost Redis)
 * loses the lock after `ttlMs`. Sooner than that, a holder on this host whose pid is gone
 * is taken over at once, as the folder transport does.
 */
export async function acquireRedisLock(
  link: RedisLink,
  key: string,
  agent: AgentName,
  ttlMs: number,
  logger: Logger,
): Promise<RedisInboxLock> {
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const value = JSON.stringify(holder);
  for (let round = 0; round < 5; round++) {
    const set = await link.run(`lock the inbox of "${agent}"`, (client) =>
      client.set(key, value, { NX: true, PX: ttlMs }),
    );
    if (set !== null) return heldLock(link, agent, key, holder, value, ttlMs, logger);
    const current = await link.run(`read the inbox lock of "${agent}"`, (client) => client.get(key));
    if (current === null) continue; // released in between: try again
    const other = parseLockRecord(current);
    if (other && (other.host !== holder.host || processAlive(other.pid))) throw lockedError(agent, key, other, ttlMs);
    logger.warn(
      other
        ? `taking over the inbox of "${agent}": its holder, pid ${other.pid} on ${other.host}, is gone`
        : `taking over the inbox of "${agent}": its lock ${key} holds no readable record`,
    );
    const taken = await link.run(`take over the inbox lock of "${agent}"`, (client) =>
      client.eval(LOCK_TAKE_OVER, { keys: [key], arguments: [current, value, String(ttlMs)] }),
    );
    if (taken === 1) return heldLock(link, agent, key, holder, value, ttlMs, logger);
  }
  throw new Cc2ccError(
    'INBOX_LOCKED',
    `could not take the inbox lock ${key} of "${agent}": other receivers kept changing it; try again`,
    { key },
  );
}

function heldLock(
  link: RedisLink,
  agent: AgentName,
  key: string,
  holder: LockHolder,
  value: string,
  ttlMs: number,
  logger: Logger,
): RedisInboxLock {
  let released = false;
  return {
    holder,
    async refresh() {
      const result = await link.run('refresh the inbox lock', (client) =>
        client.eval(LOCK_REFRESH, { keys: [key], arguments: [value, String(ttlMs)] }),
      );
      if (result === 1) return 'held';
      if (result === 2) {
        logger.warn(
          `the inbox lock ${key} was gone (it lapsed while Redis was out of reach for longer than ${ttlMs} ms, ` +
            'or Redis lost its data); it is ours again',
        );
        return 'retaken';
      }
      const current = await link.run('read the inbox lock', (client) => client.get(key));
      const other = current === null ? undefined : parseLockRecord(current);
      return { lost: takenOverError(agent, key, other) };
    },
    async release() {
      if (released) return;
      released = true;
      try {
        await link.run('release the inbox lock', (client) =>
          client.eval(LOCK_RELEASE, { keys: [key], arguments: [value] }),
        );
      } catch (error) {
        logger.warn(`could not release the inbox lock ${key}: ${describeError(error)}; it lapses within ${ttlMs} ms`);
      }
    },
  };
}

function takenOverError(agent: AgentName, key: string, holder: LockHolder | undefined): Cc2ccError {
  const who = holder ? `pid ${holder.pid} on ${holder.host} (since ${holder.startedAt})` : 'another receiver';
  const why = "this receiver's lock lapsed or was taken over";
  return new Cc2ccError('INBOX_LOCKED', `${who} holds the inbox of "${agent}" now (Redis key ${key}): ${why}`, {
    key,
    ...(holder && { pid: holder.pid, host: holder.host, startedAt: holder.startedAt }),
  });
}

function lockedError(agent: AgentName, key: string, holder: LockHolder, ttlMs: number): Cc2ccError {
  const here = holder.host === hostname();
  const where = here ? `on this host (${holder.host})` : `on host ${holder.host}`;
  const advice = here
    ? 'stop that process first, or pick another agent name'
    : `cc2cc cannot check a process on another host: if it is gone, its lock lapses within ${ttlMs} ms (minIdleMs)`;
  return new Cc2ccError(
    'INBOX_LOCKED',
    `the inbox of "${agent}" is held by pid ${holder.pid} ${where} since ${holder.startedAt} ` +
      `(Redis key ${key}); ${advice}`,
    { key, pid: holder.pid, host: holder.host, startedAt: holder.startedAt },
  );
}
