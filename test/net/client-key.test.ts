import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientAddressOf } from '../../src/net/client-key.js';

const key = (ip: string, prefix = 64) => clientAddressOf(ip, prefix)?.key;

describe('client address and rate-limit bucket (SPEC §2, THREATS §1)', () => {
  it.each([
    'not-an-ip',
    'unknown',
    '',
    ' 192.0.2.1',
    '192.0.2.1:8080',
    '[2001:db8::1]:443',
    '[2001:db8::1]',
    '6.6.6.6, 1.2.3.4',
    '010.1.1.1',
    '0x7f.1',
    '127.1',
    '2130706433',
    '1.2.3.04',
    'fe80::1%',
    '1'.repeat(80),
  ])('refuses %j (THREATS 1.3, 1.4)', (raw) => {
    expect(clientAddressOf(raw, 64)).toBeNull();
  });

  it('refuses values that are not strings', () => {
    for (const raw of [undefined, null, 3232235777, ['192.0.2.1'], { toString: () => '192.0.2.1' }]) {
      expect(clientAddressOf(raw, 64)).toBeNull();
    }
  });

  it('never keys 010.1.1.1 as 8.1.1.1', () => {
    expect(key('010.1.1.1')).toBeUndefined();
    expect(key('8.1.1.1')).toBe('v4:8.1.1.1');
  });

  it('keys every IPv4-mapped spelling as the IPv4 address (THREATS 1.5)', () => {
    for (const raw of ['192.0.2.1', '::ffff:192.0.2.1', '::ffff:c000:201', '0:0:0:0:0:ffff:c000:0201', '::FFFF:C000:201']) {
      expect(clientAddressOf(raw, 64)).toEqual({ ip: '192.0.2.1', key: 'v4:192.0.2.1' });
    }
  });

  it('never masks an IPv4-mapped address into an IPv6 bucket (CVE-2026-30827 class, THREATS 1.6)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.constantFrom(32, 48, 56, 64, 128), (v4, prefix) => {
        expect(key(`::ffff:${v4}`, prefix)).toBe(`v4:${v4}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('keys an IPv6 client by its /64 by default (THREATS 1.7)', () => {
    expect(key('2001:db8:1:2::1')).toBe('v6:2001:db8:1:2::/64');
    expect(key('2001:db8:1:2:ffff::9')).toBe('v6:2001:db8:1:2::/64');
    expect(key('2001:db8:1:3::1')).toBe('v6:2001:db8:1:3::/64');
  });

  it('honours the ipv6Prefix option (48, 56, 128) and masks on bit boundaries', () => {
    expect(key('2001:db8:1:2::1', 48)).toBe('v6:2001:db8:1::/48');
    expect(key('2001:db8:1:ff::1', 56)).toBe('v6:2001:db8:1::/56');
    expect(key('2001:db8:1:1ff::1', 56)).toBe('v6:2001:db8:1:100::/56');
    expect(key('2001:db8::7', 128)).toBe('v6:2001:db8::7/128');
    expect(key('2001:db8:ffff::', 33)).toBe('v6:2001:db8:8000::/33');
  });

  it('strips a zone id so zones cannot mint buckets (THREATS 1.8)', () => {
    expect(key('fe80::1%eth0')).toBe('v6:fe80::/64');
    expect(key('fe80::1%eth1')).toBe('v6:fe80::/64');
    expect(key('fe80::1%25eth0')).toBe('v6:fe80::/64');
    expect(clientAddressOf('fe80::1%eth0', 64)?.ip).toBe('fe80::1');
  });

  it('keys NAT64 well-known-prefix clients on the embedded IPv4 address (THREATS 1.9)', () => {
    expect(key('64:ff9b::c000:201')).toBe('v4:192.0.2.1');
    expect(key('64:ff9b::192.0.2.1')).toBe('v4:192.0.2.1');
    expect(key('64:ff9b::c633:6401')).toBe('v4:198.51.100.1');
  });

  it('keys both spellings of a deprecated IPv4-compatible address identically (THREATS 1.9)', () => {
    expect(key('::192.0.2.1')).toBe(key('::c000:201'));
    expect(key('::192.0.2.1')).toBe('v6:::/64');
  });

  it('gives every IPv6 address in one /64 the same key, and different /64s different keys', () => {
    fc.assert(
      fc.property(fc.ipV6(), (v6) => {
        const a = clientAddressOf(v6, 64);
        expect(a).not.toBeNull();
        expect(a!.key.startsWith('v4:') || a!.key.endsWith('/64')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
