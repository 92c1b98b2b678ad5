import { describe, expect, it } from 'vitest';
import { allowedDecision, deniedDecision, toError, traceEntry } from '../../src/engine/decision-builder.js';
import { castErrorMessages } from '../../src/contract/decision.js';
import { config } from '../helpers/cast.js';

describe('decision builder', () => {
  it('takes the message from the overrides, then the guard, then the default table', () => {
    expect(toError({ code: 'quota_exhausted' }, undefined).message).toBe(castErrorMessages.quota_exhausted);
    expect(toError({ code: 'quota_exhausted', message: 'Full.' }, undefined).message).toBe('Full.');
    expect(toError({ code: 'quota_exhausted', message: 'Full.' }, { quota_exhausted: 'Complet.' }).message).toBe('Complet.');
    expect(toError({ code: 'quota_exhausted' }, undefined).status).toBe(429);
  });

  it('keeps a field only on the code that carries it', () => {
    expect(toError({ code: 'rate_limited', retryAfterSeconds: 7, parameter: 'x' }, undefined)).toEqual({
      code: 'rate_limited', status: 429, message: expect.any(String) as string, retryAfterSeconds: 7,
    });
    expect(toError({ code: 'invalid_parameter', parameter: 'file', retryAfterSeconds: 7 }, undefined)).toMatchObject({ parameter: 'file' });
    expect(toError({ code: 'invalid_parameter', parameter: 'file', retryAfterSeconds: 7 }, undefined)).not.toHaveProperty('retryAfterSeconds');
    expect(toError({ code: 'auth_required', parameter: 'file' }, undefined)).not.toHaveProperty('parameter');
  });

  it('adds redirectUrl when the config has an errorUrl, with the code and message in its query', () => {
    const plain = deniedDecision('d-1', config(), { code: 'link_expired' }, [], undefined);
    expect(plain).not.toHaveProperty('redirectUrl');
    const redirected = deniedDecision('d-1', config({ errorUrl: 'https://example.com/oops?x=1#top' }), { code: 'link_expired' }, [], undefined);
    const url = new URL(redirected.redirectUrl ?? '');
    expect(url.searchParams.get('error')).toBe('link_expired');
    expect(url.searchParams.get('x')).toBe('1');
    expect(url.hash).toBe('#top');
  });

  it('builds an allowed decision from the finishing plan, else from the facts gathered so far', () => {
    const session = { id: 's-1', userId: 'u-1' };
    const gathered = { dockerNetwork: 'kiosk' };
    expect(allowedDecision('d-1', { verdict: 'finish', outcome: 'resumed', session }, gathered, []).launch).toBe(gathered);
    const plan = { imageId: 'chrome' };
    expect(allowedDecision('d-1', { verdict: 'finish', outcome: 'created', session, launch: plan }, gathered, []).launch).toBe(plan);
  });

  it('traces finish as pass, keeps notes only when given, and names the denial code', () => {
    const session = { id: 's-1', userId: 'u-1' };
    expect(traceEntry('provision', { verdict: 'finish', outcome: 'created', session }, 1)).toEqual({ guard: 'provision', verdict: 'pass', durationMs: 1 });
    expect(traceEntry('referrer', { verdict: 'pass' }, 2)).toEqual({ guard: 'referrer', verdict: 'pass', durationMs: 2 });
    expect(traceEntry('referrer', { verdict: 'pass', note: 'n' }, 2)).toEqual({ guard: 'referrer', verdict: 'pass', durationMs: 2, note: 'n' });
    expect(traceEntry('expiry', { verdict: 'skip' }, 0)).toEqual({ guard: 'expiry', verdict: 'skip', durationMs: 0 });
    expect(traceEntry('quota', { verdict: 'deny', error: { code: 'quota_exhausted' }, note: 'n' }, 3)).toEqual({
      guard: 'quota', verdict: 'deny', code: 'quota_exhausted', durationMs: 3, note: 'n',
    });
  });
});
