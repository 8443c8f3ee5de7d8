/**
 * Lua scripts: the steps that must happen together, or not at all, run inside Redis.
 * Each is safe to run twice (RedisLink repeats an operation whose reply was lost).
 */

/**
 * Queue one message. KEYS: inbox stream, agents set. ARGV: agent, envelope id, envelope
 * text, maxLen, traffic channel. A full inbox refuses rather than trimming: `MAXLEN ~`
 * only backs the check up against writers that do not make it (it never cuts below maxLen).
 */
export const PUT = `
local length = redis.call('XLEN', KEYS[1])
if length >= tonumber(ARGV[4]) then
  return redis.error_reply('INBOX_FULL ' .. length)
end
local sid = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'envelope', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[5], cjson.encode({ agent = ARGV[1], state = 'queued', id = ARGV[2], envelope = ARGV[3] }))
return sid
`;

/**
 * Acknowledge: the entry leaves the inbox and its envelope id is remembered as done.
 * KEYS: inbox, done set. ARGV: group, entry id, envelope id, now (ms), keep-since (ms),
 * maxDone, agent, traffic channel.
 */
export const ACK = `
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[5])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[6]) + 1))
redis.call('PUBLISH', ARGV[8], cjson.encode({ agent = ARGV[7], state = 'done', id = ARGV[3] }))
return 1
`;

/**
 * Move an entry to the dead-letter stream with its reason. Only a pending entry moves,
 * so a repeated run adds no second dead letter. KEYS: inbox, dead stream. ARGV: group,
 * entry id, envelope id, reason, envelope text, time (ISO), agent, traffic channel.
 */
export const DEAD_LETTER = `
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return 0
end
redis.call('XADD', KEYS[2], '*', 'id', ARGV[3], 'reason', ARGV[4], 'envelope', ARGV[5], 'at', ARGV[6])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[8], cjson.encode({ agent = ARGV[7], state = 'dead', id = ARGV[3], reason = ARGV[4], envelope = ARGV[5] }))
return 1
`;

/** Replace the lock only if it still holds what we judged stale. KEYS: lock. ARGV: stale value, new value, ttl ms. */
export const LOCK_TAKE_OVER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
`;

/**
 * Keep the lock: 1 = extended, 2 = it had lapsed (Redis was away longer than the TTL)
 * and nobody else took it, so it is ours again, 0 = someone else holds it now.
 * KEYS: lock. ARGV: our value, ttl ms.
 */
export const LOCK_REFRESH = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
return 0
`;

/** Delete the lock if it is still ours. KEYS: lock. ARGV: our value. */
export const LOCK_RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;
