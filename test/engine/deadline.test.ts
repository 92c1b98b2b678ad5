import { describe, expect, it } from 'vitest';
import { DeadlineExceededError, withDeadline } from '../../src/engine/deadline.js';

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
