import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { linkTokenType, paramsOf, type LinkClaims } from './claims.js';
import { checkKid, linkSecretBytes } from './secret.js';

/**
 * What a signed link grants: the config `key` it opens, and optionally the raw values of the query
 * parameters it binds (`params`, keyed by query name: `kasm_url`, `docker_network`, a remote-app
 * `urlParamName`), when it starts (`notBefore`) and stops (`expiresAt`) being valid, and whether it
 * serves one session only (`singleUse`, which requires `expiresAt`). Instants are a `Date` or epoch
 * milliseconds.
 *
 * @example
 * ```ts
 * import type { CastLinkGrant } from 'castgate';
 * const grant: CastLinkGrant = {
 *   key: 'quarterly-0123456789abcdef',
 *   params: { file: 'C:\\Reports\\Q1.xlsx' },
 *   expiresAt: new Date('2030-01-08T00:00:00Z'),
 *   singleUse: true,
 * };
 * ```
 */
export interface CastLinkGrant {
  readonly key: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly expiresAt?: Date | number;
  readonly notBefore?: Date | number;
  readonly singleUse?: boolean;
}

/**
 * The key a link is signed with: the `secret` (at least 32 bytes, a string's UTF-8 bytes or a
 * `Uint8Array`) and its `kid`, the name the evaluator's `linkKeys` knows it by.
 *
 * @example
 * ```ts
 * import type { CastLinkSigningKey } from 'castgate';
 * const signingKey: CastLinkSigningKey = { kid: '2030-01', secret: process.env.CAST_LINK_SECRET ?? '' };
 * ```
 */
export interface CastLinkSigningKey {
  readonly secret: string | Uint8Array;
  readonly kid: string;
}

const configKeyPattern = /^[A-Za-z0-9_-]{1,128}$/u;

/** An instant as epoch milliseconds; throws a `TypeError` naming `name` for anything but a valid Date or a finite number. */
function instantOf(value: unknown, name: string): number {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    throw new TypeError(`castgate: ${name} must be a valid Date or epoch milliseconds`);
  }
  return ms;
}

/** The claims of a grant, checked; throws a `TypeError` or `RangeError` for a grant that cannot be signed. */
function claimsOf(grant: CastLinkGrant): LinkClaims {
  if (typeof grant !== 'object' || (grant as CastLinkGrant | null) === null) throw new TypeError('castgate: signCastLink needs { key, … }');
  const { key, params, expiresAt, notBefore, singleUse } = grant;
  if (typeof key !== 'string' || !configKeyPattern.test(key)) throw new TypeError('castgate: a signed link `key` must be a cast key ([A-Za-z0-9_-]{1,128})');
  if (singleUse !== undefined && typeof singleUse !== 'boolean') throw new TypeError('castgate: `singleUse` must be a boolean');
  const claims: { -readonly [K in keyof LinkClaims]: LinkClaims[K] } = { key, jti: randomBytes(16).toString('base64url') };
  if (params !== undefined) {
    const checked = paramsOf(params);
    if (checked === undefined) {
      throw new TypeError('castgate: `params` must be a plain object of up to 64 query names to strings of at most 4096 characters');
    }
    claims.params = { ...checked };
  }
  // NumericDates are whole seconds: rounded toward a shorter validity, never a longer one.
  if (expiresAt !== undefined) claims.exp = Math.floor(instantOf(expiresAt, '`expiresAt`') / 1000);
  if (notBefore !== undefined) claims.nbf = Math.ceil(instantOf(notBefore, '`notBefore`') / 1000);
  if (claims.exp !== undefined && claims.nbf !== undefined && claims.nbf >= claims.exp) {
    throw new RangeError('castgate: `expiresAt` must be at least a whole second after `notBefore`, or the link is never valid');
  }
  if (singleUse === true) {
    if (claims.exp === undefined) throw new TypeError('castgate: a `singleUse` link needs `expiresAt` (it is remembered until then)');
    claims.once = true;
  }
  return claims;
}

/**
 * Mints a signed link token (SPEC §16): a compact JWS (HS256, made with `jose`) for one config, with
 * a random `jti`, so every call answers a distinct token. Send it as the link's `token` query
 * parameter; a config with `requireSignedLink: true` then serves only requests whose token the
 * evaluator's `linkKeys` verifies, within its validity, and (when `params` is given, even `{}`) only
 * with exactly the signed values of its dynamic parameters. `expiresAt` and `notBefore` become whole
 * seconds, rounded toward a shorter validity. No clock is read: an already-expired token can be
 * minted. Rejects with a `TypeError` or `RangeError` for a grant or key it cannot sign (a secret under
 * 32 bytes, `singleUse` without `expiresAt`, a bad key or parameter).
 *
 * @example
 * ```ts
 * import { signCastLink } from 'castgate';
 * const token = await signCastLink(
 *   { key: 'quarterly-0123456789abcdef', params: { file: 'C:\\Reports\\Q1.xlsx' }, expiresAt: Date.now() + 86_400_000, singleUse: true },
 *   { kid: '2030-01', secret: process.env.CAST_LINK_SECRET ?? 'a-test-secret-of-at-least-32-bytes!!' },
 * );
 * const url = `https://desktops.example.com/cast/quarterly-0123456789abcdef?file=C%3A%5CReports%5CQ1.xlsx&token=${token}`;
 * ```
 */
export async function signCastLink(grant: CastLinkGrant, signingKey: CastLinkSigningKey): Promise<string> {
  if (typeof signingKey !== 'object' || (signingKey as CastLinkSigningKey | null) === null) {
    throw new TypeError('castgate: signCastLink needs { secret, kid }');
  }
  const secret = linkSecretBytes(signingKey.secret, 'the link `secret`');
  const kid = checkKid(signingKey.kid, 'the link `kid`');
  const claims = claimsOf(grant);
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', typ: linkTokenType, kid }).sign(secret);
}
