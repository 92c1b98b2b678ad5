import { describe, expect, it } from 'vitest';
import {
  CallAbortedError,
  deadlineSignal,
  DeadlineExceededError,
  defaultCaptchaTimeoutMs,
  defaultCommandTimeoutMs,
  defaultStoreTimeoutMs,
  defaultVerifierTimeoutMs,
  durationProblem,
  maxTimerMs,
  runWithDeadline,
  unwatchDeadline,
  watchDeadline,
  withDeadline,
  type DeadlineWatched,
} from '../../src/engine/deadline.js';

const never = () => new Promise<never>(() => undefined);
const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => { resolve(value); }, ms));

describe('withDeadline', () => {
  it('settles like the promise when it settles in time', async () => {
    await expect(withDeadline(Promise.resolve(7), 50)).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('boom')), 50)).rejects.toThrow('boom');
    await expect(withDeadline(Promise.reject(new Error('late')), 50)).rejects.not.toBeInstanceOf(DeadlineExceededError);
  });

  it('wraps a non-Error rejection in an Error', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    await expect(withDeadline(Promise.reject('text'), 50)).rejects.toThrow('text');
  });

  it('rejects with DeadlineExceededError and calls onTimeout when the promise outlives the deadline', async () => {
    let aborted = 0;
    const error = await withDeadline(never(), 20, () => { aborted++; }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).timeoutMs).toBe(20);
    expect(aborted).toBe(1);
  });

  it('keeps every concurrent deadline, also a shorter one that arrives after a longer one', async () => {
    const results = await Promise.allSettled([
      withDeadline(never(), 200),
      withDeadline(never(), 20),
      withDeadline(after(5, 'quick'), 100),
      withDeadline(after(60, 'slow but in time'), 150),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).name))).toEqual([
      'DeadlineExceededError',
      'DeadlineExceededError',
      'quick',
      'slow but in time',
    ]);
  });
});

describe('watchDeadline', () => {
  const entry = (ms: number, onExpire: () => void = () => undefined): DeadlineWatched => ({ deadline: performance.now() + ms, expire: onExpire });

  it('expires a watched entry once, even when it was watched twice', async () => {
    let expired = 0;
    const watched = entry(10, () => { expired++; });
    watchDeadline(watched);
    watchDeadline(watched);
    await after(250, null);
    expect(expired).toBe(1);
    expect(watched.watched).toBe(false);
  });

  it('never expires an entry unwatched in time, among thousands watched and unwatched', async () => {
    let expired = 0;
    const keep = entry(30, () => { expired++; });
    watchDeadline(keep);
    for (let i = 0; i < 5000; i++) {
      const passing = entry(20, () => { expired += 100; });
      watchDeadline(passing);
      unwatchDeadline(passing);
    }
    await after(250, null);
    expect(expired).toBe(1);
  });

  it('does not expire a due entry that an earlier expiry unwatched', async () => {
    const expired: string[] = [];
    const second = entry(10, () => expired.push('second'));
    const first = entry(5, () => {
      expired.push('first');
      unwatchDeadline(second);
    });
    watchDeadline(first);
    watchDeadline(second);
    await after(250, null);
    expect(expired).toEqual(['first']);
  });

  it('expires an entry watched while another one expires, at its own deadline', async () => {
    const expired: string[] = [];
    let firstDone: () => void = () => undefined;
    const firstExpired = new Promise<void>((resolve) => { firstDone = resolve; });
    watchDeadline(entry(5, () => {
      expired.push('first');
      watchDeadline(entry(200, () => expired.push('later')));
      firstDone();
    }));
    await firstExpired;
    expect(expired).toEqual(['first']);
    await after(400, null);
    expect(expired).toEqual(['first', 'later']);
  });
});

describe('runWithDeadline (a store command)', () => {
  it('answers like the work when it settles in time, and passes its failure on as it is', async () => {
    await expect(runWithDeadline(() => Promise.resolve('OK'), 50, undefined)).resolves.toBe('OK');
    const cause = new Error('ECONNRESET');
    await expect(runWithDeadline(() => Promise.reject(cause), 50, undefined)).rejects.toBe(cause);
  });

  it('turns a synchronous throw of the work into a rejection', async () => {
    const cause = new Error('not connected');
    await expect(runWithDeadline(() => { throw cause; }, 50, undefined)).rejects.toBe(cause);
  });

  it('rejects with DeadlineExceededError when the work outlives the deadline, and absorbs its late failure', async () => {
    let fail: (error: Error) => void = () => undefined;
    const late = new Promise<never>((_, reject) => { fail = reject; });
    await expect(runWithDeadline(() => late, 20, undefined)).rejects.toBeInstanceOf(DeadlineExceededError);
    fail(new Error('too late'));
    await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it('rejects with CallAbortedError, carrying the reason, when the caller aborts first or had already aborted', async () => {
    const controller = new AbortController();
    const pending = runWithDeadline(never, 1000, controller.signal);
    controller.abort('gave up');
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallAbortedError);
    expect((error as Error).cause).toBe('gave up');
    let called = false;
    const already = runWithDeadline(() => { called = true; return never(); }, 1000, controller.signal);
    await expect(already).rejects.toBeInstanceOf(CallAbortedError);
    expect(called).toBe(false);
  });
});

describe('deadlineSignal (a call that takes a signal)', () => {
  it('aborts with DeadlineExceededError once the time is up', async () => {
    const { signal } = deadlineSignal(20, undefined);
    expect(signal.aborted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(DeadlineExceededError);
  });

  it('follows the caller\'s signal, also one aborted before', () => {
    const controller = new AbortController();
    const { signal } = deadlineSignal(1000, controller.signal);
    controller.abort('caller');
    expect(signal.reason).toBe('caller');
    expect(deadlineSignal(1000, controller.signal).signal.reason).toBe('caller');
  });

  it('never aborts once cleared', async () => {
    const controller = new AbortController();
    const deadline = deadlineSignal(20, controller.signal);
    deadline.clear();
    controller.abort('late');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(deadline.signal.aborted).toBe(false);
  });
});

describe('durations', () => {
  it('orders the default limits so the inner one fires first: captcha > verifier, store > command', () => {
    expect(defaultCaptchaTimeoutMs).toBeGreaterThan(defaultVerifierTimeoutMs);
    expect(defaultStoreTimeoutMs).toBeGreaterThan(defaultCommandTimeoutMs);
    expect([defaultCaptchaTimeoutMs, defaultStoreTimeoutMs, defaultCommandTimeoutMs]).toEqual([6000, 2000, 1000]);
  });

  it('accepts a positive number of milliseconds up to the largest timer', () => {
    for (const ok of [1, 0.5, 2000, maxTimerMs]) expect(durationProblem('t', ok)).toBeUndefined();
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, maxTimerMs + 1, '2000', undefined]) {
      expect(durationProblem('t', bad)).toBe('`t` must be a positive number of milliseconds, at most 2147483647');
    }
  });

  it('with `whole`, accepts only whole milliseconds', () => {
    expect(durationProblem('t', 1000, true)).toBeUndefined();
    expect(durationProblem('t', 0.5, true)).toBe('`t` must be a whole number of milliseconds from 1 to 2147483647');
  });
});
