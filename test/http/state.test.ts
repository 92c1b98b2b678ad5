import { describe, expect, it } from 'vitest';
import { signState, stateLifetimeMs, verifyState } from '../../src/http/state.js';

const secret = 'a-state-secret-of-at-least-32-characters';
const issued = { configKey: 'captcha-oUXAttKSAsMq5yKEbr', client: 'v4:203.0.113.9', referrer: 'https://portal.example.com/', query: 'file=a.xlsx', issuedMs: 1_900_000_000_000 };
const expected = { configKey: issued.configKey, client: issued.client, query: issued.query, nowMs: issued.issuedMs + 1000 };

describe('castgate_state', () => {
  it('carries the Referer and query back for the same link, client and query within 10 minutes', () => {
    expect(verifyState(secret, signState(secret, issued), expected)).toEqual(issued);
    expect(verifyState(secret, signState(secret, { ...issued, referrer: null }), expected)?.referrer).toBeNull();
  });

  it('refuses another secret, link, client bucket or query', () => {
    const state = signState(secret, issued);
    expect(verifyState('another-secret-of-at-least-32-characters', state, expected)).toBeNull();
    expect(verifyState(secret, state, { ...expected, configKey: 'other-link-0123456789' })).toBeNull();
    expect(verifyState(secret, state, { ...expected, client: 'v4:203.0.113.10' })).toBeNull();
    expect(verifyState(secret, state, { ...expected, query: 'file=b.xlsx' })).toBeNull();
  });

  it('refuses a state 10 minutes old or issued more than a minute ahead', () => {
    const state = signState(secret, issued);
    expect(verifyState(secret, state, { ...expected, nowMs: issued.issuedMs + stateLifetimeMs - 1 })).not.toBeNull();
    expect(verifyState(secret, state, { ...expected, nowMs: issued.issuedMs + stateLifetimeMs })).toBeNull();
    expect(verifyState(secret, state, { ...expected, nowMs: issued.issuedMs - 61_000 })).toBeNull();
  });

  it('refuses a tampered payload, a truncated MAC and garbage', () => {
    const state = signState(secret, issued);
    const [payload, mac] = state.split('.') as [string, string];
    const other = Buffer.from(JSON.stringify([1, issued.configKey, issued.client, 'https://evil.example/', issued.query, issued.issuedMs])).toString('base64url');
    expect(verifyState(secret, `${other}.${mac}`, expected)).toBeNull();
    expect(verifyState(secret, `${payload}.${mac.slice(0, 10)}`, expected)).toBeNull();
    for (const garbage of ['', '.', 'abc', `${payload}.`, `.${mac}`, 'x'.repeat(9000)]) expect(verifyState(secret, garbage, expected)).toBeNull();
  });
});
