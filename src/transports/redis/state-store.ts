import {
  assertStateKey,
  assertStatePrefix,
  checkTtl,
  encodeStateValue,
  type State,
  type StateEntry,
  type StateSetOptions,
  type StateSetResult,
  type StateValue,
} from '../../kernel/state.js';
import { newId } from '../../kernel/ids.js';
import type { RedisLink } from './connection.js';

/**
 * Write one key if its version is as expected. KEYS: the key's hash, the index. ARGV: key,
 * mode (`any`, `absent`, `is`), expected version, new version, JSON value, ttl ms or ''.
 * Returns {1, expiresAt} or {0, version, json, expiresAt} of what is there now ('' = absent).
 * Seeing its own new version means a repeat after a lost reply: that write already landed.
 */
const SET = `
local cur = redis.call('HMGET', KEYS[1], 'v', 'j', 'x')
if cur[1] == ARGV[4] then return {1, cur[3] or ''} end
if (ARGV[2] == 'absent' and cur[1]) or (ARGV[2] == 'is' and cur[1] ~= ARGV[3]) then
  return {0, cur[1] or '', cur[2] or '', cur[3] or ''}
end
local expiresAt = ''
if ARGV[6] ~= '' then
  local now = redis.call('TIME')
  expiresAt = tostring(tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + tonumber(ARGV[6]))
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[4], 'j', ARGV[5], 'x', expiresAt)
if ARGV[6] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[6]) end
redis.call('ZADD', KEYS[2], 0, ARGV[1])
return {1, expiresAt}
`;

/** KEYS: the key's hash, the index. ARGV: key, expected version or ''. Returns 1 when removed. */
const DELETE = `
local cur = redis.call('HGET', KEYS[1], 'v')
if not cur or (ARGV[2] ~= '' and cur ~= ARGV[2]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

/**
 * Every live key in a range of the index, with version, JSON and expiry, flat. Index entries
 * whose hash expired are dropped on the way. KEYS: the index. ARGV: min, max, hash key prefix.
 */
const LIST = `
local out = {}
for _, key in ipairs(redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], ARGV[2])) do
  local h = redis.call('HMGET', ARGV[3] .. key, 'v', 'j', 'x')
  if h[1] then
    table.insert(out, key); table.insert(out, h[1]); table.insert(out, h[2]); table.insert(out, h[3] or '')
  else
    redis.call('ZREM', KEYS[1], key)
  end
end
return out
`;

/**
 * `State` in Redis. Each key is a hash `cc2cc:<ns>:state:<key>` (`v` version, `j` JSON value,
 * `x` expiry in ms, with PEXPIRE doing the expiring); the sorted set `cc2cc:<ns>:state-index`
 * names every key, so `list` reads a range of it instead of scanning the keyspace. Writes are
 * Lua scripts: the version check and the write happen together inside Redis.
 */
export class RedisState implements State {
  private readonly hashPrefix: string;
  private readonly index: string;

  constructor(
    private readonly link: RedisLink,
    prefix: string,
  ) {
    this.hashPrefix = `${prefix}state:`;
    this.index = `${prefix}state-index`;
  }

  async get(key: string): Promise<StateEntry | undefined> {
    assertStateKey(key);
    const [version, json, expiresAt] = await this.link.run(`read state key "${key}"`, (client) =>
      client.hmGet(this.hashPrefix + key, ['v', 'j', 'x']),
    );
    return version ? toEntry(key, version, json ?? 'null', expiresAt ?? '') : undefined;
  }

  async list(prefix: string): Promise<StateEntry[]> {
    assertStatePrefix(prefix);
    const [min, max] = prefix === '' ? ['-', '+'] : [`[${prefix}`, `[${prefix}\xff`];
    const flat = (await this.link.run(`list state keys "${prefix}*"`, (client) =>
      client.eval(LIST, { keys: [this.index], arguments: [min, max, this.hashPrefix] }),
    )) as string[];
    const entries: StateEntry[] = [];
    for (let i = 0; i < flat.length; i += 4) entries.push(toEntry(flat[i]!, flat[i + 1]!, flat[i + 2]!, flat[i + 3]!));
    return entries;
  }

  async set(key: string, value: StateValue, options: StateSetOptions = {}): Promise<StateSetResult> {
    assertStateKey(key);
    const json = encodeStateValue(key, value);
    const ttlMs = checkTtl(options.ttlMs);
    const mode = options.ifVersion === undefined ? 'any' : options.ifVersion === null ? 'absent' : 'is';
    const version = newId();
    const reply = (await this.link.run(`write state key "${key}"`, (client) =>
      client.eval(SET, {
        keys: [this.hashPrefix + key, this.index],
        arguments: [key, mode, options.ifVersion ?? '', version, json, ttlMs === undefined ? '' : String(ttlMs)],
      }),
    )) as [number, ...string[]];
    if (reply[0] === 1) return { ok: true, entry: toEntry(key, version, json, reply[1] ?? '') };
    const [, currentVersion, currentJson, currentExpiry] = reply;
    return {
      ok: false,
      current: currentVersion ? toEntry(key, currentVersion, currentJson!, currentExpiry ?? '') : undefined,
    };
  }

  async delete(key: string, options: { ifVersion?: string } = {}): Promise<boolean> {
    assertStateKey(key);
    const removed = await this.link.run(`delete state key "${key}"`, (client) =>
      client.eval(DELETE, { keys: [this.hashPrefix + key, this.index], arguments: [key, options.ifVersion ?? ''] }),
    );
    return removed === 1;
  }
}

function toEntry(key: string, version: string, json: string, expiresAt: string): StateEntry {
  return {
    key,
    version,
    value: JSON.parse(json) as StateValue,
    ...(expiresAt !== '' && { expiresAt: Number(expiresAt) }),
  };
}
