import { describe, expect, it } from 'vitest';
import { evaluateCast } from '../../src/engine/evaluate.js';
import { explainCast } from '../../src/engine/explain.js';
import { createTestStores } from '../../src/testing/index.js';
import { config, t0 } from '../helpers/cast.js';

const link = config({ key: 'explain-link-0123456789', sessionsRemaining: 2, ipRateLimit: { sessions: 1, withinSeconds: 60 } });
const verdictOf = (e: { allowed: boolean; outcome?: string; error?: { code: string } }) => (e.allowed ? e.outcome : e.error?.code);

describe('explainCast', () => {
  it('answers the decision evaluateCast would make, and takes nothing: ten explanations leave every slot and unit', async () => {
    const stores = createTestStores();
    for (let i = 0; i < 10; i++) {
      const explanation = await explainCast(link, { ip: '192.0.2.1', now: t0 }, stores);
      expect(explanation.allowed).toBe(true);
      expect(explanation).toMatchObject({ outcome: 'created', launch: { imageId: 'img-chrome' } });
    }
    expect(stores.rateLimit.callsTo('take')).toEqual([]);
    expect(stores.rateLimit.callsTo('giveBack')).toEqual([]);
    expect(stores.quota.callsTo('take')).toEqual([]);
    expect(stores.quota.callsTo('setRemaining')).toEqual([]);
    expect(stores.sessions.callsTo('provision')).toEqual([]);
    expect(await stores.quota.remaining('explain-link-0123456789')).toBeUndefined();
    expect(verdictOf(await evaluateCast(link, { ip: '192.0.2.1', now: t0 }, stores))).toBe('created');
  });

  it('peeks the rate limit and reads the quota: it explains rate_limited and quota_exhausted as they stand', async () => {
    const stores = createTestStores();
    await evaluateCast(link, { ip: '192.0.2.1', now: t0 }, stores);
    const limited = await explainCast(link, { ip: '192.0.2.1', now: t0 }, stores);
    expect(limited.error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 60 });
    await evaluateCast(link, { ip: '192.0.2.2', now: t0 }, stores);
    expect(verdictOf(await explainCast(link, { ip: '192.0.2.3', now: t0 }, stores))).toBe('quota_exhausted');
    expect(await stores.quota.remaining('explain-link-0123456789')).toBe(0);
    expect(stores.rateLimit.callsTo('peek').length).toBeGreaterThan(0);
  });

  it('says in the trace what a dry run did not do', async () => {
    const explanation = await explainCast(link, { ip: '192.0.2.1', now: t0 }, createTestStores());
    const notes = Object.fromEntries(explanation.trace.map((t) => [t.guard, t.note]));
    expect(notes).toMatchObject({ rateLimit: 'dry run: peeked, nothing taken', quota: 'dry run: read, nothing taken', provision: 'not provisioned: dry run' });
  });

  it('never calls the captcha verifier: a token passes with the note "not verified: dry run"', async () => {
    const captchaLink = config({ key: 'explain-captcha-0123456789', requireCaptcha: true });
    const stores = createTestStores();
    const explanation = await explainCast(captchaLink, { ip: '192.0.2.1', captchaToken: 'anything-at-all', now: t0 }, stores);
    expect(explanation.allowed).toBe(true);
    expect(explanation.trace.find((t) => t.guard === 'captcha')).toMatchObject({ verdict: 'pass', note: 'not verified: dry run' });
    expect(stores.captcha.calls).toEqual([]);
    expect(verdictOf(await explainCast(captchaLink, { ip: '192.0.2.1', now: t0 }, stores))).toBe('captcha_required');
    const withoutVerifier = { rateLimit: stores.rateLimit, quota: stores.quota, sessions: stores.sessions };
    expect(verdictOf(await explainCast(captchaLink, { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, withoutVerifier))).toBe('created');
  });

  it('finds a running session for resume (a read), and creates nothing', async () => {
    const stores = createTestStores();
    const resumable = config({ key: 'explain-resume-0123456789', allowAnonymous: false });
    await evaluateCast(resumable, { ip: '192.0.2.1', user: { id: 'u-1' }, now: t0 }, stores);
    expect(verdictOf(await explainCast(resumable, { ip: '192.0.2.1', user: { id: 'u-1' }, now: t0 }, stores))).toBe('resumed');
    expect(verdictOf(await explainCast(resumable, { ip: '192.0.2.1', user: { id: 'u-2' }, now: t0 }, stores))).toBe('created');
    expect(stores.sessions.callsTo('provision')).toHaveLength(1);
  });

  it('carries no decisionId and fires no onDecision event', async () => {
    let fired = 0;
    const explanation = await explainCast(link, { ip: '192.0.2.1', now: t0 }, createTestStores(), { onDecision: () => { fired++; } });
    expect(fired).toBe(0);
    expect(explanation).not.toHaveProperty('decisionId');
    expect(explanation).not.toHaveProperty('session');
    expect(Object.keys(explanation).sort()).toEqual(['allowed', 'launch', 'outcome', 'trace']);
  });

  it('explains denials with the evaluator options (messages) and answers a store outage as store_unavailable', async () => {
    const stores = createTestStores();
    const expired = config({ key: 'explain-expired-0123456789', validUntil: '2020-01-01T00:00:00Z' });
    const explanation = await explainCast(expired, { ip: '192.0.2.1', now: t0 }, stores, { messages: { link_expired: 'Ce lien a expiré' } });
    expect(explanation.error).toMatchObject({ code: 'link_expired', message: 'Ce lien a expiré', status: 410 });
    stores.rateLimit.reject(new Error('ECONNRESET'), { method: 'peek' });
    const outage = await explainCast(link, { ip: '192.0.2.1', now: t0 }, stores);
    expect(outage.error?.code).toBe('store_unavailable');
    expect(outage.trace.find((t) => t.guard === 'rateLimit')?.note).toBe('failed: Error: ECONNRESET');
  });

  it('rejects for programmer errors, as evaluateCast does', async () => {
    await expect(explainCast(link, { ip: '192.0.2.1' }, {} as never)).rejects.toThrow(TypeError);
    await expect(explainCast({ ...link }, { ip: '192.0.2.1' }, createTestStores())).rejects.toThrow(TypeError);
  });
});
