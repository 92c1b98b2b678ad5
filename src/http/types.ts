import type { CastConfig, CastDecisionHook, CastErrorCode, CastEvaluator, CastStores, Clock } from 'castgate';
import type { CastCaptchaWidget } from './captcha-widget.js';

/**
 * A signed-in user as the host resolved it from its own session.
 *
 * @example
 * ```ts
 * import type { CastHttpUser } from 'castgate/http';
 * const user: CastHttpUser = { id: 'alice' };
 * ```
 */
export interface CastHttpUser {
  readonly id: string;
}

/**
 * One request to `/…/cast/<key>`, as the framework received and resolved it (SPEC §11).
 *
 * @example
 * ```ts
 * import type { CastHttpInput } from 'castgate/http';
 * const input: CastHttpInput = {
 *   method: 'GET',
 *   url: '/cast/Zq3v9Kp2Lm8Xr4Td?file=report.xlsx', // path and query as received
 *   ip: '203.0.113.9',                                // the framework's address under its trust-proxy setting
 *   headers: { referer: 'https://example.com/', accept: 'text/html' },
 * };
 * ```
 */
export interface CastHttpInput {
  readonly method: string;
  /** The path and query as received (`req.originalUrl`), never decoded. The key is its last path segment after `/cast/`. */
  readonly url: string;
  /** The client address the framework resolved (trust-proxy aware); castgate never reads X-Forwarded-For. */
  readonly ip: string;
  /**
   * Request headers with lower-case names. A header sent twice may be given as an array (a `referer`
   * array, or a Referer holding `", "`, is refused: castgate never checks one copy and uses another).
   */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /**
   * The signed-in user, if any; `null` or absent means anonymous. A function is called once, only
   * when the key names a config (so unknown links cost no session lookup); a throw or rejection in
   * it becomes the 500 page and `onError`.
   */
  readonly user?: CastHttpUser | null | undefined | (() => CastHttpUser | null | undefined | Promise<CastHttpUser | null | undefined>);
  /**
   * The form body of a POST: parsed (`URLSearchParams` or a record of strings, when the host's own
   * parser ran) or raw bytes, which the handler checks itself (at most 16 KB; give it the first
   * 16 KB + 1 bytes of a longer body; UTF-8 `application/x-www-form-urlencoded`, well-formed).
   */
  readonly body?: URLSearchParams | Readonly<Record<string, string>> | Uint8Array | undefined;
}

/**
 * What to send back. `body` is `null` for a redirect or an answer without content.
 *
 * @example
 * ```ts
 * import type { CastHttpOutput } from 'castgate/http';
 * const toResponse = (out: CastHttpOutput) => new Response(out.body, { status: out.status, headers: out.headers });
 * ```
 */
export interface CastHttpOutput {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | null;
}

/**
 * Where the handler looks a cast key up: the parsed configs, or a function (e.g. a database read)
 * answering the config of a key or `undefined` for an unknown key.
 *
 * @example
 * ```ts
 * import type { CastConfigSource } from 'castgate/http';
 * const fromDatabase: CastConfigSource = async (key) => undefined; // look `key` up in your table
 * ```
 */
export type CastConfigSource = readonly CastConfig[] | ((key: string) => CastConfig | undefined | Promise<CastConfig | undefined>);

/**
 * Options of {@link createCastHttpHandler}, shared by every adapter.
 *
 * @example
 * ```ts
 * import { createMemoryStores, parseCastConfig } from 'castgate';
 * import type { CastHttpOptions } from 'castgate/http';
 * const options: CastHttpOptions = {
 *   configs: [parseCastConfig({ name: 'Demo', key: 'Zq3v9Kp2Lm8Xr4Td', imageId: 'kasmweb/chrome', allowAnonymous: true })],
 *   stores: createMemoryStores(),
 *   loginUrl: '/login',
 * };
 * ```
 */
export interface CastHttpOptions {
  /** The configs to serve, or a function looking a key up. */
  readonly configs: CastConfigSource;
  /** Rate limit, quota, provisioner and, for `requireCaptcha` links, the captcha verifier. */
  readonly stores: CastStores;
  /** The captcha check page's widget. Required when a config requires a captcha. */
  readonly captcha?: CastCaptchaWidget | undefined;
  /**
   * The key signing `castgate_state` (HMAC-SHA256), at least 32 characters of a random secret shared
   * by every process serving the same links. Required when a config requires a captcha.
   */
  readonly stateSecret?: string | undefined;
  /**
   * Where `auth_required` sends an HTML visitor (302), with `returnTo` (the cast path and query)
   * added to its own query; an absolute `http(s):` URL or a path starting with `/`. Without it,
   * `auth_required` is a 401 page.
   */
  readonly loginUrl?: string | undefined;
  /** The evaluator to run (e.g. `createCastEvaluator({ guards, clock })`). @defaultValue `evaluateCast` */
  readonly evaluate?: CastEvaluator | undefined;
  /** Replaces default messages per code (passed to the evaluator), e.g. to translate them. */
  readonly messages?: Partial<Record<CastErrorCode, string>> | undefined;
  /**
   * Called once per decision with its event (SPEC §12: masked client, code, status, duration, trace),
   * passed to the evaluator; the event's `decisionId` is the answer's `X-Cast-Decision-Id` header and
   * its JSON `decisionId`. A hook that throws, rejects or never settles changes and delays nothing.
   * Given here, it takes the place of an `evaluate`'s own `onDecision`. Answers made before any
   * decision (404, 405, 413, 415, a bad captcha state) have no event.
   */
  readonly onDecision?: CastDecisionHook | undefined;
  /** The evaluator's clock (passed to it), which also dates `castgate_state` (10 minutes). @defaultValue the system clock */
  readonly clock?: Clock | undefined;
  /** Shows the guard trace on pages and in JSON. For development only. @defaultValue false */
  readonly debug?: boolean | undefined;
  /** The `lang` of the pages (match it when `messages` are translated). @defaultValue 'en' */
  readonly lang?: string | undefined;
  /** Called with a programmer error (a config source or evaluator that throws); the visitor gets a 500 page. @defaultValue `console.error` */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/**
 * The handler {@link createCastHttpHandler} builds. It never rejects.
 *
 * @example
 * ```ts
 * import type { CastHttpHandler } from 'castgate/http';
 * const answer = (handle: CastHttpHandler) => handle({ method: 'GET', url: '/cast/Zq3v9Kp2Lm8Xr4Td', ip: '203.0.113.9', headers: {} });
 * ```
 */
export type CastHttpHandler = (input: CastHttpInput) => Promise<CastHttpOutput>;
