import { defaultVerifierTimeoutMs, durationProblem } from '../engine/deadline.js';
import { normalizeHostname } from '../net/host.js';
import { readHttpUrl } from '../net/url.js';

/**
 * The `fetch` a verifier calls: `globalThis.fetch` or anything with its shape (undici's `fetch`, a
 * proxy-aware wrapper, a test double).
 *
 * @example
 * ```ts
 * import type { CaptchaFetch } from 'castgate';
 * const loggingFetch: CaptchaFetch = (url, init) => {
 *   console.log('siteverify', url);
 *   return fetch(url, init);
 * };
 * ```
 */
export type CaptchaFetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Options every castgate captcha verifier takes. Only `secret` is required.
 *
 * @example
 * ```ts
 * import { turnstileVerifier, type CaptchaVerifierOptions } from 'castgate';
 * const options: CaptchaVerifierOptions = {
 *   secret: process.env.TURNSTILE_SECRET ?? '',
 *   hostnames: ['cast.example.com'],
 *   timeoutMs: 3000,
 * };
 * const captcha = turnstileVerifier(options);
 * ```
 */
export interface CaptchaVerifierOptions {
  /** The provider's secret key. Sent in the POST body only; never in a URL, an error or a result. An empty secret throws a `TypeError`. */
  readonly secret: string;
  /**
   * The siteverify endpoint (`http:` or `https:`), e.g. a test server or an egress proxy.
   * @defaultValue the provider's documented endpoint
   */
  readonly url?: string | undefined;
  /**
   * The `fetch` to call. Read when `verify` runs, not when the verifier is built, so a `fetch`
   * installed later (an instrumentation library, a test) is used.
   * @defaultValue `globalThis.fetch`
   */
  readonly fetch?: CaptchaFetch | undefined;
  /**
   * The whole time allowed for one verification (connection, retry, reading the reply); when it
   * passes, `verify` rejects and the engine answers `captcha_unavailable`.
   * @defaultValue 5000
   */
  readonly timeoutMs?: number | undefined;
  /**
   * The hostnames a token may have been solved on (matched exactly, compared lower-case and in
   * punycode, trailing dot ignored). Set it whenever the provider's own domain check is off or the
   * key is shared between sites.
   * @defaultValue no hostname check
   */
  readonly hostnames?: readonly string[] | undefined;
  /**
   * The oldest `challenge_ts` accepted, in seconds. A `challenge_ts` more than 30 s in the future,
   * or missing, or unreadable, always fails.
   * @defaultValue the provider's token lifetime: 120 (reCAPTCHA, hCaptcha), 300 (Turnstile)
   */
  readonly maxAgeSeconds?: number | undefined;
  /**
   * The longest token sent to the provider; a longer one fails without a network call.
   * @defaultValue 4000 (reCAPTCHA), 2048 (Turnstile's documented maximum), 8192 (hCaptcha, whose tokens run past 4,000 characters)
   */
  readonly maxTokenLength?: number | undefined;
  /**
   * The clock `challenge_ts` is checked against.
   * @defaultValue `() => new Date()`
   */
  readonly clock?: (() => Date) | undefined;
}

/**
 * A provider's defaults for {@link CaptchaVerifierOptions}.
 */
export interface CaptchaDefaults {
  readonly url: string;
  readonly maxAgeSeconds: number;
  readonly maxTokenLength: number;
}

/**
 * {@link CaptchaVerifierOptions} checked and completed with a provider's defaults.
 */
export interface CaptchaSettings {
  readonly secret: string;
  readonly url: string;
  readonly fetch: CaptchaFetch | undefined;
  readonly timeoutMs: number;
  readonly hostnames: ReadonlySet<string> | undefined;
  readonly maxAgeSeconds: number;
  readonly maxTokenLength: number;
  readonly clock: () => Date;
}

const systemClock = (): Date => new Date();

/**
 * Checks a verifier's options and fills in the provider's defaults. Throws a `TypeError` naming the
 * option (never its value) for a programmer error: an empty secret, a URL that is not `http(s):`, a
 * non-positive or non-finite number, an empty or unreadable `hostnames` list.
 */
export function resolveCaptchaSettings(factory: string, options: CaptchaVerifierOptions, defaults: CaptchaDefaults): CaptchaSettings {
  const fail = (what: string): never => {
    throw new TypeError(`castgate: ${factory} ${what}`);
  };
  if (!isObject(options)) fail('needs an options object with a `secret`');
  if (typeof options.secret !== 'string' || options.secret.trim().length === 0) fail('needs a non-empty `secret`');
  const url = options.url ?? defaults.url;
  if (!isHttpUrl(url)) fail('needs a `url` that is an absolute http: or https: URL without user info, white space or control characters');
  if (options.fetch !== undefined && typeof options.fetch !== 'function') fail('needs `fetch` to be a function');
  if (options.clock !== undefined && typeof options.clock !== 'function') fail('needs `clock` to be a function');
  const timeoutMs = options.timeoutMs ?? defaultVerifierTimeoutMs;
  const timeoutProblem = durationProblem('timeoutMs', timeoutMs);
  if (timeoutProblem !== undefined) fail(timeoutProblem);
  const maxAgeSeconds = options.maxAgeSeconds ?? defaults.maxAgeSeconds;
  if (!isPositive(maxAgeSeconds)) fail('needs `maxAgeSeconds` to be a positive number');
  const maxTokenLength = options.maxTokenLength ?? defaults.maxTokenLength;
  if (!Number.isSafeInteger(maxTokenLength) || maxTokenLength < 1) fail('needs `maxTokenLength` to be a positive integer');
  return {
    secret: options.secret,
    url,
    fetch: options.fetch,
    timeoutMs,
    hostnames: options.hostnames === undefined ? undefined : normalizeHostnameList(options.hostnames, fail),
    maxAgeSeconds,
    maxTokenLength,
    clock: options.clock ?? systemClock,
  };
}

function normalizeHostnameList(hostnames: unknown, fail: (what: string) => never): ReadonlySet<string> {
  if (!Array.isArray(hostnames) || hostnames.length === 0) fail('needs `hostnames` to list at least one hostname');
  const normalized = new Set<string>();
  hostnames.forEach((hostname: unknown, index) => {
    const host = typeof hostname === 'string' ? normalizeHostname(hostname) : undefined;
    if (host === undefined) fail(`needs \`hostnames[${index}]\` to be a bare hostname (no scheme, port or path)`);
    else normalized.add(host);
  });
  return normalized;
}

/** JavaScript callers can pass anything; the types alone do not guarantee an object. */
function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

function isPositive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function isHttpUrl(value: unknown): value is string {
  return typeof value === 'string' && typeof readHttpUrl(value) === 'object';
}
