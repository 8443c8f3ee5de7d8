/**
 * Lua scripts: the steps that must happen together, or not at all, run inside Redis.
 * Each is safe to run twice (RedisLink repeats an operation whose reply was lost).
 */

/**
 * Queue several messages (issue 18: concurrent puts and putMany share one call). Each is
 * checked and written on its own, in order: a full inbox refuses only its message, and a
 * later one for the same inbox sees the earlier ones. A full inbox refuses rather than
 * trims: `MAXLEN ~` only backs the check up against writers that do not make it.
 * KEYS: the agents set, then one inbox stream per message.
 * ARGV: maxLen, traffic channel, T (distinct envelopes), T envelope texts, their T ids,
 * then per message its agent name and the index (1..T) of its envelope: a message for a
 * whole room is sent once. Returns per message the stream id, or `!` and the refusal.
 */
export const PUT_MANY = `
local maxLen = tonumber(ARGV[1])
local texts = tonumber(ARGV[3])
local base = 3 + 2 * texts
local listed = {}
local results = {}
for i = 1, #KEYS - 1 do
  local inbox, agent, t = KEYS[i + 1], ARGV[base + 2 * i - 1], tonumber(ARGV[base + 2 * i])
  local length = redis.pcall('XLEN', inbox)
  if type(length) == 'table' then
    results[i] = '!' .. length.err
  elseif length >= maxLen then
    results[i] = '!INBOX_FULL ' .. length
  else
    local sid = redis.pcall('XADD', inbox, 'MAXLEN', '~', ARGV[1], '*', 'envelope', ARGV[3 + t])
    if type(sid) == 'table' then
      results[i] = '!' .. sid.err
    else
      if not listed[agent] then
        redis.call('SADD', KEYS[1], agent)
        listed[agent] = true
      end
      local event = { agent = agent, state = 'queued', id = ARGV[3 + texts + t], envelope = ARGV[3 + t] }
      redis.call('PUBLISH', ARGV[2], cjson.encode(event))
      results[i] = sid
    end
  end
end
return results
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
redis.call('PUBLISH', ARGV[8], cjson.encode({
  agent = ARGV[7], state = 'dead', id = ARGV[3], reason = ARGV[4], envelope = ARGV[5]
}))
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

/**
 * Every agent name with its presence record (or nil), in one round trip: a send looks at
 * the directory each time. KEYS: the agents set. ARGV: the presence key prefix.
 * Returns name, record, name, record, ...
 */
export const AGENTS = `
local names = redis.call('SMEMBERS', KEYS[1])
local listed = {}
for i, name in ipairs(names) do
  listed[2 * i - 1] = name
  listed[2 * i] = redis.call('GET', ARGV[1] .. name)
end
return listed
`;
