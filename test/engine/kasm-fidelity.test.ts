// SPEC §A: the engine's Kasm-fidelity and robustness amendments (issue 17), end to end through
// evaluateCast on memory stores.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createMemoryStores, evaluateCast, toHttpResponse } from '../../src/index.js';
import type { CaptchaResult, CaptchaVerifier, CastStores, QuotaStore, RateLimitStore, SessionProvisioner } from '../../src/contract/stores.js';
import { config, stores, t0 } from '../helpers/cast.js';

/** A verifier that answers as told and counts its calls. */
function verifier(answer: CaptchaResult = { success: false }): CaptchaVerifier & { calls: number } {
  const counting = {
    calls: 0,
    verify() {
      counting.calls++;
      return Promise.resolve(answer);
    },
  };
  return counting;
}

const later = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('errorUrl redirects final denials only (SPEC §A)', () => {
  const withErrorUrl = { errorUrl: 'https://portal.example/cast-error' };

  it('never redirects captcha_required or captcha_failed: the visitor must see the captcha page', async () => {
    const cfg = config({ ...withErrorUrl, requireCaptcha: true });
    const required = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, stores({ captcha: verifier() }));
    expect(required.error?.code).toBe('captcha_required');
    expect(required).not.toHaveProperty('redirectUrl');
    const failed = await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, stores({ captcha: verifier() }));
    expect(failed.error?.code).toBe('captcha_failed');
    expect(failed).not.toHaveProperty('redirectUrl');
    expect(toHttpResponse(failed).status).toBe(403);
  });

  it('never redirects auth_required: the host sends the visitor to sign in', async () => {
    const d = await evaluateCast(config({ ...withErrorUrl, allowAnonymous: false }), { ip: '192.0.2.1', now: t0 }, stores());
    expect(d.error?.code).toBe('auth_required');
    expect(d).not.toHaveProperty('redirectUrl');
  });

  it('still redirects a final denial such as link_expired or quota_exhausted', async () => {
    const expired = await evaluateCast(config({ ...withErrorUrl, validUntil: t0 }), { ip: '192.0.2.1', now: t0 }, stores());
    expect(expired.redirectUrl).toBe('https://portal.example/cast-error?error=link_expired&message=This+link+has+expired');
    const empty = await evaluateCast(config({ ...withErrorUrl, sessionsRemaining: 0 }), { ip: '192.0.2.1', now: t0 }, stores());
    expect(empty.redirectUrl).toContain('error=quota_exhausted');
  });
});

describe('captcha guard order: limits and quota before the puzzle, the provider last (SPEC §A)', () => {
  it('answers quota_exhausted, not captcha_required, on a link with nothing left, and never calls the provider', async () => {
    const captcha = verifier({ success: true });
    const cfg = config({ requireCaptcha: true, sessionsRemaining: 0 });
    for (const captchaToken of [undefined, 'tok']) {
      const d = await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken, now: t0 }, stores({ captcha }));
      expect(d.error?.code).toBe('quota_exhausted');
    }
    expect(captcha.calls).toBe(0);
  });

  it('reads the quota through QuotaStore.remaining: an admin-set 0 is exhausted, never used is the config value', async () => {
    const cfg = config({ requireCaptcha: true, sessionsRemaining: 5 });
    const s = stores({ captcha: verifier({ success: true }) });
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s)).error?.code).toBe('captcha_required');
    await s.quota.setRemaining(cfg.key, 0);
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s)).error?.code).toBe('quota_exhausted');
  });

  it('reads remaining() answering null as never used (the config value)', async () => {
    const cfg = config({ requireCaptcha: true, sessionsRemaining: 1 });
    const s = stores({ captcha: verifier({ success: true }) });
    const quota: QuotaStore = { ...s.quota, remaining: () => Promise.resolve(null as unknown as undefined) };
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, { ...s, quota })).error?.code).toBe('captcha_required');
  });

  it('answers rate_limited (with retryAfterSeconds) before asking for a token when the bucket is full', async () => {
    const cfg = config({ requireCaptcha: true, ipRateLimit: { sessions: 1, withinSeconds: 60 } });
    const captcha = verifier({ success: true });
    const s = stores({ captcha });
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, s)).allowed).toBe(true);
    const d = await evaluateCast(cfg, { ip: '192.0.2.1', now: later(10) }, s);
    expect(d.error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 50 });
  });

  it('calls the provider at most 5 times for 200 garbage tokens from one address, then answers rate_limited', async () => {
    const captcha = verifier({ success: false });
    const cfg = config({ requireCaptcha: true });
    const s = stores({ captcha });
    const codes: string[] = [];
    for (let i = 0; i < 200; i++) {
      const d = await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: `garbage-${i}`, now: later(i) }, s);
      codes.push(d.error?.code ?? 'allowed');
    }
    expect(captcha.calls).toBe(5);
    expect(codes.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => 'captcha_failed'));
    expect(new Set(codes.slice(5))).toEqual(new Set(['rate_limited']));
    const last = await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'tok', now: later(200) }, s);
    expect(last.error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 400 });
    expect(toHttpResponse(last).headers['retry-after']).toBe('400');
  });

  it('counts failures without a provider call (a token that is too long) in the same budget', async () => {
    const captcha = verifier({ success: true });
    const s = stores({ captcha });
    const cfg = config({ requireCaptcha: true });
    for (let i = 0; i < 5; i++) {
      expect((await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'x'.repeat(10_000), now: t0 }, s)).error?.code).toBe('captcha_failed');
    }
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'good', now: t0 }, s)).error?.code).toBe('rate_limited');
    expect(captcha.calls).toBe(0);
  });

  it('keeps the budget per client, within ipRateLimit.withinSeconds, and a success does not reset it', async () => {
    let answer = false;
    const captcha: CaptchaVerifier = { verify: () => Promise.resolve({ success: answer }) };
    const s = stores({ captcha });
    const cfg = config({ requireCaptcha: true, ipRateLimit: { sessions: 100, withinSeconds: 120 } });
    const ask = (ip: string, at: Date) => evaluateCast(cfg, { ip, captchaToken: 'tok', now: at }, s);
    for (let i = 0; i < 4; i++) expect((await ask('192.0.2.1', t0)).error?.code).toBe('captcha_failed');
    answer = true;
    expect((await ask('192.0.2.1', t0)).allowed).toBe(true);
    answer = false;
    expect((await ask('192.0.2.1', t0)).error?.code).toBe('captcha_failed');
    expect((await ask('192.0.2.1', t0)).error?.code).toBe('rate_limited');
    expect((await ask('192.0.2.2', t0)).error?.code).toBe('captcha_failed');
    answer = true;
    expect((await ask('192.0.2.1', later(119))).error?.code).toBe('rate_limited');
    expect((await ask('192.0.2.1', later(120))).allowed).toBe(true);
  });

  it('uses 600 s without ipRateLimit, and the evaluator option captchaFailuresPerClient', async () => {
    const s = stores({ captcha: verifier({ success: false }) });
    const cfg = config({ requireCaptcha: true });
    const ask = (at: Date) => evaluateCast(cfg, { ip: '192.0.2.9', captchaToken: 'tok', now: at }, s, { captchaFailuresPerClient: 2 });
    expect((await ask(t0)).error?.code).toBe('captcha_failed');
    expect((await ask(t0)).error?.code).toBe('captcha_failed');
    expect((await ask(later(599))).error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 1 });
    expect((await ask(later(600))).error?.code).toBe('captcha_failed');
  });

  it('keeps the budget under its own key: failed captchas never take the session slot', async () => {
    let answer = false;
    const s = stores({ captcha: { verify: () => Promise.resolve({ success: answer }) } });
    const cfg = config({ requireCaptcha: true, ipRateLimit: { sessions: 1, withinSeconds: 60 } });
    for (let i = 0; i < 3; i++) expect((await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, s)).error?.code).toBe('captcha_failed');
    answer = true;
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, s)).allowed).toBe(true);
  });
});

describe('persistentProfile (SPEC §A)', () => {
  it('is true for a signed-in user on a link that also allows anonymous users, false for anonymous ones', async () => {
    const cfg = config({ allowAnonymous: true });
    const signedIn = await evaluateCast(cfg, { ip: '192.0.2.1', user: { id: 'u-1' }, now: t0 }, stores());
    expect(signedIn.allowed && signedIn.launch.persistentProfile).toBe(true);
    const anonymous = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, stores());
    expect(anonymous.allowed && anonymous.launch.persistentProfile).toBe(false);
  });
});

describe('resume never claims what the running session does not have (SPEC §A)', () => {
  const user = { id: 'u-1' };
  function withRunning(running: unknown): CastStores {
    const sessions: SessionProvisioner = {
      findRunning: () => Promise.resolve(running as null),
      provision: ({ plan }) => Promise.resolve({ id: 'new', userId: plan.user.id ?? 'anon' }),
    };
    return { ...createMemoryStores(), sessions };
  }
  const dynamic = config({ dynamicDockerNetwork: true, allowedDockerNetworks: ['net-a', 'net-b'] });

  it('carries the running session’s dockerNetwork, never the request’s', async () => {
    const d = await evaluateCast(dynamic, { ip: '192.0.2.1', user, now: t0 }, withRunning({ id: 's-1', userId: 'u-1', dockerNetwork: 'net-a' }));
    expect(d.allowed && d.outcome).toBe('resumed');
    expect(d.allowed && d.launch.dockerNetwork).toBe('net-a');
    const same = await evaluateCast(dynamic, { ip: '192.0.2.1', user, query: { docker_network: 'net-a' }, now: t0 }, withRunning({ id: 's-1', userId: 'u-1', dockerNetwork: 'net-a' }));
    expect(same.allowed && same.launch.dockerNetwork).toBe('net-a');
  });

  it('refuses a docker_network that differs from the running one with invalid_parameter', async () => {
    const d = await evaluateCast(dynamic, { ip: '192.0.2.1', user, query: { docker_network: 'net-b' }, now: t0 }, withRunning({ id: 's-1', userId: 'u-1', dockerNetwork: 'net-a' }));
    expect(d.error).toMatchObject({ code: 'invalid_parameter', parameter: 'docker_network' });
  });

  it('leaves an unknown running network out of the plan, with a note on the resume trace entry', async () => {
    const d = await evaluateCast(dynamic, { ip: '192.0.2.1', user, query: { docker_network: 'net-b' }, now: t0 }, withRunning({ id: 's-1', userId: 'u-1' }));
    expect(d.allowed && d.outcome).toBe('resumed');
    expect(d.allowed && d.launch).not.toHaveProperty('dockerNetwork');
    expect(d.trace.find((entry) => entry.guard === 'resume')?.note).toMatch(/docker/iu);
  });

  it('opens the static kasm_url in a new tab on resume, the dynamic one when given', async () => {
    const running = { id: 's-1', userId: 'u-1' };
    const fixed = config({ kasmUrl: 'https://start.example/' });
    const d = await evaluateCast(fixed, { ip: '192.0.2.1', user, now: t0 }, withRunning(running));
    expect(d.allowed && d.launch.openInNewTab).toBe('https://start.example/');
    const both = config({ kasmUrl: 'https://start.example/', dynamicKasmUrl: true });
    const given = await evaluateCast(both, { ip: '192.0.2.1', user, query: { kasm_url: 'https://other.example/x' }, now: t0 }, withRunning(running));
    expect(given.allowed && given.launch.openInNewTab).toBe('https://other.example/x');
  });

  it.each([
    ['{}', {}],
    ['an empty id', { id: '', userId: 'u-1' }],
    ['a numeric id', { id: 7, userId: 'u-1' }],
    ['another user’s session', { id: 's-9', userId: 'u-2' }],
    ['a string', 'session-1'],
    ['a non-string dockerNetwork', { id: 's-1', userId: 'u-1', dockerNetwork: 5 }],
  ])('never resumes on %s from findRunning: store_unavailable, nothing created', async (_, running) => {
    const d = await evaluateCast(config(), { ip: '192.0.2.1', user, now: t0 }, withRunning(running));
    expect(d.error?.code).toBe('store_unavailable');
  });

  it('reads undefined from findRunning as none running', async () => {
    const d = await evaluateCast(config(), { ip: '192.0.2.1', user, now: t0 }, withRunning(undefined));
    expect(d.allowed && d.outcome).toBe('created');
  });
});

describe('store answers outside the contract are store failures, never NaN (SPEC §A)', () => {
  const limited = config({ ipRateLimit: { sessions: 1, withinSeconds: 60 } });
  function rateLimitAnswering(take: unknown, peek: unknown = { full: false, retryAfterMs: 0 }): CastStores {
    const memory = createMemoryStores();
    const rateLimit: RateLimitStore = { ...memory.rateLimit, take: () => Promise.resolve(take as never), peek: () => Promise.resolve(peek as never) };
    return { ...memory, rateLimit };
  }

  it.each([
    ['{ ok: false }', { ok: false }],
    ['{ ok: false, retryAfterMs: NaN }', { ok: false, retryAfterMs: Number.NaN }],
    ['{ ok: false, retryAfterMs: Infinity }', { ok: false, retryAfterMs: Number.POSITIVE_INFINITY }],
    ['{ ok: false, retryAfterMs: "5" }', { ok: false, retryAfterMs: '5' }],
    ['{ ok: true } without a reservation', { ok: true }],
    ['undefined', undefined],
  ])('take answering %s → store_unavailable, and no Retry-After: NaN', async (_, answer) => {
    const d = await evaluateCast(limited, { ip: '192.0.2.1', now: t0 }, rateLimitAnswering(answer));
    expect(d.error?.code).toBe('store_unavailable');
    expect(JSON.stringify(toHttpResponse(d))).not.toContain('NaN');
  });

  it.each([
    ['{ full: true }', { full: true }],
    ['{ full: true, retryAfterMs: NaN }', { full: true, retryAfterMs: Number.NaN }],
    ['{ full: "yes", retryAfterMs: 5 }', { full: 'yes', retryAfterMs: 5 }],
  ])('peek answering %s → store_unavailable', async (_, answer) => {
    const cfg = config({ requireCaptcha: true, ipRateLimit: { sessions: 1, withinSeconds: 60 } });
    const d = await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, { ...rateLimitAnswering({ ok: true, reservation: 'r' }, answer), captcha: verifier({ success: true }) });
    expect(d.error?.code).toBe('store_unavailable');
    expect(JSON.stringify(toHttpResponse(d))).not.toContain('NaN');
  });

  it.each([
    ['-1', -1],
    ['1.5', 1.5],
    ['NaN', Number.NaN],
    ['"3"', '3'],
  ])('QuotaStore.remaining answering %s → store_unavailable', async (_, answer) => {
    const memory = createMemoryStores();
    const quota: QuotaStore = { ...memory.quota, remaining: () => Promise.resolve(answer as number) };
    const d = await evaluateCast(config({ requireCaptcha: true, sessionsRemaining: 5 }), { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, {
      ...memory,
      quota,
      captcha: verifier({ success: true }),
    });
    expect(d.error?.code).toBe('store_unavailable');
  });
});

describe('now is read once, from a genuine Date (SPEC §A)', () => {
  it('answers invalid_request for a Date-like object instead of rejecting', async () => {
    const d = await evaluateCast(config(), { ip: '192.0.2.1', now: Object.create(Date.prototype) as Date }, stores());
    expect(d.error?.code).toBe('invalid_request');
  });

  it('reads a Date whose getTime changes once: an expired link stays expired', async () => {
    const cfg = config({ validUntil: t0 });
    const now = new Date(t0.getTime() + 1000);
    let reads = 0;
    now.getTime = () => (reads++ === 0 ? t0.getTime() + 1000 : t0.getTime() - 60_000);
    const d = await evaluateCast(cfg, { ip: '192.0.2.1', now }, stores());
    expect(d.error?.code).toBe('link_expired');
    expect(reads).toBeLessThanOrEqual(1);
  });
});

describe('a pending decision keeps the process alive (SPEC §A)', () => {
  it('a script whose store never settles still prints its decision and exits 0 (not 13 with no decision)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'castgate-pending-'));
    try {
      const index = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
      const script = join(dir, 'pending.mts');
      writeFileSync(
        script,
        [
          `import { createMemoryStores, evaluateCast, parseCastConfig } from ${JSON.stringify(index)};`,
          `const config = parseCastConfig({ name: 'P', key: 'pending-0123456789', imageId: 'img', allowAnonymous: true, ipRateLimit: { sessions: 1, withinSeconds: 60 } });`,
          `const memory = createMemoryStores();`,
          `const rateLimit = { ...memory.rateLimit, take: () => new Promise(() => undefined) };`,
          `const decision = await evaluateCast(config, { ip: '192.0.2.1' }, { ...memory, rateLimit }, { storeTimeoutMs: 300 });`,
          `console.log(decision.allowed ? 'allowed' : decision.error.code);`,
        ].join('\n'),
      );
      const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
      expect({ status: run.status, stdout: run.stdout.trim() }).toEqual({ status: 0, stdout: 'store_unavailable' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
