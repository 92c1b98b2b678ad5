import { createHash } from 'node:crypto';

/**
 * A Lua script with its SHA1 (what `EVALSHA` names it by), computed once when the script is defined.
 */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha1: string;
}

/** A script, its SHA1 computed once. */
export function defineScript(name: string, source: string): LuaScript {
  return Object.freeze({ name, source, sha1: createHash('sha1').update(source).digest('hex') });
}

/**
 * Takes one slot of a sliding window. KEYS[1]: the window's sorted set (score = slot time, member =
 * reservation). ARGV: nowMs, nowMs - windowMs (slots at or before it have freed), limit, how long a
 * slot taken now keeps the key (the window plus a grace), reservation. Answers `{1}` when taken, else
 * `{0, score}` with the time of the slot whose freeing lets one more take in. The key expires a grace
 * after its newest slot frees (slots are counted by score; the TTL only reclaims memory).
 */
export const rateLimitTakeScript = /* @__PURE__ */ defineScript(
  'rateLimitTake',
  `local key = KEYS[1]
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[2])
local count = redis.call('ZCARD', key)
local limit = tonumber(ARGV[3])
if count < limit then
  redis.call('ZADD', key, ARGV[1], ARGV[5])
  local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  redis.call('PEXPIRE', key, math.ceil(tonumber(newest[2]) - tonumber(ARGV[1]) + tonumber(ARGV[4])))
  return {1}
end
local freeing = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
return {0, freeing[2]}
`,
);

/**
 * Asks whether a sliding window is full, writing nothing. KEYS[1]: the window's sorted set. ARGV:
 * nowMs - windowMs, limit. Answers `{0}` when a slot is free, else `{1, score}` as the take script.
 */
export const rateLimitPeekScript = /* @__PURE__ */ defineScript(
  'rateLimitPeek',
  `local after = '(' .. ARGV[1]
local limit = tonumber(ARGV[2])
local count = redis.call('ZCOUNT', KEYS[1], after, '+inf')
if count < limit then return {0} end
local freeing = redis.call('ZRANGEBYSCORE', KEYS[1], after, '+inf', 'WITHSCORES', 'LIMIT', count - limit, 1)
return {1, freeing[2]}
`,
);

/** Frees the slot of one reservation (idempotent). KEYS[1]: the window's sorted set. ARGV: reservation. */
export const rateLimitGiveBackScript = /* @__PURE__ */ defineScript('rateLimitGiveBack', `return redis.call('ZREM', KEYS[1], ARGV[1])\n`);

/**
 * Takes one unit of a quota. KEYS[1]: the counter (no TTL), created at ARGV[1] (initial) when missing;
 * KEYS[2]: the reservation's own key, set with a TTL of ARGV[2] ms so a give-back can find it. Answers
 * `{1, remaining}` when taken, `{0}` when the counter is at zero.
 */
export const quotaTakeScript = /* @__PURE__ */ defineScript(
  'quotaTake',
  `local value = redis.call('GET', KEYS[1])
if not value then
  redis.call('SET', KEYS[1], ARGV[1])
  value = ARGV[1]
end
local n = tonumber(value)
if n == nil then return redis.error_reply('castgate: quota counter is not a number') end
if n <= 0 then return {0} end
local remaining = redis.call('DECR', KEYS[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return {1, remaining}
`,
);

/**
 * Gives one unit back, once: only when the reservation's key was still there (it is deleted here)
 * and the counter still exists. KEYS[1]: the counter; KEYS[2]: the reservation's key.
 */
export const quotaGiveBackScript = /* @__PURE__ */ defineScript(
  'quotaGiveBack',
  `if redis.call('DEL', KEYS[2]) == 1 and redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('INCR', KEYS[1])
end
return false
`,
);

/** Reads a quota counter. KEYS[1]: the counter. Answers its value, or nil when it was never used. */
export const quotaRemainingScript = /* @__PURE__ */ defineScript('quotaRemaining', `return redis.call('GET', KEYS[1])\n`);

/** Sets a quota counter (admin). KEYS[1]: the counter; ARGV[1]: the new value. */
export const quotaSetRemainingScript = /* @__PURE__ */ defineScript('quotaSetRemaining', `return redis.call('SET', KEYS[1], ARGV[1])\n`);
