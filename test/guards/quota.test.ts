import { describe, expect, it } from 'vitest';
import { evaluateCast } from '../../src/engine/evaluate.js';
import { quotaGuard } from '../../src/guards/quota.js';
import { config, contextFor, stores, t0 } from '../helpers/cast.js';

describe('quota guard', () => {
  it('skips without sessionsRemaining', async () => {
    expect(await quotaGuard.check(contextFor(config(), { ip: '192.0.2.1' }))).toEqual({ verdict: 'skip' });
  });

  it('serves while above zero, then answers quota_exhausted (429, "Session limit exceeded.")', async () => {
    const s = stores();
    const cfg = config({ sessionsRemaining: 2 });
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s)).allowed).toBe(true);
    expect((await evaluateCast(cfg, { ip: '192.0.2.2', now: t0 }, s)).allowed).toBe(true);
    const d = await evaluateCast(cfg, { ip: '192.0.2.3', now: t0 }, s);
    expect(d.error).toEqual({ code: 'quota_exhausted', status: 429, message: 'Session limit exceeded.' });
    expect(await s.quota.remaining(cfg.key)).toBe(0);
  });

  it('treats sessionsRemaining: 0 as a link with nothing left', async () => {
    expect((await evaluateCast(config({ sessionsRemaining: 0 }), { ip: '192.0.2.1', now: t0 }, stores())).error?.code).toBe('quota_exhausted');
  });

  it('serves again after an admin tops the quota up with setRemaining', async () => {
    const s = stores();
    const cfg = config({ sessionsRemaining: 0 });
    await s.quota.setRemaining(cfg.key, 1);
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s)).allowed).toBe(true);
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s)).error?.code).toBe('quota_exhausted');
  });

  it('serves exactly 100 of 1000 concurrent requests when the quota is 100', async () => {
    const s = stores();
    const cfg = config({ sessionsRemaining: 100 });
    const ds = await Promise.all(Array.from({ length: 1000 }, (_, i) => evaluateCast(cfg, { ip: `10.1.${i >> 8}.${i & 255}`, now: t0 }, s)));
    expect(ds.filter((d) => d.allowed)).toHaveLength(100);
    expect(await s.quota.remaining(cfg.key)).toBe(0);
  });
});
