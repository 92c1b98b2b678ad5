import { errors, jwtVerify, type JWTPayload } from 'jose';
import { linkTokenType, maxLinkTokenLength, paramsOf, type LinkClaims } from './claims.js';

/**
 * Why a link token was refused, for the trace note (never the token itself): absent or empty,
 * not a compact JWS, signed with a `kid` not in `linkKeys`, a signature that does not verify,
 * expired, not yet valid, for another config, or claims castgate did not write.
 */
export type LinkTokenProblem = 'missing' | 'malformed' | 'unknown kid' | 'forged' | 'expired' | 'not yet valid' | 'other link' | 'bad claims';

/** A verified token's claims, or why it was refused. */
export type LinkTokenCheck = { readonly ok: true; readonly claims: LinkClaims } | { readonly ok: false; readonly problem: LinkTokenProblem };

class UnknownKidError extends Error {}

const jtiPattern = /^[A-Za-z0-9_-]{1,128}$/u;

/** The claims castgate writes, checked; `undefined` for a payload it did not write. */
function claimsOf(payload: JWTPayload): LinkClaims | undefined {
  const { key, jti, exp, nbf, params, once } = payload as Record<string, unknown>;
  if (typeof key !== 'string' || typeof jti !== 'string' || !jtiPattern.test(jti)) return undefined;
  if (exp !== undefined && !Number.isSafeInteger(exp)) return undefined;
  if (nbf !== undefined && !Number.isSafeInteger(nbf)) return undefined;
  if (once !== undefined && (once !== true || exp === undefined)) return undefined;
  const claims: { -readonly [K in keyof LinkClaims]: LinkClaims[K] } = { key, jti };
  if (exp !== undefined) claims.exp = exp as number;
  if (nbf !== undefined) claims.nbf = nbf as number;
  if (params !== undefined) {
    const checked = paramsOf(params);
    if (checked === undefined) return undefined;
    claims.params = checked;
  }
  if (once === true) claims.once = true;
  return claims;
}

function problemOf(error: unknown): LinkTokenProblem {
  if (error instanceof UnknownKidError) return 'unknown kid';
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return error.claim === 'nbf' ? 'not yet valid' : 'bad claims';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'forged';
  return 'malformed';
}

/**
 * Verifies a link token with `jose` at the decision's instant `nowMs` (no clock tolerance): HS256
 * only, the `castlink+jwt` type, a `kid` found in `keys`, not expired (`now >= exp`), valid already
 * (`now >= nbf`), for `configKey`. Never rejects: every failure is a {@link LinkTokenProblem}.
 */
export async function verifyLinkToken(
  token: unknown,
  input: { readonly configKey: string; readonly keys: ReadonlyMap<string, Uint8Array>; readonly nowMs: number },
): Promise<LinkTokenCheck> {
  if (typeof token !== 'string' || token.length === 0) return { ok: false, problem: 'missing' };
  if (token.length > maxLinkTokenLength) return { ok: false, problem: 'malformed' };
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const secret = typeof header.kid === 'string' ? input.keys.get(header.kid) : undefined;
        if (secret === undefined) throw new UnknownKidError();
        return secret;
      },
      { algorithms: ['HS256'], typ: linkTokenType, currentDate: new Date(input.nowMs), requiredClaims: ['jti'] },
    );
    const claims = claimsOf(payload);
    if (claims === undefined) return { ok: false, problem: 'bad claims' };
    if (claims.key !== input.configKey) return { ok: false, problem: 'other link' };
    return { ok: true, claims };
  } catch (error) {
    return { ok: false, problem: problemOf(error) };
  }
}
