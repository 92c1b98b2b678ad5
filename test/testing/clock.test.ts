import { describe, expect, it } from 'vitest';
import { createCastEvaluator } from '../../src/engine/evaluate.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import { createTestClock } from '../../src/testing/index.js';
import { config } from '../helpers/cast.js';

describe('createTestClock', () => {
  it('starts at a Date, epoch milliseconds or a date string, and never moves on its own', () => {
    const at = '2030-01-01T00:00:00.000Z';
    for (const start of [new Date(at), Date.parse(at), at]) {
      const clock = createTestClock(start);
      expect(clock.now().toISOString()).toBe(at);
      expect(clock.now().toISOString()).toBe(at);
    }
  });

  it('starts at the system time when given no start', () => {
    const before = Date.now();
    const started = createTestClock().now().getTime();
    expect(started).toBeGreaterThanOrEqual(before);
    expect(started).toBeLessThanOrEqual(Date.now());
  });

  it('advances by milliseconds and sets any instant, backwards too', () => {
    const clock = createTestClock('2030-01-01T00:00:00Z');
    expect(clock.advance(90_000).toISOString()).toBe('2030-01-01T00:01:30.000Z');
    expect(clock.now().toISOString()).toBe('2030-01-01T00:01:30.000Z');
    expect(clock.set('2029-12-31T23:00:00Z').toISOString()).toBe('2029-12-31T23:00:00.000Z');
    expect(clock.now().toISOString()).toBe('2029-12-31T23:00:00.000Z');
    clock.set(0);
    expect(clock.now().getTime()).toBe(0);
  });

  it('hands out a fresh Date each time: mutating one changes nothing', () => {
    const clock = createTestClock(1_000);
    clock.now().setTime(5);
    expect(clock.now().getTime()).toBe(1_000);
  });

  it('refuses an invalid start, an invalid set and a negative or non-finite advance with a TypeError', () => {
    expect(() => createTestClock('not a date')).toThrow(TypeError);
    expect(() => createTestClock(Number.NaN)).toThrow(TypeError);
    expect(() => createTestClock(new Date(Number.NaN))).toThrow(TypeError);
    const clock = createTestClock(0);
    expect(() => clock.set('yesterday')).toThrow(TypeError);
    expect(() => clock.advance(-1)).toThrow(TypeError);
    expect(() => clock.advance(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => clock.advance(Number.NaN)).toThrow(TypeError);
    expect(clock.now().getTime()).toBe(0);
  });

  it('drives an evaluator through its bound now: a link expires when the clock passes validUntil', async () => {
    const clock = createTestClock('2030-01-01T00:00:00Z');
    const evaluate = createCastEvaluator({ clock: clock.now });
    const link = config({ validUntil: '2030-01-01T01:00:00Z' });
    const stores = createMemoryStores();
    expect((await evaluate(link, { ip: '192.0.2.1' }, stores)).allowed).toBe(true);
    clock.advance(3_600_000);
    const later = await evaluate(link, { ip: '192.0.2.1' }, stores);
    expect(later.allowed ? 'allowed' : later.error.code).toBe('link_expired');
  });
});
