import type { LeaseRef } from '../contract/stores.js';

// The input checks every LeaseStore backend shares: a backend rejects with the TypeError these
// answer (a programmer error: the engine never sends such input), never counts with a NaN.

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

/** A `TypeError` for an unusable `acquire` input, else `undefined`. */
export function invalidAcquire(input: { key: unknown; limit: unknown; leaseId: unknown; ttlMs: unknown; nowMs: unknown }): TypeError | undefined {
  const { limit } = input;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) return new TypeError('castgate: lease `limit` must be a positive integer');
  return invalidKey(input.key, 'key') ?? invalidKey(input.leaseId, 'leaseId') ?? invalidTtl(input.ttlMs) ?? invalidNow(input.nowMs);
}

/** A `TypeError` for an unusable `renew` input, else `undefined`. */
export function invalidRenew(input: { key: unknown; leaseId: unknown; ttlMs: unknown; nowMs: unknown }): TypeError | undefined {
  return invalidKey(input.key, 'key') ?? invalidKey(input.leaseId, 'leaseId') ?? invalidTtl(input.ttlMs) ?? invalidNow(input.nowMs);
}

/** A `TypeError` for an unusable `release` input (`nowMs` is optional), else `undefined`. */
export function invalidRelease(input: { key: unknown; leaseId: unknown; nowMs?: unknown }): TypeError | undefined {
  return invalidKey(input.key, 'key') ?? invalidKey(input.leaseId, 'leaseId') ?? (input.nowMs === undefined ? undefined : invalidNow(input.nowMs));
}

/** A `TypeError` for an unusable `bind` input, else `undefined`. */
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

/** A `TypeError` for an unusable `boundTo` input, else `undefined`. */
export function invalidBoundTo(input: { configKey: unknown; sessionId: unknown }): TypeError | undefined {
  return invalidKey(input.configKey, 'configKey') ?? invalidKey(input.sessionId, 'sessionId');
}

/** A copy of the lease list with only `key` and `leaseId` (never the caller's own objects). */
export function copyLeases(leases: readonly LeaseRef[]): LeaseRef[] {
  return leases.map(({ key, leaseId }) => Object.freeze({ key, leaseId }));
}
