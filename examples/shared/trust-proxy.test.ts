import { describe, expect, it } from 'vitest';
import { trustProxyWarning } from './trust-proxy.js';

describe('trust-proxy warning (THREATS 1.1)', () => {
  it('warns when every proxy is trusted: true, 0.0.0.0/0 or ::/0', () => {
    for (const setting of [true, '0.0.0.0/0', ['loopback', '::/0'], '10.0.0.0/8, 0.0.0.0/0']) {
      expect(trustProxyWarning(setting, 'Express "trust proxy"')).toMatch(/trusts every proxy/u);
    }
  });

  it('stays quiet for no proxy or a list of proxies', () => {
    for (const setting of [false, 'loopback', ['10.0.0.0/8', '127.0.0.1'], '192.168.0.0/16, ::1']) {
      expect(trustProxyWarning(setting, 'Fastify "trustProxy"')).toBeUndefined();
    }
  });
});
