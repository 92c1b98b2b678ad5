import { afterEach, describe, expect, it, vi } from 'vitest';
import { pass, skip, type Guard } from '../../src/contract/guard.js';
import { configSkipsOf } from '../../src/engine/config-skips.js';
import { createCastEvaluator, evaluateCast } from '../../src/engine/evaluate.js';
import { captchaGuard, defaultGuards, expiryGuard, provisionGuard, quotaGuard, rateLimitGuard, resumeGuard } from '../../src/guards/index.js';
import { config, stores, t0 } from '../helpers/cast.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('guards a config never uses', () => {
  it('are the built-in guards whose feature the config leaves off, and no others', () => {
    const plain = config();
    const skips = configSkipsOf(plain, defaultGuards) ?? [];
    const skipped = defaultGuards.filter((guard, i) => skips[i] === guard.check).map((guard) => guard.name);
    expect(skipped).toEqual(['expiry', 'referrer', 'signedLink', 'captcha', 'rateLimit', 'quota', 'liveSessions']);

    const full = config({
      validUntil: '2999-01-01T00:00:00Z',
      allowedReferrers: ['example.com'],
      ipRateLimit: { sessions: 5, withinSeconds: 60 },
      sessionsRemaining: 10,
      allowResume: false,
    });
    const fullSkips = configSkipsOf(full, defaultGuards) ?? [];
    expect(defaultGuards.filter((guard, i) => fullSkips[i] === guard.check).map((guard) => guard.name)).toEqual([
      'signedLink',
      'captcha',
      'resume',
      'liveSessions',
    ]);
    // Resuming depends on the request (only a signed-in user resumes): never skipped without a call
    // unless the config turns it off.
    const resuming = configSkipsOf(config(), defaultGuards) ?? [];
    expect(resuming[defaultGuards.indexOf(resumeGuard)]).toBeUndefined();
  });

  it('are worked out once per config and guard list', () => {
    const plain = config();
    expect(configSkipsOf(plain, defaultGuards)).toBe(configSkipsOf(plain, defaultGuards));
  });

  it('never include a guard the pipeline does not know (a host guard is always called)', async () => {
    const check = vi.fn(() => skip());
    const audit: Guard = { name: 'audit', check };
    const evaluate = createCastEvaluator({ guards: [audit, ...defaultGuards] });
    expect(configSkipsOf(config(), [audit])).toBeUndefined();
    const decision = await evaluate(config(), { ip: '203.0.113.9', now: t0 }, stores());
    expect(check).toHaveBeenCalledTimes(1);
    expect(decision.trace[0]).toEqual({ guard: 'audit', verdict: 'skip', durationMs: 0 });
  });

  it('are traced as skipped, with 0 ms, exactly as when they are called', async () => {
    const decision = await evaluateCast(config(), { ip: '203.0.113.9', now: t0 }, stores());
    expect(decision.trace.filter((entry) => entry.verdict === 'skip')).toEqual(
      ['expiry', 'referrer', 'signedLink', 'parameters', 'captcha', 'resume', 'rateLimit', 'quota', 'liveSessions'].map((guard) => ({
        guard,
        verdict: 'skip',
        durationMs: 0,
      })),
    );
  });

  it('are called as usual when their check was replaced (a spy, a wrapper)', async () => {
    const plain = config();
    configSkipsOf(plain, defaultGuards); // worked out before the spy is set
    const expiry = vi.spyOn(expiryGuard, 'check');
    const captcha = vi.spyOn(captchaGuard, 'check').mockImplementation(() => pass({ note: 'wrapped' }));
    const decision = await evaluateCast(plain, { ip: '203.0.113.9', now: t0 }, stores());
    expect(expiry).toHaveBeenCalledTimes(1);
    expect(captcha).toHaveBeenCalledTimes(1);
    expect(decision.trace.find((entry) => entry.guard === 'captcha')).toMatchObject({ verdict: 'pass', note: 'wrapped' });
  });

  it('keep their own guard name in a renamed copy, which is skipped too', async () => {
    const renamed: Guard = { ...rateLimitGuard, name: 'perClientLimit' };
    const evaluate = createCastEvaluator({ guards: [renamed, quotaGuard, provisionGuard] });
    const decision = await evaluate(config(), { ip: '203.0.113.9', now: t0 }, stores());
    expect(decision.trace.map((entry) => [entry.guard, entry.verdict])).toEqual([
      ['perClientLimit', 'skip'],
      ['quota', 'skip'],
      ['provision', 'pass'],
    ]);
  });
});
