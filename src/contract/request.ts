import { clientAddressOf } from '../net/client-key.js';
import { systemClock } from './clock.js';
import type { CastQuery } from './query.js';

/**
 * One request to a cast link, as the host resolved it (SPEC §2). castgate reads no headers itself and
 * distrusts every field all the same.
 *
 * @example
 * ```ts
 * import type { CastRequest } from 'castgate';
 * const request: CastRequest = {
 *   ip: '203.0.113.9',                       // req.ip under the framework's trust-proxy setting
 *   referrer: 'https://portal.example.com/', // the Referer header, as sent
 *   query: new URLSearchParams('file=C%3A%5CReports%5CQ1.xlsx'),
 * };
 * ```
 */
export interface CastRequest {
  /** The client address as the host resolved it (trust-proxy aware). */
  ip: string;
  /** The Referer header, as sent. */
  referrer?: string | null | undefined;
  /** The signed-in user; `null` or absent means anonymous. */
  user?: { id: string } | null | undefined;
  /** The cast URL's query parameters. */
  query?: CastQuery | undefined;
  /** The captcha token the client sent (form field or header). */
  captchaToken?: string | null | undefined;
  /** The signed link token (SPEC §16), e.g. the link's `token` query parameter. */
  linkToken?: string | null | undefined;
  /** The instant of the request; defaults to the evaluator's clock. Never take it from the client. */
  now?: Date | undefined;
}

/**
 * A request after castgate checked it: the canonical address and its rate-limit bucket, the fields
 * as given (each of the right type), and the one instant of the decision.
 *
 * @example
 * ```ts
 * import type { NormalizedRequest } from 'castgate';
 * const bucket = (request: NormalizedRequest) => request.clientKey; // 'v4:203.0.113.9' or 'v6:2001:db8:1:2::/64'
 * ```
 */
export interface NormalizedRequest {
  readonly ip: string;
  readonly clientKey: string;
  readonly referrer: string | null;
  readonly user: { readonly id: string } | null;
  readonly query: CastQuery | undefined;
  /** The token as sent: the captcha guard refuses a non-string one without calling a provider. */
  readonly captchaToken: unknown;
  /** The signed link token as sent: the signedLink guard refuses a non-string one. */
  readonly linkToken: unknown;
  readonly now: Date;
}

const maxUserIdLength = 512;

/**
 * The instant of a genuine, valid `Date`, read once from its internal time value (SPEC §A): an own
 * or inherited `getTime` that answers differently on each call is never asked, and a Date-like
 * object (`Object.create(Date.prototype)`) or an Invalid Date answers `undefined`.
 */
function timeOf(value: unknown): number | undefined {
  let ms: number;
  try {
    ms = Date.prototype.getTime.call(value);
  } catch {
    return undefined;
  }
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Checks and normalises a {@link CastRequest}; answers `null` when any field is malformed (the
 * engine answers `invalid_request`): an address that is not a plain IPv4 dotted quad or IPv6
 * address, a `now` that is not a genuine valid `Date` (read once, into a fresh `Date`), a user without a non-empty string `id`, a referrer
 * that is not a string, a query that is not an object.
 */
export function normalizeRequest(request: unknown, clock: () => Date, ipv6Prefix: number): NormalizedRequest | null {
  if (typeof request !== 'object' || request === null) return null;
  const { ip, referrer, user, query, captchaToken, linkToken, now } = request as Record<string, unknown>;
  const address = clientAddressOf(ip, ipv6Prefix);
  if (address === null) return null;
  let instant: Date;
  if (now === undefined) {
    // The system clock's instant without the Date it would make only to be read once.
    const ms = clock === systemClock ? Date.now() : timeOf(clock());
    if (ms === undefined) throw new TypeError('castgate: the evaluator clock returned an invalid Date');
    instant = new Date(ms);
  } else {
    const ms = timeOf(now);
    if (ms === undefined) return null;
    instant = new Date(ms);
  }
  if (referrer !== undefined && referrer !== null && typeof referrer !== 'string') return null;
  let checkedUser: { readonly id: string } | null = null;
  if (user !== undefined && user !== null) {
    if (typeof user !== 'object') return null;
    const id: unknown = (user as { id?: unknown }).id;
    if (typeof id !== 'string' || id.length === 0 || id.length > maxUserIdLength) return null;
    checkedUser = { id };
  }
  if (query !== undefined && query !== null && (typeof query !== 'object' || Array.isArray(query))) return null;
  return {
    ip: address.ip,
    clientKey: address.key,
    referrer: typeof referrer === 'string' ? referrer : null,
    user: checkedUser,
    query: (query ?? undefined) as CastQuery | undefined,
    captchaToken,
    linkToken,
    now: instant,
  };
}
