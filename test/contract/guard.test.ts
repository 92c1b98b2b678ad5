import { describe, expect, it } from 'vitest';
import { builtInGuardNames, deny, finish, pass, skip } from '../../src/contract/guard.js';
import { defaultGuards } from '../../src/guards/index.js';

describe('the guard kit', () => {
  it('deny carries parameter for missing_parameter and invalid_parameter', () => {
    expect(deny('invalid_parameter', { parameter: 'file' })).toEqual({ verdict: 'deny', error: { code: 'invalid_parameter', parameter: 'file' } });
    expect(deny('missing_parameter', { parameter: 'file', note: 'n' })).toEqual({
      verdict: 'deny', error: { code: 'missing_parameter', parameter: 'file' }, note: 'n',
    });
  });

  it('deny carries retryAfterSeconds for rate_limited, and a message and note for any code', () => {
    expect(deny('rate_limited', { retryAfterSeconds: 30 })).toEqual({ verdict: 'deny', error: { code: 'rate_limited', retryAfterSeconds: 30 } });
    expect(deny('auth_required', { message: 'Sign in first.', note: 'why' })).toEqual({
      verdict: 'deny', error: { code: 'auth_required', message: 'Sign in first.' }, note: 'why',
    });
    expect(deny('quota_exhausted')).toEqual({ verdict: 'deny', error: { code: 'quota_exhausted' } });
  });

  it('refuses at compile time a field the code cannot carry', () => {
    // @ts-expect-error parameter belongs to missing_parameter / invalid_parameter only
    const a = deny('rate_limited', { parameter: 'file' });
    // @ts-expect-error retryAfterSeconds belongs to rate_limited only
    const b = deny('quota_exhausted', { retryAfterSeconds: 5 });
    // @ts-expect-error retryAfterSeconds belongs to rate_limited only
    const c = deny('invalid_parameter', { parameter: 'file', retryAfterSeconds: 5 });
    expect([a, b, c].map((v) => v.verdict)).toEqual(['deny', 'deny', 'deny']);
  });

  it('finish makes the decision, with or without a plan', () => {
    const session = { id: 's-1', userId: 'u-1' };
    expect(finish('resumed', session)).toEqual({ verdict: 'finish', outcome: 'resumed', session });
    expect(finish('created', session, { imageId: 'chrome' })).toEqual({ verdict: 'finish', outcome: 'created', session, launch: { imageId: 'chrome' } });
  });

  it('pass and skip without details share one frozen verdict each', () => {
    expect(pass()).toBe(pass());
    expect(skip()).toBe(skip());
    expect(Object.isFrozen(pass())).toBe(true);
  });

  it('names the built-in guards in one list, which defaultGuards follows', () => {
    expect(defaultGuards.map((guard) => guard.name)).toEqual([...builtInGuardNames]);
  });
});
