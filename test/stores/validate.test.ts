import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  copyLeases,
  invalidAcquire,
  invalidBind,
  invalidBoundTo,
  invalidQuotaInitial,
  invalidRateLimitInput,
  invalidRelease,
  invalidRemaining,
  invalidRenew,
  invalidWindowInput,
  isCount,
  maxLeaseTtlMs,
} from '../../src/stores/validate.js';

const t0 = 1_900_000_000_000;

describe('store input checks every backend shares: rate limit and quota', () => {
  const ok = { limit: 5, windowMs: 60_000, nowMs: t0 };

  it('accepts a usable rate-limit input (a fractional window and a negative instant are numbers one can count with)', () => {
    expect(invalidRateLimitInput('castgate', ok)).toBeUndefined();
    expect(invalidRateLimitInput('castgate', { ...ok, windowMs: 0.5, nowMs: -1 })).toBeUndefined();
  });

  it.each([
    [{ limit: 0 }, '`limit` must be a positive integer'],
    [{ limit: 1.5 }, '`limit` must be a positive integer'],
    [{ limit: Number.NaN }, '`limit` must be a positive integer'],
    [{ limit: '5' }, '`limit` must be a positive integer'],
    [{ windowMs: 0 }, '`windowMs` must be a positive number'],
    [{ windowMs: Number.POSITIVE_INFINITY }, '`windowMs` must be a positive number'],
    [{ windowMs: '60000' }, '`windowMs` must be a positive number'],
    [{ nowMs: Number.NaN }, '`nowMs` must be a finite number'],
    [{ nowMs: null }, '`nowMs` must be a finite number'],
  ])('refuses a rate-limit input with %j, naming the backend', (bad, message) => {
    const error = invalidRateLimitInput('castgate/redis', { ...ok, ...bad });
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.message).toBe(`castgate/redis: rate limit ${message}`);
  });

  it('checks the first bad number first: limit, then windowMs, then nowMs', () => {
    expect(invalidRateLimitInput('castgate', { limit: 0, windowMs: 0, nowMs: Number.NaN })?.message).toContain('`limit`');
    expect(invalidRateLimitInput('castgate', { ...ok, windowMs: 0, nowMs: Number.NaN })?.message).toContain('`windowMs`');
  });

  it('refuses a limit above what the backend can store, and names the call (a PostgreSQL lease)', () => {
    const maxInteger = 2_147_483_647;
    expect(invalidWindowInput('castgate/postgres', 'rate limit', { ...ok, limit: maxInteger }, maxInteger)).toBeUndefined();
    expect(invalidWindowInput('castgate/postgres', 'lease', { ...ok, limit: maxInteger + 1 }, maxInteger)?.message).toBe(
      'castgate/postgres: lease `limit` must be a positive integer',
    );
    expect(invalidRateLimitInput('castgate', { ...ok, limit: maxInteger + 1 })).toBeUndefined();
  });

  it('accepts exactly the positive safe-integer limits (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 1)), (limit) => {
        const accepted = invalidRateLimitInput('castgate', { ...ok, limit }) === undefined;
        expect(accepted).toBe(Number.isSafeInteger(limit) && limit >= 1);
      }),
    );
  });

  it('counts only non-negative safe integers (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 1), fc.string()), (n) => {
        expect(isCount(n)).toBe(typeof n === 'number' && Number.isSafeInteger(n) && n >= 0);
      }),
    );
  });

  it('refuses a quota initial or remaining count that is not a count, naming the backend', () => {
    expect(invalidQuotaInitial('castgate', 0)).toBeUndefined();
    expect(invalidQuotaInitial('castgate', -1)?.message).toBe('castgate: quota `initial` must be a non-negative safe integer');
    expect(invalidQuotaInitial('castgate/postgres', '3')?.message).toBe('castgate/postgres: quota `initial` must be a non-negative safe integer');
    expect(invalidRemaining('castgate/redis', 3)).toBeUndefined();
    expect(invalidRemaining('castgate/redis', 1.5)?.message).toBe('castgate/redis: `setRemaining` needs a non-negative safe integer');
  });
});

describe('store input checks every backend shares: leases', () => {
  const acquire = { key: 'demo:ip:198.51.100.7', limit: 2, leaseId: 'lease-a', ttlMs: 60_000, nowMs: t0 };

  it('accepts a usable acquire, renew, release, bind and boundTo', () => {
    expect(invalidAcquire(acquire)).toBeUndefined();
    expect(invalidRenew(acquire)).toBeUndefined();
    expect(invalidRelease({ key: acquire.key, leaseId: acquire.leaseId })).toBeUndefined();
    expect(invalidBind({ configKey: 'demo', sessionId: 's-1', leases: [{ key: acquire.key, leaseId: 'lease-a' }], ttlMs: 1, nowMs: t0 })).toBeUndefined();
    expect(invalidBoundTo({ configKey: 'demo', sessionId: 's-1' })).toBeUndefined();
  });

  it.each([
    [{ limit: 0 }, 'castgate: lease `limit` must be a positive integer'],
    [{ key: '' }, 'castgate: lease `key` must be a non-empty string'],
    [{ leaseId: 7 }, 'castgate: lease `leaseId` must be a non-empty string'],
    [{ ttlMs: 0 }, `castgate: lease \`ttlMs\` must be a whole number of milliseconds from 1 to ${maxLeaseTtlMs}`],
    [{ ttlMs: 1.5 }, `castgate: lease \`ttlMs\` must be a whole number of milliseconds from 1 to ${maxLeaseTtlMs}`],
    [{ ttlMs: maxLeaseTtlMs + 1 }, `castgate: lease \`ttlMs\` must be a whole number of milliseconds from 1 to ${maxLeaseTtlMs}`],
    [{ nowMs: t0 + 0.5 }, 'castgate: lease `nowMs` must be a whole number of milliseconds'],
  ])('refuses an acquire with %j', (bad, message) => {
    expect(invalidAcquire({ ...acquire, ...bad })?.message).toBe(message);
  });

  it('accepts the longest lease, a hundred years', () => {
    expect(invalidRenew({ ...acquire, ttlMs: maxLeaseTtlMs })).toBeUndefined();
  });

  it('lets a release leave out nowMs but refuses a fractional one', () => {
    expect(invalidRelease({ key: 'k', leaseId: 'a', nowMs: undefined })).toBeUndefined();
    expect(invalidRelease({ key: 'k', leaseId: 'a', nowMs: 1.5 })?.message).toBe('castgate: lease `nowMs` must be a whole number of milliseconds');
  });

  it.each([
    [{ leases: 'k' }, 'castgate: lease `leases` must be an array of { key, leaseId }'],
    [{ leases: [null] }, 'castgate: lease `leases` must be an array of { key, leaseId }'],
    [{ leases: [{ key: 'k' }] }, 'castgate: lease `leases[].leaseId` must be a non-empty string'],
    [{ leases: [{ key: '', leaseId: 'a' }] }, 'castgate: lease `leases[].key` must be a non-empty string'],
    [{ sessionId: '' }, 'castgate: lease `sessionId` must be a non-empty string'],
  ])('refuses a bind with %j', (bad, message) => {
    expect(invalidBind({ configKey: 'demo', sessionId: 's-1', leases: [], ttlMs: 1, nowMs: t0, ...bad })?.message).toBe(message);
  });

  it('refuses a boundTo without a config key', () => {
    expect(invalidBoundTo({ configKey: undefined, sessionId: 's-1' })?.message).toBe('castgate: lease `configKey` must be a non-empty string');
  });

  it('copies a lease list to frozen { key, leaseId } objects, never the caller’s own', () => {
    const mine = [{ key: 'k', leaseId: 'a', extra: true }];
    const copy = copyLeases(mine);
    expect(copy).toEqual([{ key: 'k', leaseId: 'a' }]);
    expect(copy[0]).not.toBe(mine[0]);
    expect(Object.isFrozen(copy[0])).toBe(true);
  });
});
