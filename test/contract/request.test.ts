import { describe, expect, it } from 'vitest';
import { evaluateCast } from '../../src/engine/evaluate.js';
import type { CastRequest } from '../../src/contract/request.js';
import { config, stores, t0 } from '../helpers/cast.js';

const decide = (request: unknown) => evaluateCast(config({ ipRateLimit: { sessions: 1, withinSeconds: 60 } }), request as CastRequest, stores());

describe('request normalisation (SPEC §2)', () => {
  it.each([
    'not-an-ip', 'unknown', '', '192.0.2.1:8080', '[2001:db8::1]:443', '6.6.6.6, 1.2.3.4',
    '010.1.1.1', '0x7f.1', '127.1', '2130706433', '1.2.3.04',
  ])('answers invalid_request (400) for the address %j, never a shared fallback bucket (THREATS 1.3, 1.4)', async (ip) => {
    const d = await decide({ ip, now: t0 });
    expect(d.error).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(d.trace).toEqual([expect.objectContaining({ guard: 'request', verdict: 'deny', code: 'invalid_request' })]);
  });

  it.each([
    ['an Invalid Date', new Date('invalid')],
    ['a number', 1_893_456_000_000],
    ['a string', '2030-01-01T00:00:00Z'],
    ['null', null],
  ])('answers invalid_request for now = %s, before any guard (THREATS 8.1)', async (_, now) => {
    const d = await decide({ ip: '192.0.2.1', now });
    expect(d.error?.code).toBe('invalid_request');
  });

  it('an Invalid Date never reads as "not expired" nor empties a rate-limit window', async () => {
    const s = stores();
    const cfg = config({ validUntil: '2020-01-01T00:00:00Z' });
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: new Date(Number.NaN) }, s)).allowed).toBe(false);
  });

  it.each([
    ['a non-string referrer', { referrer: 42 }],
    ['a user without an id', { user: {} }],
    ['a user with an empty id', { user: { id: '' } }],
    ['a user with a numeric id', { user: { id: 7 } }],
    ['a query that is an array', { query: ['file=x'] }],
    ['a query that is a string', { query: 'file=x' }],
  ])('answers invalid_request for %s', async (_, extra) => {
    expect((await decide({ ip: '192.0.2.1', now: t0, ...extra })).error?.code).toBe('invalid_request');
  });

  it('answers invalid_request for a request that is not an object', async () => {
    expect((await decide(null)).error?.code).toBe('invalid_request');
    expect((await decide('192.0.2.1')).error?.code).toBe('invalid_request');
  });

  it('reads a user id once, so a getter cannot change identity between guards', async () => {
    let reads = 0;
    const user = { get id() { reads++; return reads === 1 ? 'u-1' : 'u-2'; } };
    const s = stores();
    const d = await evaluateCast(config({ allowAnonymous: false }), { ip: '192.0.2.1', user, now: t0 }, s);
    expect(d.allowed).toBe(true);
    expect(d.launch?.user.id).toBe('u-1');
    expect(reads).toBe(1);
  });

  it('checks the address even when no guard keys on it', async () => {
    const d = await evaluateCast(config(), { ip: 'localhost', now: t0 }, stores());
    expect(d.error?.code).toBe('invalid_request');
  });

  it('puts zone-id and mapped spellings of one client into one bucket (THREATS 1.5, 1.8)', async () => {
    const s = stores();
    const cfg = config({ ipRateLimit: { sessions: 1, withinSeconds: 60 } });
    expect((await evaluateCast(cfg, { ip: 'fe80::1%eth0', now: t0 }, s)).allowed).toBe(true);
    expect((await evaluateCast(cfg, { ip: 'fe80::1%eth1', now: t0 }, s)).error?.code).toBe('rate_limited');
    expect((await evaluateCast(cfg, { ip: 'fe80::2', now: t0 }, s)).error?.code).toBe('rate_limited');
    expect((await evaluateCast(cfg, { ip: '::ffff:192.0.2.1', now: t0 }, s)).allowed).toBe(true);
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s)).error?.code).toBe('rate_limited');
  });

  it('keys 1,000 distinct IPv4 clients sent in mapped form into 1,000 buckets (THREATS 1.6)', async () => {
    const s = stores();
    const cfg = config({ ipRateLimit: { sessions: 1, withinSeconds: 60 } });
    const decisions = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => evaluateCast(cfg, { ip: `::ffff:10.0.${i >> 8}.${i & 255}`, now: t0 }, s)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(1000);
  });

  it('rotating inside one IPv6 /64 stays in one bucket; the ipv6Prefix option widens it (THREATS 1.7)', async () => {
    const s = stores();
    const cfg = config({ ipRateLimit: { sessions: 1, withinSeconds: 60 } });
    expect((await evaluateCast(cfg, { ip: '2001:db8:1:2::1', now: t0 }, s)).allowed).toBe(true);
    expect((await evaluateCast(cfg, { ip: '2001:db8:1:2:ffff::9', now: t0 }, s)).error?.code).toBe('rate_limited');
    expect((await evaluateCast(cfg, { ip: '2001:db8:1:3::1', now: t0 }, s)).allowed).toBe(true);
    expect((await evaluateCast(cfg, { ip: '2001:db8:1:4::1', now: t0 }, s, { ipv6Prefix: 48 })).allowed).toBe(true);
    expect((await evaluateCast(cfg, { ip: '2001:db8:1:5::1', now: t0 }, s, { ipv6Prefix: 48 })).error?.code).toBe('rate_limited');
  });
});
