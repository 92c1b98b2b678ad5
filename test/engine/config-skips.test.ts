import { afterEach, describe, expect, it, vi } from 'vitest';
import { safeParseCastConfig } from '../../src/config/parse.js';
import type { CastConfig, CastConfigInput } from '../../src/config/schema.js';
import type { CastRequest } from '../../src/contract/request.js';
import { pass, skip, type Guard } from '../../src/contract/guard.js';
import { configSkipsOf } from '../../src/engine/config-skips.js';
import { createCastEvaluator, evaluateCast } from '../../src/engine/evaluate.js';
import { captchaGuard, defaultGuards, expiryGuard, provisionGuard, quotaGuard, rateLimitGuard, resumeGuard } from '../../src/guards/index.js';
import { config, contextFor, stores, t0 } from '../helpers/cast.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The guards of the list whose verdict the config alone decides, with that verdict. */
function decided(cfg: CastConfig, guards: readonly Guard[]): [string, string][] {
  const known = configSkipsOf(cfg, guards) ?? [];
  return guards.flatMap((guard, i): [string, string][] => {
    const verdict = known[i];
    return verdict !== undefined && verdict.check === guard.check ? [[guard.name, verdict.verdict]] : [];
  });
}

describe('guards a config never uses', () => {
  it('are the built-in guards whose feature the config leaves off, and no others', () => {
    expect(decided(config(), defaultGuards)).toEqual([
      ['expiry', 'skip'],
      ['referrer', 'skip'],
      ['signedLink', 'skip'],
      ['authentication', 'pass'],
      ['captcha', 'skip'],
      ['rateLimit', 'skip'],
      ['quota', 'skip'],
      ['liveSessions', 'skip'],
    ]);

    const full = config({
      validUntil: '2999-01-01T00:00:00Z',
      allowedReferrers: ['example.com'],
      ipRateLimit: { sessions: 5, withinSeconds: 60 },
      sessionsRemaining: 10,
      allowResume: false,
    });
    expect(decided(full, defaultGuards)).toEqual([
      ['signedLink', 'skip'],
      ['authentication', 'pass'],
      ['captcha', 'skip'],
      ['resume', 'skip'],
      ['liveSessions', 'skip'],
    ]);
    // Signed-in users only: the authentication guard decides on the request.
    expect(decided(config({ allowAnonymous: false }), defaultGuards).map(([name]) => name)).not.toContain('authentication');
    // Resuming depends on the request (only a signed-in user resumes): never skipped without a call
    // unless the config turns it off.
    expect(decided(config(), defaultGuards).map(([name]) => name)).not.toContain(resumeGuard.name);
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

  it('are traced with their verdict and 0 ms (they have nothing to check), as a skip is when called', async () => {
    const decision = await evaluateCast(config(), { ip: '203.0.113.9', now: t0 }, stores());
    expect(decision.trace.filter((entry) => entry.guard !== 'provision')).toEqual(
      ['expiry', 'referrer', 'signedLink', 'authentication', 'parameters', 'captcha', 'resume', 'rateLimit', 'quota', 'liveSessions'].map(
        (guard) => ({ guard, verdict: guard === 'authentication' ? 'pass' : 'skip', durationMs: 0 }),
      ),
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

  it('say what the guard itself answers: for every mix of features and any request, calling it gives the same verdict', async () => {
    // A verdict registered beside a guard is a twin of its own first test; a twin that drifted would
    // skip a guard that has something to check. Every subset of the features below, against anonymous
    // and signed-in requests with and without a Referer, parameters and a link token.
    const features: readonly Partial<CastConfigInput>[] = [
      { validUntil: '2999-01-01T00:00:00Z' },
      { allowedReferrers: ['example.com'] },
      { requireSignedLink: true },
      { allowAnonymous: false },
      { requireCaptcha: true },
      { allowResume: false },
      { ipRateLimit: { sessions: 5, withinSeconds: 60 } },
      { sessionsRemaining: 10 },
      { maxLiveSessions: 3 },
      { maxLiveSessionsPerClient: 1 },
    ];
    const requests: readonly CastRequest[] = [
      { ip: '203.0.113.9' },
      { ip: '203.0.113.9', referrer: 'https://example.com/page', query: { kasm_url: 'https://example.com/' } },
      { ip: '2001:db8::1', user: { id: 'u-1' } },
      { ip: '203.0.113.9', user: { id: 'u-1' }, referrer: 'https://evil.example/', linkToken: 'not-a-token', captchaToken: 'token' },
    ];
    let configs = 0;
    let compared = 0;
    for (let mask = 0; mask < 1 << features.length; mask++) {
      const input = Object.assign({ name: 'Test', key: 'test-key-0123456789', imageId: 'img-chrome', allowAnonymous: true }, ...features.filter((_, i) => (mask & (1 << i)) !== 0));
      const parsed = safeParseCastConfig(input);
      if (!parsed.success) continue;
      configs++;
      const cfg = parsed.config;
      const known = configSkipsOf(cfg, defaultGuards) ?? [];
      for (const [index, guard] of defaultGuards.entries()) {
        const verdict = known[index]?.verdict;
        if (verdict === undefined) continue;
        for (const request of requests) {
          const answer = await guard.check(contextFor(cfg, request));
          expect(answer.verdict, `${guard.name} on ${JSON.stringify(input)} for ${JSON.stringify(request)}`).toBe(verdict);
          compared++;
        }
      }
    }
    expect(configs).toBeGreaterThan(256);
    expect(compared).toBeGreaterThan(1_000);
  });
});
