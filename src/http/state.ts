import { createHmac, timingSafeEqual } from 'node:crypto';

// `castgate_state`: what the captcha page's form carries back, so the POST is decided with the
// visitor's original Referer and query (the page's own POST arrives with the cast page as Referer).
// `<payload>.<mac>`: payload = base64url(JSON [version, configKey, clientBucket, referer, query, issuedMs]),
// mac = base64url(HMAC-SHA256(secret, "castgate_state:" + payload)).

/** How long a state is honoured, by the evaluator's clock. */
export const stateLifetimeMs = 10 * 60 * 1000;
/** A state issued this far "in the future" (another process's clock) is still honoured. */
const clockSkewMs = 60 * 1000;
const maxStateLength = 8 * 1024;
const version = 1;

/** What a state carries. */
export interface CastState {
  readonly configKey: string;
  readonly client: string;
  readonly referrer: string | null;
  readonly query: string;
  readonly issuedMs: number;
}

function macOf(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`castgate_state:${payload}`).digest();
}

/** Signs a state. */
export function signState(secret: string, state: CastState): string {
  const payload = Buffer.from(JSON.stringify([version, state.configKey, state.client, state.referrer, state.query, state.issuedMs])).toString('base64url');
  return `${payload}.${macOf(secret, payload).toString('base64url')}`;
}

/**
 * Reads a state back: the carried fields when the MAC is right, it was issued for this config key,
 * client bucket and query, and it is younger than 10 minutes at `nowMs`; else `null`.
 */
export function verifyState(secret: string, token: string, expected: { readonly configKey: string; readonly client: string; readonly query: string; readonly nowMs: number }): CastState | null {
  if (token.length > maxStateLength) return null;
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return null;
  const payload = token.slice(0, dot);
  const mac = Buffer.from(token.slice(dot + 1), 'base64url');
  const wanted = macOf(secret, payload);
  if (mac.length !== wanted.length || !timingSafeEqual(mac, wanted)) return null;
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(fields) || fields.length !== 6 || fields[0] !== version) return null;
  const [, configKey, client, referrer, query, issuedMs] = fields as unknown[];
  if (configKey !== expected.configKey || client !== expected.client || query !== expected.query) return null;
  if (referrer !== null && typeof referrer !== 'string') return null;
  if (typeof issuedMs !== 'number' || !Number.isFinite(issuedMs)) return null;
  const age = expected.nowMs - issuedMs;
  if (age >= stateLifetimeMs || age < -clockSkewMs) return null;
  return { configKey, client, referrer, query, issuedMs };
}
