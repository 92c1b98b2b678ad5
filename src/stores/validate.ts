import type { LeaseRef } from '../contract/stores.js';

// The input checks every store backend shares, written once. A backend rejects with the TypeError
// these answer (a programmer error: the engine never sends such input), so it never counts with a
// NaN and a caller's mistake reads the same whichever backend it reached. The rate-limit and quota
// checks name the backend that speaks; the lease checks say `castgate:` for every backend.
// Imports only types from the core, so it sits inside the store-backend import rule.

/** Which backend speaks, as the start of its messages: `castgate` (memory), `castgate/redis` or `castgate/postgres`. */
export type StoreName = 'castgate' | 'castgate/redis' | 'castgate/postgres';

/** True for a count a quota can hold: a non-negative safe integer. */
export function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/**
 * A `TypeError` for a sliding-window input (a rate-limit take or peek; a PostgreSQL lease, whose
 * `ttlMs` is its window) whose numbers cannot be counted with, else `undefined`. `what` names the
 * call in the message; `maxLimit` is the largest limit the backend can store.
 */
export function invalidWindowInput(
  store: StoreName,
  what: 'rate limit' | 'lease',
  input: { limit: unknown; windowMs: unknown; nowMs: unknown },
  maxLimit: number = Number.MAX_SAFE_INTEGER,
): TypeError | undefined {
  const { limit, windowMs, nowMs } = input;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > maxLimit) {
    return new TypeError(`${store}: ${what} \`limit\` must be a positive integer`);
  }
  if (typeof windowMs !== 'number' || !Number.isFinite(windowMs) || windowMs <= 0) return new TypeError(`${store}: ${what} \`windowMs\` must be a positive number`);
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) return new TypeError(`${store}: ${what} \`nowMs\` must be a finite number`);
  return undefined;
}

/** A `TypeError` for a rate-limit take or peek whose numbers cannot be counted with, else `undefined`. */
export function invalidRateLimitInput(store: StoreName, input: { limit: unknown; windowMs: unknown; nowMs: unknown }): TypeError | undefined {
  return invalidWindowInput(store, 'rate limit', input);
}

/** A `TypeError` for a quota take whose `initial` is not a count, else `undefined`. */
export function invalidQuotaInitial(store: StoreName, initial: unknown): TypeError | undefined {
  return isCount(initial) ? undefined : new TypeError(`${store}: quota \`initial\` must be a non-negative safe integer`);
}

/** A `TypeError` for a `setRemaining` whose count is not one, else `undefined`. */
export function invalidRemaining(store: StoreName, n: unknown): TypeError | undefined {
  return isCount(n) ? undefined : new TypeError(`${store}: \`setRemaining\` needs a non-negative safe integer`);
}

/**
 * The longest time to live a lease may have: a hundred years (a single-use link is remembered until
 * it expires). Expiry instants stay exact integers far below 2^53.
 */
export const maxLeaseTtlMs = 3_155_760_000_000;

function invalidKey(key: unknown, name: string): TypeError | undefined {
  return typeof key === 'string' && key.length > 0 ? undefined : new TypeError(`castgate: lease \`${name}\` must be a non-empty string`);
}

function invalidTtl(ttlMs: unknown): TypeError | undefined {
  return typeof ttlMs === 'number' && Number.isSafeInteger(ttlMs) && ttlMs >= 1 && ttlMs <= maxLeaseTtlMs
    ? undefined
    : new TypeError(`castgate: lease \`ttlMs\` must be a whole number of milliseconds from 1 to ${maxLeaseTtlMs}`);
}

function invalidNow(nowMs: unknown): TypeError | undefined {
  return typeof nowMs === 'number' && Number.isSafeInteger(nowMs) ? undefined : new TypeError('castgate: lease `nowMs` must be a whole number of milliseconds');
}

/** A `TypeError` for an unusable lease `acquire` input, else `undefined`. */
export function invalidAcquire(input: { key: unknown; limit: unknown; leaseId: unknown; ttlMs: unknown; nowMs: unknown }): TypeError | undefined {
  const { limit } = input;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) return new TypeError('castgate: lease `limit` must be a positive integer');
  return invalidKey(input.key, 'key') ?? invalidKey(input.leaseId, 'leaseId') ?? invalidTtl(input.ttlMs) ?? invalidNow(input.nowMs);
}

/** A `TypeError` for an unusable lease `renew` input, else `undefined`. */
export function invalidRenew(input: { key: unknown; leaseId: unknown; ttlMs: unknown; nowMs: unknown }): TypeError | undefined {
  return invalidKey(input.key, 'key') ?? invalidKey(input.leaseId, 'leaseId') ?? invalidTtl(input.ttlMs) ?? invalidNow(input.nowMs);
}

/** A `TypeError` for an unusable lease `release` input (`nowMs` is optional), else `undefined`. */
export function invalidRelease(input: { key: unknown; leaseId: unknown; nowMs?: unknown }): TypeError | undefined {
  return invalidKey(input.key, 'key') ?? invalidKey(input.leaseId, 'leaseId') ?? (input.nowMs === undefined ? undefined : invalidNow(input.nowMs));
}

/** A `TypeError` for an unusable lease `bind` input, else `undefined`. */
export function invalidBind(input: { configKey: unknown; sessionId: unknown; leases: unknown; ttlMs: unknown; nowMs: unknown }): TypeError | undefined {
  const problem = invalidKey(input.configKey, 'configKey') ?? invalidKey(input.sessionId, 'sessionId') ?? invalidTtl(input.ttlMs) ?? invalidNow(input.nowMs);
  if (problem !== undefined) return problem;
  if (!Array.isArray(input.leases)) return new TypeError('castgate: lease `leases` must be an array of { key, leaseId }');
  for (const lease of input.leases as unknown[]) {
    const candidate = lease as Partial<LeaseRef> | null;
    if (typeof candidate !== 'object' || candidate === null) return new TypeError('castgate: lease `leases` must be an array of { key, leaseId }');
    const bad = invalidKey(candidate.key, 'leases[].key') ?? invalidKey(candidate.leaseId, 'leases[].leaseId');
    if (bad !== undefined) return bad;
  }
  return undefined;
}

/** A `TypeError` for an unusable lease `boundTo` input, else `undefined`. */
export function invalidBoundTo(input: { configKey: unknown; sessionId: unknown }): TypeError | undefined {
  return invalidKey(input.configKey, 'configKey') ?? invalidKey(input.sessionId, 'sessionId');
}

/** A copy of a binding's lease list with only `key` and `leaseId`, frozen (never the caller's own objects). */
export function copyLeases(leases: readonly LeaseRef[]): LeaseRef[] {
  return leases.map(({ key, leaseId }) => Object.freeze({ key, leaseId }));
}
