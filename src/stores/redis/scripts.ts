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

// Conventions shared by the scripts below (Redis 7 or later: effects replication, `PEXPIRE ... GT`):
// - `now` is ARGV[1] when the host gives its instant (`clock: 'host'`), else Redis's own TIME.
// - A window is a sorted set: score = the slot's time, member = its reservation. It counts the slots
//   in (now - window, +inf) with ZCOUNT; stale slots are trimmed by one take in eight (the last
//   character of a reservation is a base-36 digit), which bounds the set without a trim per call.
// - A quota unit's reservation is a member of `{q:<c>}:h` (score: until when a give-back is honoured)
//   or, crash-safe, of `{q:<c>}:p` (score: when it comes back unless committed), on Redis's clock.
// - Replies are single integers, so a client reads them without building an array.
// - The default combined take (host clock, no crash-safe quota) keeps no record of the unit: its slot
//   is the record (see `admissionTakeLeanScript`).

/** Sets `now`: the host's instant when given, else Redis's TIME in milliseconds. */
const readNow = `local now = tonumber(ARGV[1])
if not now then local t = redis.call('TIME') now = t[1] * 1000 + math.floor(t[2] / 1000) end
`;

/** Sets `tnow`: Redis's TIME in milliseconds. */
const readRedisTime = `local t = redis.call('TIME')
local tnow = t[1] * 1000 + math.floor(t[2] / 1000)
`;

/** Counts the window KEYS[1] at `now` (ARGV[2] = window, ARGV[3] = limit); when full, returns `-(offset + retryAfterMs)`. */
function countWindow(offset: string): string {
  return `local win = tonumber(ARGV[2])
local lo = '(' .. string.format('%.17g', now - win)
local n = redis.call('ZCOUNT', KEYS[1], lo, '+inf')
local limit = tonumber(ARGV[3])
if n >= limit then
  local s = redis.call('ZRANGEBYSCORE', KEYS[1], lo, '+inf', 'WITHSCORES', 'LIMIT', n - limit, 1)
  return ${offset}math.max(1, math.ceil(tonumber(s[2]) + win - now))
end
`;
}

/** Adds slot ARGV[4] to the window KEYS[1] at `now`; its key lives a second past the window. */
const addSlot = `local m = ARGV[4]
local trim = string.byte(m, -1) % 8 == 0
if trim then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - win) end
redis.call('ZADD', KEYS[1], now, m)
if n == 0 then redis.call('PEXPIRE', KEYS[1], math.ceil(win) + 1000) else redis.call('PEXPIRE', KEYS[1], math.ceil(win) + 1000, 'GT') end
`;

/** Refuses to create a quota counter under a policy that may evict it (it would come back full). */
const refuseEvictingPolicy = `local policy = string.match(redis.call('INFO', 'memory'), 'maxmemory_policy:([%w-]+)')
if policy and string.sub(policy, 1, 8) == 'allkeys-' then
  return redis.error_reply('castgate: maxmemory-policy ' .. policy .. ' may evict quota counters, which would refill them; use noeviction (or a volatile-* policy)')
end
`;

/**
 * Checks the quota counter `c` (created at `initial` when missing) and returns -1 when it is at zero.
 * Crash-safe (`mode == 'p'`): first gives back the pending units of `tk` whose time is up. Needs
 * `tnow`, Redis's time: reservations are timed on Redis's clock whatever clock windows use.
 */
function checkUnit(c: string, tk: string, initial: string, mode: string): string {
  return `local v = redis.call('GET', ${c})
if ${mode} == 'p' then
  local back = redis.call('ZREMRANGEBYSCORE', ${tk}, '-inf', tnow)
  if back > 0 and v then v = redis.call('INCRBY', ${c}, back) end
end
if not v then
${refuseEvictingPolicy}  redis.call('SET', ${c}, ${initial})
  v = ${initial}
end
local left = tonumber(v)
if not left then return redis.error_reply('castgate: quota counter is not a number') end
if left <= 0 then return -1 end
`;
}

/** Takes the unit checked by {@link checkUnit}, records reservation `m` in `tk`, returns what is left. */
function takeUnit(c: string, tk: string, ttl: string, mode: string): string {
  return `redis.call('ZADD', ${tk}, tnow + ${ttl}, m)
if ${mode} ~= 'p' and string.byte(m, -1) % 8 == 0 then
  redis.call('ZREMRANGEBYSCORE', ${tk}, '-inf', tnow)
  redis.call('PEXPIRE', ${tk}, ${ttl} * 2)
end
return redis.call('DECR', ${c})
`;
}

/** Gives back the unit of reservation `res` once: pending (crash-safe), or honoured and not yet past its time. */
function giveBackUnit(c: string, h: string, p: string, res: string): string {
  return `local back = redis.call('ZREM', ${p}, ${res})
if back == 0 then
  local s = redis.call('ZSCORE', ${h}, ${res})
  if s then
    redis.call('ZREM', ${h}, ${res})
    local t = redis.call('TIME')
    if tonumber(s) > t[1] * 1000 + math.floor(t[2] / 1000) then back = 1 end
  end
end
if back == 1 and redis.call('EXISTS', ${c}) == 1 then return redis.call('INCR', ${c}) end
return false
`;
}

/**
 * Takes one slot of a sliding window. KEYS[1]: the window. ARGV: now (empty: Redis's TIME), window,
 * limit, reservation. Returns 0 when taken, else `-retryAfterMs`.
 */
export const rateLimitTakeScript = /* @__PURE__ */ defineScript('rateLimitTake', `${readNow}${countWindow('-')}${addSlot}return 0
`);

/** Asks whether a window is full, writing nothing. KEYS and ARGV as the take. Returns 0, or `retryAfterMs` when full. */
export const rateLimitPeekScript = /* @__PURE__ */ defineScript('rateLimitPeek', `${readNow}${countWindow('')}return 0
`);

/** Frees the slot of one reservation (idempotent). KEYS[1]: the window. ARGV[1]: reservation. */
export const rateLimitGiveBackScript = /* @__PURE__ */ defineScript('rateLimitGiveBack', `return redis.call('ZREM', KEYS[1], ARGV[1])
`);

/**
 * Takes one unit of a quota. KEYS: the counter, the reservation set (`:h`, or `:p` crash-safe). ARGV:
 * initial, how long the reservation lives (ms), mode (`p`: crash-safe), reservation. Returns what is
 * left, or -1 when the counter is at zero.
 */
export const quotaTakeScript = /* @__PURE__ */ defineScript(
  'quotaTake',
  `${readRedisTime}local m = ARGV[4]
${checkUnit('KEYS[1]', 'KEYS[2]', 'ARGV[1]', 'ARGV[3]')}${takeUnit('KEYS[1]', 'KEYS[2]', 'tonumber(ARGV[2])', 'ARGV[3]')}`,
);

/** Gives one unit back, once. KEYS: the counter, `:h`, `:p`. ARGV[1]: reservation. */
export const quotaGiveBackScript = /* @__PURE__ */ defineScript('quotaGiveBack', giveBackUnit('KEYS[1]', 'KEYS[2]', 'KEYS[3]', 'ARGV[1]'));

/**
 * Confirms a crash-safe unit (its session was provisioned): it stays taken for good. KEYS: the
 * counter, `:p`. ARGV[1]: reservation. Idempotent; a unit whose time is up has come back (even when
 * no take has moved it back yet: `remaining()` counted it), and a late commit takes nothing (choose `reservationTtlMs` well above the provisioning deadline).
 * Returns 1 when a pending unit was committed, else 0.
 */
export const quotaCommitScript = /* @__PURE__ */ defineScript(
  'quotaCommit',
  `local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not s then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
${readRedisTime}if tonumber(s) > tnow then return 1 end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCR', KEYS[1]) end
return 0
`,
);

/**
 * Reads a quota counter. KEYS: the counter, `:p`. Returns nil when it was never used, else its value
 * plus the pending units whose time is up (they count as returned before a take moves them back).
 */
export const quotaRemainingScript = /* @__PURE__ */ defineScript(
  'quotaRemaining',
  `local v = redis.call('GET', KEYS[1])
if not v then return false end
local n = tonumber(v)
if not n then return redis.error_reply('castgate: quota counter is not a number') end
if redis.call('EXISTS', KEYS[2]) == 1 then
  local t = redis.call('TIME')
  n = n + redis.call('ZCOUNT', KEYS[2], '-inf', t[1] * 1000 + math.floor(t[2] / 1000))
end
return n
`,
);

/** Sets a quota counter (admin). KEYS[1]: the counter; ARGV[1]: the new value. */
export const quotaSetRemainingScript = /* @__PURE__ */ defineScript(
  'quotaSetRemaining',
  `if redis.call('EXISTS', KEYS[1]) == 0 then
${refuseEvictingPolicy}end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`,
);

/**
 * Takes a rate-limit slot and a quota unit together, or neither. KEYS: the window, the counter, the
 * reservation set (`:h`, or `:p` crash-safe). ARGV: now (empty: Redis's TIME), window, limit,
 * reservation, initial, how long the reservation lives (ms), mode (`p`: crash-safe). Returns what is
 * left of the quota when both were taken; -1 when the quota is at zero; `-1 - retryAfterMs` when the
 * window is full (checked first: both exhausted answers rate_limited).
 */
export const admissionTakeScript = /* @__PURE__ */ defineScript(
  'admissionTake',
  `${readNow}${countWindow('-1 - ')}${readRedisTime}${checkUnit('KEYS[2]', 'KEYS[3]', 'ARGV[5]', 'ARGV[7]')}${addSlot}${takeUnit('KEYS[2]', 'KEYS[3]', 'tonumber(ARGV[6])', 'ARGV[7]')}`,
);

/** Gives back a slot and a unit taken together (each once). KEYS: the window, the counter, `:h`, `:p`. ARGV[1]: reservation. */
export const admissionGiveBackScript = /* @__PURE__ */ defineScript(
  'admissionGiveBack',
  `redis.call('ZREM', KEYS[1], ARGV[1])
${giveBackUnit('KEYS[2]', 'KEYS[3]', 'KEYS[4]', 'ARGV[1]')}`,
);

/**
 * The combined take of the default settings (`clock: 'host'`, no `reservationTtlMs`): a slot and a unit
 * together or neither, reading no clock and writing no reservation record. The slot is the unit's
 * record: a give-back that frees the slot gives the unit back (see {@link admissionGiveBackLeanScript}).
 * KEYS: the window, the counter. ARGV: now, `'(' .. now - window`, window, limit, reservation, initial.
 * Returns what is left of the quota when both were taken; -1 when the quota is at zero;
 * `-1 - retryAfterMs` when the window is full (checked first: both exhausted answers rate_limited).
 */
export const admissionTakeLeanScript = /* @__PURE__ */ defineScript(
  'admissionTakeLean',
  `local n = redis.call('ZCOUNT', KEYS[1], ARGV[2], '+inf')
local limit = tonumber(ARGV[4])
if n >= limit then
  local s = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], '+inf', 'WITHSCORES', 'LIMIT', n - limit, 1)
  return -1 - math.max(1, math.ceil(tonumber(s[2]) + tonumber(ARGV[3]) - tonumber(ARGV[1])))
end
local v = redis.call('GET', KEYS[2])
if not v then
${refuseEvictingPolicy}  redis.call('SET', KEYS[2], ARGV[6])
  v = ARGV[6]
end
local left = tonumber(v)
if not left then return redis.error_reply('castgate: quota counter is not a number') end
if left <= 0 then return -1 end
local m = ARGV[5]
if string.byte(m, -1) % 8 == 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.sub(ARGV[2], 2)) end
redis.call('ZADD', KEYS[1], ARGV[1], m)
local ttl = math.ceil(tonumber(ARGV[3])) + 1000
if n == 0 then redis.call('PEXPIRE', KEYS[1], ttl) else redis.call('PEXPIRE', KEYS[1], ttl, 'GT') end
return redis.call('DECR', KEYS[2])
`,
);

/**
 * Gives back a slot and a unit of {@link admissionTakeLeanScript}, each once. The reservation starts
 * with two base-36 instants of the taking host's clock, `<slot gone after>.<honoured until>.`: a
 * give-back that frees the slot proves the take; once the slot may have left its window, a give-back
 * of a take known to have happened (ARGV[3] empty) is honoured until the second instant. A marker
 * key, alive as long as a give-back is honoured, makes it once. KEYS: the window, the counter, the
 * marker. ARGV: reservation, now (the giving host's clock), `'p'` when only a freed slot may prove the
 * take (the take's answer was never read). Returns 1 when a unit came back, else 0.
 */
export const admissionGiveBackLeanScript = /* @__PURE__ */ defineScript(
  'admissionGiveBackLean',
  `local m = ARGV[1]
local freed = redis.call('ZREM', KEYS[1], m)
local gone, honoured = string.match(m, '^(%w+)%.(%w+)%.')
gone = tonumber(gone, 36)
honoured = tonumber(honoured, 36)
local now = tonumber(ARGV[2])
if not honoured or now >= honoured then return 0 end
if freed == 0 and (ARGV[3] == 'p' or now < gone) then return 0 end
if not redis.call('SET', KEYS[3], 1, 'NX', 'PX', honoured - now) then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('INCR', KEYS[2])
return 1
`,
);
