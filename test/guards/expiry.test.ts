import { describe, expect, it } from 'vitest';
import { evaluateCast } from '../../src/engine/evaluate.js';
import { expiryGuard } from '../../src/guards/expiry.js';
import { config, contextFor, stores } from '../helpers/cast.js';

describe('expiry guard', () => {
  const cfg = config({ validUntil: '2030-01-01T12:00:00Z' });

  it('skips a config without validUntil', async () => {
    expect(await expiryGuard.check(contextFor(config(), { ip: '192.0.2.1' }))).toEqual({ verdict: 'skip' });
  });

  it('passes one millisecond before validUntil', async () => {
    const d = await evaluateCast(cfg, { ip: '192.0.2.1', now: new Date('2030-01-01T11:59:59.999Z') }, stores());
    expect(d.allowed).toBe(true);
  });

  it('denies with link_expired (410) exactly at validUntil (THREATS 8.2)', async () => {
    const d = await evaluateCast(cfg, { ip: '192.0.2.1', now: new Date('2030-01-01T12:00:00Z') }, stores());
    expect(d.error).toEqual({ code: 'link_expired', status: 410, message: 'This link has expired' });
    expect(d.trace).toHaveLength(1);
  });

  it('keeps the instant captured at parse time even if the Date is mutated later (SPEC §7)', async () => {
    const mutable = config({ validUntil: new Date('2030-01-01T12:00:00Z') });
    mutable.validUntil?.setTime(Date.UTC(2040, 0, 1));
    const d = await evaluateCast(mutable, { ip: '192.0.2.1', now: new Date('2030-06-01T00:00:00Z') }, stores());
    expect(d.error?.code).toBe('link_expired');
  });

  it('compares instants, not wall-clock fields, across offsets and DST (THREATS 8.6)', async () => {
    const dst = config({ validUntil: '2030-03-10T02:30:00-05:00' });
    expect((await evaluateCast(dst, { ip: '192.0.2.1', now: new Date('2030-03-10T07:29:59Z') }, stores())).allowed).toBe(true);
    expect((await evaluateCast(dst, { ip: '192.0.2.1', now: new Date('2030-03-10T07:30:00Z') }, stores())).error?.code).toBe('link_expired');
  });

  it('two evaluators whose clocks are 5 s apart around validUntil differ only inside the skew (THREATS 8.8)', async () => {
    const at = new Date('2030-01-01T12:00:00Z').getTime();
    const fast = await evaluateCast(cfg, { ip: '192.0.2.1', now: new Date(at - 2_500 + 5_000) }, stores());
    const slow = await evaluateCast(cfg, { ip: '192.0.2.1', now: new Date(at - 2_500) }, stores());
    expect([fast.allowed, slow.allowed]).toEqual([false, true]);
  });
});
