import { defineScript } from './scripts.js';

// The LeaseStore's scripts. A key's leases are one sorted set: member = lease id, score = the
// instant the lease expires (last renewal + ttl, on the caller's clock). A lease expires when
// now >= its score, so `ZREMRANGEBYSCORE key -inf now` drops exactly the expired ones. The key's
// TTL (Redis's clock) only reclaims memory: it lasts until the latest lease expires, plus a grace.

/**
 * Acquires a lease. KEYS[1]: the key's sorted set. ARGV: nowMs, leaseId, limit, ttlMs, grace ms.
 * Answers `{1}` when held (a live lease id acquired again is renewed), else `{0, score}` with the
 * expiry of the soonest live lease.
 */
export const leaseAcquireScript = /* @__PURE__ */ defineScript(
  'leaseAcquire',
  `local key = KEYS[1]
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if not redis.call('ZSCORE', key, ARGV[2]) then
  if redis.call('ZCARD', key) >= tonumber(ARGV[3]) then
    local soonest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    return {0, soonest[2]}
  end
end
redis.call('ZADD', key, now + tonumber(ARGV[4]), ARGV[2])
local latest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', key, math.ceil(tonumber(latest[2]) - now + tonumber(ARGV[5])))
return {1}
`,
);

/**
 * Renews a live lease; an expired one is removed, never revived. KEYS[1]: the sorted set. ARGV:
 * nowMs, leaseId, ttlMs, grace ms. Answers 1 when renewed, 0 when no live lease was found.
 */
export const leaseRenewScript = /* @__PURE__ */ defineScript(
  'leaseRenew',
  `local key = KEYS[1]
local now = tonumber(ARGV[1])
local score = redis.call('ZSCORE', key, ARGV[2])
if not score then return 0 end
if tonumber(score) <= now then
  redis.call('ZREM', key, ARGV[2])
  return 0
end
redis.call('ZADD', key, now + tonumber(ARGV[3]), ARGV[2])
local latest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', key, math.ceil(tonumber(latest[2]) - now + tonumber(ARGV[4])))
return 1
`,
);

/**
 * Releases a lease. KEYS[1]: the sorted set. ARGV: leaseId, nowMs or '' (none given). Answers 1 when
 * a lease was held (and, with nowMs, still live), else 0.
 */
export const leaseReleaseScript = /* @__PURE__ */ defineScript(
  'leaseRelease',
  `local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] ~= '' and tonumber(score) <= tonumber(ARGV[2]) then return 0 end
return 1
`,
);

/** Binds a session to its leases. KEYS[1]: the binding. ARGV: the binding as JSON, its TTL in ms. */
export const leaseBindScript = /* @__PURE__ */ defineScript('leaseBind', `return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n`);

/** Reads a binding. KEYS[1]: the binding. Answers its JSON, or nil. */
export const leaseBoundToScript = /* @__PURE__ */ defineScript('leaseBoundTo', `return redis.call('GET', KEYS[1])\n`);
