import type { LeaseBinding, LeaseRef, LeaseStore } from '../../contract/stores.js';
import { copyLeases, invalidAcquire, invalidBind, invalidBoundTo, invalidRelease, invalidRenew } from '../validate.js';
import { runCommand, type ScriptRunner } from './client.js';
import { RedisStoreError } from './errors.js';
import { leaseAcquireScript, leaseBindScript, leaseBoundToScript, leaseReleaseScript, leaseRenewScript } from './lease-scripts.js';

/** What the lease store needs besides the client. */
export interface RedisLeaseSettings {
  readonly prefix: string;
  readonly commandTimeoutMs: number;
}

/**
 * How much longer than its latest lease a key lives (and a binding than its TTL). Leases are counted
 * by their score (the caller's time) and the TTL runs on Redis's clock: the grace keeps a key for
 * hosts whose clocks lag Redis's by up to a second; it costs only memory.
 */
const expiryGraceMs = 1000;

/** A config key castgate itself issues (SPEC §7): safe inside a Redis key and a hash tag as it is. */
const plainConfigKey = /^[A-Za-z0-9_-]{1,128}$/u;
/** The lease keys the engine builds: `cast:<configKey>:…`. */
const engineLeaseKey = /^cast:([A-Za-z0-9_-]{1,128}):/u;

/** A part of a key name: a plain config key as it is, anything else base64url-encoded after `~`. */
function encodePart(part: string): string {
  return plainConfigKey.test(part) ? part : `~${Buffer.from(part, 'utf8').toString('base64url')}`;
}

/**
 * Key names. Every key of one config shares the config's Redis Cluster hash tag `{c:<configKey>}`:
 * the lease sets the engine builds (`cast:<configKey>:live`, `…:live:<client>`, `…:link:<jti>`) are
 * `{c:<configKey>}:ls:<key>`, a binding `{c:<configKey>}:lb:<sessionId>`. A lease key of any other
 * shape hashes by itself: `{ls:<encoded key>}`. The parts before the last are encoded, so distinct
 * inputs never share a name.
 */
function leaseKeyNames(prefix: string): { lease(key: string): string; binding(configKey: string, sessionId: string): string } {
  return {
    lease(key) {
      const configKey = engineLeaseKey.exec(key)?.[1];
      return configKey === undefined ? `${prefix}{ls:${encodePart(key)}}` : `${prefix}{c:${configKey}}:ls:${key}`;
    },
    binding: (configKey, sessionId) => `${prefix}{c:${encodePart(configKey)}}:lb:${sessionId}`,
  };
}

function unexpected(): RedisStoreError {
  return new RedisStoreError('unexpected_reply', 'castgate/redis: unexpected lease reply');
}

/** A reply of 0 or 1 (as a number, or as a string under ioredis `stringNumbers`) as a boolean. */
function flagOf(reply: unknown): boolean {
  if (reply === 1 || reply === '1') return true;
  if (reply === 0 || reply === '0') return false;
  throw unexpected();
}

/** A stored binding: `{ "l": [[key, leaseId], …], "t": ttlMs }`. */
function parseBinding(reply: unknown): LeaseBinding | null {
  if (reply === null || reply === undefined) return null;
  if (typeof reply !== 'string') throw unexpected();
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply);
  } catch {
    throw unexpected();
  }
  const { l, t } = (parsed ?? {}) as { l?: unknown; t?: unknown };
  if (!Array.isArray(l) || typeof t !== 'number' || !Number.isSafeInteger(t) || t < 1) throw unexpected();
  const leases: LeaseRef[] = [];
  for (const pair of l as unknown[]) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') throw unexpected();
    leases.push(Object.freeze({ key: pair[0], leaseId: pair[1] }));
  }
  return Object.freeze({ leases: Object.freeze(leases), ttlMs: t });
}

/**
 * A {@link LeaseStore} on Redis, shared by every process that uses the same Redis and prefix: a
 * sorted set per lease key (member = lease id, score = the instant it expires), one Lua script (one
 * round trip, atomic) per acquire, renew, release, bind or lookup, so no number of processes can hold
 * more than `limit` live leases. Time comes from the caller's `nowMs` (the decision's one instant);
 * every key has a TTL that outlives its latest lease by a second. Rejects with `RedisStoreError`
 * (code `store_unavailable`) when Redis does not answer in time, and with a `TypeError` for unusable
 * input.
 */
export function createRedisLeaseStore(runner: ScriptRunner, settings: RedisLeaseSettings): LeaseStore {
  const { commandTimeoutMs } = settings;
  const names = leaseKeyNames(settings.prefix);

  function acquire(input: { key: string; limit: number; leaseId: string; ttlMs: number; nowMs: number; signal?: AbortSignal }): Promise<
    { ok: true } | { ok: false; retryAfterMs: number }
  > {
    const invalid = invalidAcquire(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { key, limit, leaseId, ttlMs, nowMs } = input;
    const args = [String(nowMs), leaseId, String(limit), String(ttlMs), String(expiryGraceMs)];
    return runCommand('lease acquire', commandTimeoutMs, input.signal, () => runner.run(leaseAcquireScript, [names.lease(key)], args)).then((reply) => {
      if (!Array.isArray(reply)) throw unexpected();
      if (reply[0] === 1 || reply[0] === '1') return { ok: true } as const;
      if (reply[0] !== 0 && reply[0] !== '0') throw unexpected();
      const soonest = typeof reply[1] === 'string' ? Number(reply[1]) : Number.NaN;
      if (!Number.isFinite(soonest)) throw unexpected();
      return { ok: false, retryAfterMs: Math.max(1, Math.ceil(soonest - nowMs)) } as const;
    });
  }

  function renew(input: { key: string; leaseId: string; ttlMs: number; nowMs: number; signal?: AbortSignal }): Promise<boolean> {
    const invalid = invalidRenew(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const args = [String(input.nowMs), input.leaseId, String(input.ttlMs), String(expiryGraceMs)];
    return runCommand('lease renew', commandTimeoutMs, input.signal, () => runner.run(leaseRenewScript, [names.lease(input.key)], args)).then(flagOf);
  }

  function release(input: { key: string; leaseId: string; nowMs?: number; signal?: AbortSignal }): Promise<boolean> {
    const invalid = invalidRelease(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const args = [input.leaseId, input.nowMs === undefined ? '' : String(input.nowMs)];
    return runCommand('lease release', commandTimeoutMs, input.signal, () => runner.run(leaseReleaseScript, [names.lease(input.key)], args)).then(flagOf);
  }

  function bind(input: {
    configKey: string;
    sessionId: string;
    leases: readonly LeaseRef[];
    ttlMs: number;
    nowMs: number;
    signal?: AbortSignal;
  }): Promise<void> {
    const invalid = invalidBind(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const value = JSON.stringify({ l: copyLeases(input.leases).map(({ key, leaseId }) => [key, leaseId]), t: input.ttlMs });
    const args = [value, String(input.ttlMs + expiryGraceMs)];
    return runCommand('lease bind', commandTimeoutMs, input.signal, () =>
      runner.run(leaseBindScript, [names.binding(input.configKey, input.sessionId)], args),
    ).then(() => undefined);
  }

  function boundTo(input: { configKey: string; sessionId: string; signal?: AbortSignal }): Promise<LeaseBinding | null> {
    const invalid = invalidBoundTo(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    return runCommand('lease lookup', commandTimeoutMs, input.signal, () =>
      runner.run(leaseBoundToScript, [names.binding(input.configKey, input.sessionId)], []),
    ).then(parseBinding);
  }

  return { acquire, renew, release, bind, boundTo };
}
