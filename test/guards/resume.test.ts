import { describe, expect, it } from 'vitest';
import { evaluateCast } from '../../src/engine/evaluate.js';
import { config, stores, t0 } from '../helpers/cast.js';

describe('resume guard', () => {
  const cfg = config({ allowAnonymous: false, sessionsRemaining: 2, ipRateLimit: { sessions: 1, withinSeconds: 60 } });
  const request = { ip: '192.0.2.1', user: { id: 'u-1' }, now: t0 };

  it('resumes a signed-in user\'s running session without taking quota or a rate-limit slot (THREATS 4.14)', async () => {
    const s = stores();
    const first = await evaluateCast(cfg, request, s);
    expect(first.outcome).toBe('created');
    expect(await s.quota.remaining(cfg.key)).toBe(1);
    const again = await evaluateCast(cfg, request, s);
    expect(again.outcome).toBe('resumed');
    expect(again.session).toEqual(first.session);
    expect(again.trace.map((t) => t.guard)).toEqual(['expiry', 'referrer', 'signedLink', 'authentication', 'parameters', 'captcha', 'resume']);
    expect(await s.quota.remaining(cfg.key)).toBe(1);
    expect(s.sessions.plans).toHaveLength(1);
  });

  it('creates a new session when allowResume is off', async () => {
    const s = stores();
    const noResume = config({ allowAnonymous: false, allowResume: false });
    await evaluateCast(noResume, request, s);
    expect((await evaluateCast(noResume, request, s)).outcome).toBe('created');
    expect(s.sessions.plans).toHaveLength(2);
  });

  it('never resumes for anonymous requests', async () => {
    const s = stores();
    await evaluateCast(config(), { ip: '192.0.2.1', now: t0 }, s);
    expect((await evaluateCast(config(), { ip: '192.0.2.1', now: t0 }, s)).outcome).toBe('created');
  });

  it('defaults allowResume to true, as Kasm does', () => {
    expect(config().allowResume).toBe(true);
  });
});
