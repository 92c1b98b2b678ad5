import fc from 'fast-check';
import { base64url, decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signCastLink } from '../../src/signed-links/sign.js';
import { checkLinkKeys } from '../../src/signed-links/secret.js';
import { verifyLinkToken } from '../../src/signed-links/verify.js';

const secretA = 'the first link secret, 32+ bytes long';
const secretB = 'the second link secret, rotated in later';
const keys = checkLinkKeys({ a: secretA, b: secretB });
const configKey = 'quarterly-0123456789abcdef';
const t0 = Date.parse('2030-01-01T12:00:00Z');

const verify = (token: unknown, nowMs = t0, key = configKey) => verifyLinkToken(token, { configKey: key, keys, nowMs });

/** Replaces one part of a compact JWS. */
function withPart(token: string, index: 0 | 1 | 2, part: string): string {
  const parts = token.split('.');
  parts[index] = part;
  return parts.join('.');
}

const encodeJson = (value: unknown) => base64url.encode(JSON.stringify(value));

describe('signCastLink', () => {
  it('mints a compact JWS, HS256, typed castlink+jwt, with the kid in its header', async () => {
    const token = await signCastLink({ key: configKey }, { secret: secretA, kid: 'a' });
    expect(token.split('.')).toHaveLength(3);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'castlink+jwt', kid: 'a' });
    expect(decodeJwt(token)).toEqual({ key: configKey, jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/u) });
  });

  it('mints a distinct token with a distinct jti on every call', async () => {
    const tokens = await Promise.all(Array.from({ length: 50 }, () => signCastLink({ key: configKey }, { secret: secretA, kid: 'a' })));
    expect(new Set(tokens).size).toBe(50);
    expect(new Set(tokens.map((t) => decodeJwt(t).jti)).size).toBe(50);
  });

  it('writes expiry and not-before as whole seconds, rounded toward a shorter validity', async () => {
    const token = await signCastLink({ key: configKey, expiresAt: t0 + 1_999, notBefore: new Date(t0 - 1_999) }, { secret: secretA, kid: 'a' });
    expect(decodeJwt(token)).toMatchObject({ exp: (t0 + 1_000) / 1000, nbf: (t0 - 1_000) / 1000 });
  });

  it('mints an already-expired token (it reads no clock)', async () => {
    const token = await signCastLink({ key: configKey, expiresAt: new Date('2001-01-01T00:00:00Z') }, { secret: secretA, kid: 'a' });
    expect(decodeJwt(token).exp).toBe(Date.parse('2001-01-01T00:00:00Z') / 1000);
  });

  it('binds params and marks single use', async () => {
    const token = await signCastLink(
      { key: configKey, params: { kasm_url: 'https://intranet.example/a?b=c', file: '' }, expiresAt: t0 + 60_000, singleUse: true },
      { secret: secretA, kid: 'a' },
    );
    expect(decodeJwt(token)).toMatchObject({ params: { kasm_url: 'https://intranet.example/a?b=c', file: '' }, once: true });
  });

  it.each([
    ['a secret under 32 bytes', { key: configKey }, { secret: 'x'.repeat(31), kid: 'a' }, RangeError],
    ['a 31-byte Uint8Array secret', { key: configKey }, { secret: new Uint8Array(31), kid: 'a' }, RangeError],
    ['a secret that is neither string nor bytes', { key: configKey }, { secret: 42, kid: 'a' }, TypeError],
    ['an empty kid', { key: configKey }, { secret: secretA, kid: '' }, TypeError],
    ['a kid with a space', { key: configKey }, { secret: secretA, kid: 'a b' }, TypeError],
    ['a key that is no cast key', { key: 'a/b' }, { secret: secretA, kid: 'a' }, TypeError],
    ['singleUse without expiresAt', { key: configKey, singleUse: true }, { secret: secretA, kid: 'a' }, TypeError],
    ['an invalid Date', { key: configKey, expiresAt: new Date('nope') }, { secret: secretA, kid: 'a' }, TypeError],
    ['NaN as an instant', { key: configKey, notBefore: Number.NaN }, { secret: secretA, kid: 'a' }, TypeError],
    ['notBefore not before expiresAt', { key: configKey, notBefore: t0, expiresAt: t0 + 999 }, { secret: secretA, kid: 'a' }, RangeError],
    ['a parameter that is not a string', { key: configKey, params: { file: 3 } }, { secret: secretA, kid: 'a' }, TypeError],
    ['params that are an array', { key: configKey, params: ['a'] }, { secret: secretA, kid: 'a' }, TypeError],
    ['an empty parameter name', { key: configKey, params: { '': 'x' } }, { secret: secretA, kid: 'a' }, TypeError],
  ])('refuses %s', async (_name, grant, signingKey, kind) => {
    await expect(signCastLink(grant as never, signingKey as never)).rejects.toThrow(kind);
  });

  it('never puts the secret in an error message', async () => {
    const error: unknown = await signCastLink({ key: configKey }, { secret: 'short-secret-value', kid: 'a' }).catch((e: unknown) => e);
    expect(String(error)).not.toContain('short-secret-value');
  });
});

describe('verifying a link token', () => {
  it('accepts a token signed with either live kid (rotation: two keys at once)', async () => {
    for (const [kid, secret] of [['a', secretA], ['b', secretB]] as const) {
      const check = await verify(await signCastLink({ key: configKey }, { secret, kid }));
      expect(check).toMatchObject({ ok: true, claims: { key: configKey } });
    }
  });

  it('refuses a token whose kid was retired from linkKeys', async () => {
    const token = await signCastLink({ key: configKey }, { secret: 'a retired secret of 32 bytes or more', kid: 'old' });
    expect(await verify(token)).toEqual({ ok: false, problem: 'unknown kid' });
  });

  it('refuses a token signed with another secret under a live kid: forged', async () => {
    const token = await signCastLink({ key: configKey }, { secret: 'an attacker secret of 32 bytes or more', kid: 'a' });
    expect(await verify(token)).toEqual({ ok: false, problem: 'forged' });
  });

  it('refuses a token whose payload was changed (another key, added params, dropped expiry): forged', async () => {
    const token = await signCastLink({ key: 'other-link', expiresAt: t0 + 1_000, params: {} }, { secret: secretA, kid: 'a' });
    const payload = decodeJwt(token);
    for (const changed of [{ ...payload, key: configKey }, { ...payload, params: { kasm_url: 'https://evil.example/' } }, { key: 'other-link', jti: payload.jti }]) {
      expect(await verify(withPart(token, 1, encodeJson(changed)))).toEqual({ ok: false, problem: 'forged' });
    }
  });

  it('refuses a token whose kid was switched to the other live key: forged', async () => {
    const token = await signCastLink({ key: configKey }, { secret: secretA, kid: 'a' });
    expect(await verify(withPart(token, 0, encodeJson({ alg: 'HS256', typ: 'castlink+jwt', kid: 'b' })))).toEqual({ ok: false, problem: 'forged' });
  });

  it('refuses alg none, another algorithm and another typ, even with the right secret', async () => {
    const unsecured = new UnsecuredJWT({ key: configKey, jti: 'abc' }).encode();
    expect((await verify(unsecured)).ok).toBe(false);
    const noneWithKid = withPart(await signCastLink({ key: configKey }, { secret: secretA, kid: 'a' }), 0, encodeJson({ alg: 'none', typ: 'castlink+jwt', kid: 'a' }));
    expect((await verify(noneWithKid)).ok).toBe(false);
    const hs512 = await new SignJWT({ key: configKey, jti: 'abc' })
      .setProtectedHeader({ alg: 'HS512', typ: 'castlink+jwt', kid: 'a' })
      .sign(new TextEncoder().encode(secretA));
    expect(await verify(hs512)).toEqual({ ok: false, problem: 'malformed' });
    const plainJwt = await new SignJWT({ key: configKey, jti: 'abc' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'a' }).sign(new TextEncoder().encode(secretA));
    expect(await verify(plainJwt)).toEqual({ ok: false, problem: 'bad claims' });
  });

  it('refuses a token for another link', async () => {
    const token = await signCastLink({ key: 'another-0123456789abcdef' }, { secret: secretA, kid: 'a' });
    expect(await verify(token)).toEqual({ ok: false, problem: 'other link' });
  });

  it('expires exactly at expiresAt (now >= exp), as the expiry guard does', async () => {
    const token = await signCastLink({ key: configKey, expiresAt: t0 }, { secret: secretA, kid: 'a' });
    expect((await verify(token, t0 - 1)).ok).toBe(true);
    expect(await verify(token, t0)).toEqual({ ok: false, problem: 'expired' });
    expect(await verify(token, t0 + 86_400_000)).toEqual({ ok: false, problem: 'expired' });
  });

  it('is not valid before notBefore, and valid from that instant on', async () => {
    const token = await signCastLink({ key: configKey, notBefore: t0 }, { secret: secretA, kid: 'a' });
    expect(await verify(token, t0 - 1)).toEqual({ ok: false, problem: 'not yet valid' });
    expect((await verify(token, t0)).ok).toBe(true);
  });

  it.each([
    ['absent', undefined, 'missing'],
    ['null', null, 'missing'],
    ['empty', '', 'missing'],
    ['a number', 42, 'missing'],
    ['an array', ['a.b.c'], 'missing'],
    ['garbage', 'not a token', 'malformed'],
    ['two parts', 'eyJhbGciOiJIUzI1NiJ9.e30', 'malformed'],
    ['bad base64', '###.###.###', 'malformed'],
    ['longer than 8 KB', `${'a'.repeat(8192)}.b.c`, 'malformed'],
  ] as const)('refuses a token that is %s', async (_name, token, problem) => {
    expect(await verify(token)).toEqual({ ok: false, problem });
  });

  it('refuses a token signed with the key but without castgate\'s claims (no jti, bad params, once without exp)', async () => {
    const secret = new TextEncoder().encode(secretA);
    const sign = (payload: Record<string, unknown>) => new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'castlink+jwt', kid: 'a' }).sign(secret);
    for (const payload of [
      { key: configKey },
      { key: configKey, jti: 'x', params: { file: 1 } },
      { key: configKey, jti: 'x', once: true },
      { key: configKey, jti: 'x', once: 'yes', exp: t0 / 1000 + 60 },
      { key: 7, jti: 'x' },
      { key: configKey, jti: 'x', exp: t0 / 1000 + 0.5 },
    ]) {
      const check = await verify(await sign(payload));
      expect(check.ok, JSON.stringify(payload)).toBe(false);
    }
  });

  it('gives back every params value it signed, byte for byte, whatever the names and values', async () => {
    const name = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s !== '__proto__');
    await fc.assert(
      fc.asyncProperty(fc.dictionary(name, fc.string({ maxLength: 100 }), { maxKeys: 8 }), async (params) => {
        const check = await verify(await signCastLink({ key: configKey, params }, { secret: secretA, kid: 'a' }));
        expect(check.ok && { ...check.claims.params }).toEqual({ ...params });
      }),
      { numRuns: 60 },
    );
  });
});
