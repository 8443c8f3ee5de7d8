import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { Cc2ccError } from '../../kernel/errors.js';
import type { AgentName } from '../../kernel/names.js';

/**
 * Where everything of one cc2cc namespace lives in Redis. Every key starts with
 * `cc2cc:<namespace>:`, so two projects on one Redis never see each other's keys:
 *
 * ```
 * cc2cc:<ns>:agents              SET     names with a presence record or an inbox (agents() reads it; no KEYS/SCAN)
 * cc2cc:<ns>:inbox:<agent>       STREAM  the inbox: one entry per queued message (field `envelope`);
 *                                        one consumer group, named after the agent
 * cc2cc:<ns>:dead:<agent>        STREAM  dead letters: fields `id`, `reason`, `envelope` (raw text), `at`
 * cc2cc:<ns>:done:<agent>        ZSET    envelope ids acked, scored by ack time (bounded: maxDone, doneMs)
 * cc2cc:<ns>:lock:<agent>        STRING  who receives this inbox: pid, host, start, token; PX minIdleMs
 * cc2cc:<ns>:presence:<agent>    STRING  the presence record (JSON); PX presenceTtlMs, refreshed by the heartbeat
 * cc2cc:<ns>:state:<key>        HASH    one key of the bus state: v version, j JSON value, x expiry (state-store.ts)
 * cc2cc:<ns>:state-index         ZSET    every state key, score 0, so list(prefix) reads a lexical range
 * cc2cc:<ns>:traffic             PUB/SUB channel of traffic events for observers (`cc2cc tail`); stores nothing
 * ```
 *
 * All keys of one namespace hash to different slots: Redis Cluster is not supported
 * (the scripts touch several keys at once). A single Redis, or a primary with replicas, is.
 */
export class RedisKeys {
  readonly prefix: string;

  constructor(readonly namespace: string) {
    assertNamespace(namespace);
    this.prefix = `cc2cc:${namespace}:`;
  }

  get agents(): string {
    return `${this.prefix}agents`;
  }

  get traffic(): string {
    return `${this.prefix}traffic`;
  }

  inbox(agent: AgentName): string {
    return `${this.prefix}inbox:${agent}`;
  }

  dead(agent: AgentName): string {
    return `${this.prefix}dead:${agent}`;
  }

  done(agent: AgentName): string {
    return `${this.prefix}done:${agent}`;
  }

  lock(agent: AgentName): string {
    return `${this.prefix}lock:${agent}`;
  }

  presence(agent: AgentName): string {
    return `${this.prefix}presence:${agent}`;
  }

  /** The consumer group of an inbox: one per agent, named after it. */
  group(agent: AgentName): string {
    return agent;
  }

  /** A `SCAN MATCH` pattern for every key of this namespace (cleanup tools and tests only). */
  get pattern(): string {
    return `${this.prefix}*`;
  }
}

export const NAMESPACE_RULE =
  'a Redis namespace is 1–64 characters of letters, digits, ".", "_" and "-", starting with a ' +
  'letter or digit (no ":" or glob characters)';

const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isNamespace(value: unknown): value is string {
  return typeof value === 'string' && NAMESPACE.test(value);
}

export function assertNamespace(value: unknown): string {
  if (isNamespace(value)) return value;
  throw new Cc2ccError('INVALID_CONFIG', `invalid Redis namespace ${JSON.stringify(value)}: ${NAMESPACE_RULE}`, {
    namespace: String(value),
  });
}

/**
 * The namespace when neither the config nor `CC2CC_REDIS_NAMESPACE` gives one: the
 * project folder's name plus a short hash of its absolute path (`my-app-3f9a1c2e`). Two
 * checkouts of one project on two machines have different paths and so different
 * namespaces: to share a bus across machines, set the namespace explicitly.
 */
export function defaultNamespace(projectDir: string): string {
  const absolute = resolve(projectDir);
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 8);
  const name = basename(absolute)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 40)
    .replace(/[-.]+$/, '');
  return name ? `${name}-${hash}` : `project-${hash}`;
}
