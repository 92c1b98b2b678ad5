import { describe, expect, it } from 'vitest';
import type { CastDecision } from '../../src/contract/decision.js';
import { createCastEvaluator, evaluateCast } from '../../src/engine/evaluate.js';
import { signCastLink } from '../../src/signed-links/sign.js';
import { createMemoryLeaseStore } from '../../src/stores/memory/leases.js';
import { createTestClock } from '../../src/testing/index.js';
import { config, stores, t0 } from '../helpers/cast.js';

const secretA = 'link secret A, at least 32 bytes long';
const secretB = 'link secret B, rotated in after A';
const linkKeys = { a: secretA, b: secretB };
const key = 'test-key-0123456789';
const hour = 3_600_000;

const mint = (grant: Partial<Parameters<typeof signCastLink>[0]> = {}, kid = 'a', secret = kid === 'b' ? secretB : secretA) =>
  signCastLink({ key, ...grant }, { kid, secret });

function liveStores() {
  return stores({ leases: createMemoryLeaseStore() });
}

function codeOf(decision: CastDecision): string {
  return decision.allowed ? decision.outcome : decision.error.code;
}

function noteOf(decision: CastDecision): string | undefined {
  return decision.trace.find((entry) => entry.guard === 'signedLink')?.note;
}

describe('signedLink guard (SPEC §16)', () => {
  const cfg = config({ requireSignedLink: true });
  const decide = (linkToken: unknown, extra: Record<string, unknown> = {}) =>
    evaluateCast(cfg, { ip: '192.0.2.1', now: t0, linkToken: linkToken as string, ...extra }, liveStores(), { linkKeys });

  it('serves a request whose token the evaluator\'s linkKeys verify', async () => {
    const d = await decide(await mint({ expiresAt: t0.getTime() + hour }));
    expect(d.allowed).toBe(true);
    expect(d.trace.map((e) => e.guard).slice(0, 4)).toEqual(['expiry', 'referrer', 'signedLink', 'authentication']);
  });

  it.each([
    ['missing', undefined, 'token missing'],
    ['null', null, 'token missing'],
    ['empty', '', 'token missing'],
    ['not a string', 42, 'token missing'],
    ['malformed', 'abc.def', 'token malformed'],
  ])('refuses a %s token: link_invalid (403, "This link is not valid.")', async (_name, token, note) => {
    const d = await decide(token);
    expect(!d.allowed && d.error).toEqual({ code: 'link_invalid', status: 403, message: 'This link is not valid.' });
    expect(noteOf(d)).toBe(note);
  });

  it('refuses a forged token: signed with another secret under a live kid, or with one byte of its signature changed', async () => {
    expect(noteOf(await decide(await mint({}, 'a', 'not the secret of kid a, 32+ bytes')))).toBe('token forged');
    const token = await mint();
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    expect(codeOf(await decide(tampered))).toBe('link_invalid');
  });

  it('refuses an expired token from the instant it expires, on the decision\'s clock', async () => {
    const clock = createTestClock(t0);
    const evaluate = createCastEvaluator({ clock: clock.now, linkKeys });
    const token = await mint({ expiresAt: t0.getTime() + hour });
    clock.advance(hour - 1);
    expect((await evaluate(cfg, { ip: '192.0.2.1', linkToken: token }, liveStores())).allowed).toBe(true);
    clock.advance(1);
    const expired = await evaluate(cfg, { ip: '192.0.2.1', linkToken: token }, liveStores());
    expect(codeOf(expired)).toBe('link_invalid');
    expect(noteOf(expired)).toBe('token expired');
  });

  it('refuses a token before notBefore, and serves it from that instant', async () => {
    const token = await mint({ notBefore: t0.getTime() + hour });
    expect(noteOf(await decide(token))).toBe('token not yet valid');
    expect((await decide(token, { now: new Date(t0.getTime() + hour) })).allowed).toBe(true);
  });

  it('refuses a token minted for another link', async () => {
    const other = await signCastLink({ key: 'another-link-0123456789' }, { kid: 'a', secret: secretA });
    expect(noteOf(await decide(other))).toBe('token other link');
  });

  it('rotates keys: two kids verify at once, and a token of a kid removed from linkKeys is refused', async () => {
    const byA = await mint({}, 'a');
    const byB = await mint({}, 'b');
    expect((await decide(byA)).allowed).toBe(true);
    expect((await decide(byB)).allowed).toBe(true);
    const afterRotation = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0, linkToken: byA }, liveStores(), { linkKeys: { b: secretB } });
    expect(noteOf(afterRotation)).toBe('token unknown kid');
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0, linkToken: byB }, liveStores(), { linkKeys: { b: secretB } })).allowed).toBe(true);
  });

  it('refuses a bad link before asking the visitor to sign in, and after the link\'s own expiry', async () => {
    const signInOnly = config({ requireSignedLink: true, allowAnonymous: false });
    const d = await evaluateCast(signInOnly, { ip: '192.0.2.1', now: t0 }, liveStores(), { linkKeys });
    expect(codeOf(d)).toBe('link_invalid');
    const expired = config({ requireSignedLink: true, validUntil: '2029-01-01T00:00:00Z' });
    expect(codeOf(await evaluateCast(expired, { ip: '192.0.2.1', now: t0 }, liveStores(), { linkKeys }))).toBe('link_expired');
  });

  it('ignores a token on a link that does not require one, and skips', async () => {
    const d = await evaluateCast(config(), { ip: '192.0.2.1', now: t0, linkToken: 'garbage' }, liveStores(), { linkKeys });
    expect(d.allowed).toBe(true);
    expect(d.trace.find((e) => e.guard === 'signedLink')).toMatchObject({ verdict: 'skip' });
  });

  it('rejects (a programmer error) a requireSignedLink config on an evaluator without linkKeys, and bad linkKeys', async () => {
    await expect(evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, liveStores())).rejects.toThrow('has requireSignedLink, so the evaluator needs linkKeys');
    expect(() => createCastEvaluator({ linkKeys: { a: 'short' } })).toThrow(RangeError);
    expect(() => createCastEvaluator({ linkKeys: { 'a b': secretA } })).toThrow(TypeError);
  });
});

describe('signed links: bound parameters', () => {
  const cfg = config({
    requireSignedLink: true,
    dynamicKasmUrl: true,
    remoteApp: { remoteAppName: '||Microsoft Excel', args: [{ urlParamName: 'file', required: false }] },
  });
  const decide = async (params: Record<string, string> | undefined, query: Record<string, string | string[]>) =>
    evaluateCast(cfg, { ip: '192.0.2.1', now: t0, query, linkToken: await mint(params === undefined ? {} : { params }) }, liveStores(), { linkKeys });

  it('serves the exact signed raw values', async () => {
    const params = { kasm_url: 'https://intranet.example/a?b=c', file: 'C:\\Q1.xlsx' };
    expect((await decide(params, params)).allowed).toBe(true);
  });

  it('refuses a changed value, even one that normalises to the same URL', async () => {
    const params = { kasm_url: 'https://intranet.example/a' };
    const changed = await decide(params, { kasm_url: 'https://evil.example/a' });
    expect(codeOf(changed)).toBe('link_invalid');
    expect(noteOf(changed)).toBe('parameter "kasm_url" is not as signed');
    expect(codeOf(await decide(params, { kasm_url: 'https://INTRANET.example/a' }))).toBe('link_invalid');
  });

  it('refuses a signed parameter that is missing or repeated', async () => {
    expect(codeOf(await decide({ file: 'C:\\Q1.xlsx' }, {}))).toBe('link_invalid');
    expect(codeOf(await decide({ file: 'C:\\Q1.xlsx' }, { file: ['C:\\Q1.xlsx', 'C:\\Q2.xlsx'] }))).toBe('link_invalid');
  });

  it('refuses a dynamic parameter the token does not sign, also with params {}', async () => {
    const d = await decide({ file: 'C:\\Q1.xlsx' }, { file: 'C:\\Q1.xlsx', kasm_url: 'https://evil.example/' });
    expect(noteOf(d)).toBe('parameter "kasm_url" is not as signed');
    expect(codeOf(await decide({}, { file: 'C:\\Q1.xlsx' }))).toBe('link_invalid');
    expect((await decide({}, { utm_source: 'mail' })).allowed).toBe(true);
  });

  it('leaves parameters unbound when the token signs none, and the parameter checks still run', async () => {
    expect((await decide(undefined, { file: 'C:\\Any.xlsx' })).allowed).toBe(true);
    expect(codeOf(await decide(undefined, { kasm_url: 'javascript:alert(1)' }))).toBe('invalid_parameter');
  });
});

describe('signed links: single use', () => {
  const cfg = config({ requireSignedLink: true, ipRateLimit: { sessions: 1, withinSeconds: 60 } });
  const singleUse = () => mint({ expiresAt: t0.getTime() + hour, singleUse: true });

  it('serves once, then link_used (403, "This link has already been used.")', async () => {
    const s = liveStores();
    const token = await singleUse();
    const first = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0, linkToken: token }, s, { linkKeys });
    expect(first.allowed).toBe(true);
    const replay = await evaluateCast(cfg, { ip: '192.0.2.2', now: t0, linkToken: token }, s, { linkKeys });
    expect(!replay.allowed && replay.error).toEqual({ code: 'link_used', status: 403, message: 'This link has already been used.' });
    expect((await evaluateCast(cfg, { ip: '192.0.2.3', now: t0, linkToken: await singleUse() }, s, { linkKeys })).allowed).toBe(true);
  });

  it('serves exactly one of 20 concurrent uses', async () => {
    const s = liveStores();
    const token = await singleUse();
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => evaluateCast(cfg, { ip: `192.0.2.${i + 1}`, now: t0, linkToken: token }, s, { linkKeys })),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(1);
    expect(decisions.filter((d) => codeOf(d) === 'link_used')).toHaveLength(19);
  });

  it('is spent only by an allowed decision: a later denial (rate limit, failed start) gives it back', async () => {
    const s = liveStores();
    const token = await singleUse();
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0, linkToken: await singleUse() }, s, { linkKeys })).allowed).toBe(true);
    const limited = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0, linkToken: token }, s, { linkKeys });
    expect(codeOf(limited)).toBe('rate_limited');
    s.sessions.mode = 'throw';
    expect(codeOf(await evaluateCast(cfg, { ip: '192.0.2.2', now: t0, linkToken: token }, s, { linkKeys }))).toBe('provision_failed');
    s.sessions.mode = 'ok';
    expect((await evaluateCast(cfg, { ip: '192.0.2.3', now: t0, linkToken: token }, s, { linkKeys })).allowed).toBe(true);
    expect(codeOf(await evaluateCast(cfg, { ip: '192.0.2.4', now: t0, linkToken: token }, s, { linkKeys }))).toBe('link_used');
  });

  it('is spent by a resume too (an allowed decision)', async () => {
    const s = liveStores();
    const token = await singleUse();
    const resumable = config({ requireSignedLink: true });
    expect((await evaluateCast(resumable, { ip: '192.0.2.1', user: { id: 'u-1' }, now: t0, linkToken: await singleUse() }, s, { linkKeys })).allowed).toBe(true);
    const resumed = await evaluateCast(resumable, { ip: '192.0.2.1', user: { id: 'u-1' }, now: t0, linkToken: token }, s, { linkKeys });
    expect(resumed.allowed && resumed.outcome).toBe('resumed');
    expect(codeOf(await evaluateCast(resumable, { ip: '192.0.2.1', user: { id: 'u-1' }, now: t0, linkToken: token }, s, { linkKeys }))).toBe('link_used');
  });

  it('answers a replay after expiry with link_invalid (expired), and forgets the token then', async () => {
    const s = liveStores();
    const token = await singleUse();
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0, linkToken: token }, s, { linkKeys })).allowed).toBe(true);
    const late = await evaluateCast(cfg, { ip: '192.0.2.2', now: new Date(t0.getTime() + hour), linkToken: token }, s, { linkKeys });
    expect(noteOf(late)).toBe('token expired');
  });

  it('answers store_unavailable for a single-use token when the stores have no leases', async () => {
    const d = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0, linkToken: await singleUse() }, stores(), { linkKeys });
    expect(codeOf(d)).toBe('store_unavailable');
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0, linkToken: await mint() }, stores(), { linkKeys })).allowed).toBe(true);
  });
});
