import { describe, expect, it } from 'vitest';
import { evaluateCast } from '../../src/engine/evaluate.js';
import { rateLimitGuard, retryAfterSecondsOf } from '../../src/guards/rate-limit.js';
import { config, contextFor, stores } from '../helpers/cast.js';

describe('rateLimit guard', () => {
  const cfg = config({ ipRateLimit: { sessions: 2, withinSeconds: 60 } });
  const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);

  it('skips without ipRateLimit', async () => {
    expect(await rateLimitGuard.check(contextFor(config(), { ip: '192.0.2.1' }))).toEqual({ verdict: 'skip' });
  });

  it('is an exact sliding window: a slot taken at t frees at t + window, not before (THREATS 4.3)', async () => {
    const s = stores();
    const ip = '192.0.2.1';
    expect((await evaluateCast(cfg, { ip, now: at(0) }, s)).allowed).toBe(true);
    expect((await evaluateCast(cfg, { ip, now: at(30_000) }, s)).allowed).toBe(true);
    const denied = await evaluateCast(cfg, { ip, now: at(59_999) }, s);
    expect(denied.error).toEqual({ code: 'rate_limited', status: 429, message: 'Request limit reached. Please try again later.', retryAfterSeconds: 1 });
    expect((await evaluateCast(cfg, { ip, now: at(60_000) }, s)).allowed).toBe(true);
    const second = await evaluateCast(cfg, { ip, now: at(60_001) }, s);
    expect(second.error?.retryAfterSeconds).toBe(30);
    expect((await evaluateCast(cfg, { ip, now: at(90_000) }, s)).allowed).toBe(true);
  });

  it('keeps addresses and configs in separate buckets', async () => {
    const s = stores();
    const one = config({ key: 'config-one-0123456789', ipRateLimit: { sessions: 1, withinSeconds: 60 } });
    const two = config({ key: 'config-two-0123456789', ipRateLimit: { sessions: 1, withinSeconds: 60 } });
    expect((await evaluateCast(one, { ip: '192.0.2.1', now: at(0) }, s)).allowed).toBe(true);
    expect((await evaluateCast(two, { ip: '192.0.2.1', now: at(0) }, s)).allowed).toBe(true);
    expect((await evaluateCast(one, { ip: '192.0.2.2', now: at(0) }, s)).allowed).toBe(true);
    expect((await evaluateCast(one, { ip: '192.0.2.1', now: at(0) }, s)).error?.code).toBe('rate_limited');
  });

  it('rounds retryAfterSeconds up, between 1 and withinSeconds (THREATS 8.9)', () => {
    expect(retryAfterSecondsOf(1, 60)).toBe(1);
    expect(retryAfterSecondsOf(0, 60)).toBe(1);
    expect(retryAfterSecondsOf(1_001, 60)).toBe(2);
    expect(retryAfterSecondsOf(60_000, 60)).toBe(60);
    expect(retryAfterSecondsOf(90_000, 60)).toBe(60);
  });
});
