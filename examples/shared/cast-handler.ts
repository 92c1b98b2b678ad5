// The framework-neutral half of both adapters: a request as the framework resolved it goes in,
// status + headers + body come out. Express and Fastify only extract facts and send the answer.
import type { IncomingHttpHeaders } from 'node:http';
import {
  castErrorMessages,
  castErrorStatus,
  evaluateCast,
  toHttpResponse,
  type CastDecision,
  type CastEvaluator,
  type CastQuery,
  type CastRequest,
  type CastStores,
} from 'castgate';
import { captchaTokenField, type CaptchaWidget } from './captcha-widget.js';
import type { ConfigSource } from './config-source.js';
import { captchaPage, errorPage, launchPage, notFoundPage, serverErrorPage, type HtmlPage } from './pages.js';

/**
 * Options shared by the Express and Fastify examples.
 *
 * @example
 * ```ts
 * const options: CastHandlerOptions = { configs: await loadConfigSource('configs.json'), stores: createMemoryStores() };
 * ```
 */
export interface CastHandlerOptions {
  /** Where `/cast/:key` looks its config up. */
  readonly configs: ConfigSource;
  /** Rate limit, quota, provisioner and (for `requireCaptcha` configs) the captcha verifier. */
  readonly stores: CastStores;
  /** The captcha check page's widget: provider and public site key. Needed when a config has `requireCaptcha`. */
  readonly captcha?: CaptchaWidget | undefined;
  /** The evaluator to run. @defaultValue `evaluateCast` */
  readonly evaluate?: CastEvaluator | undefined;
  /**
   * DEMO ONLY: take the signed-in user from the `x-demo-user` request header, which any client can
   * send. A real host leaves this off and passes its own session's user (`userOf`).
   * @defaultValue false
   */
  readonly demoUserHeader?: boolean | undefined;
  /** DEMO ONLY: show the guard trace on HTML pages (it is meant for logs). @defaultValue false */
  readonly showTrace?: boolean | undefined;
  /** A sentence shown on the launch page, e.g. that the demo starts no real desktop. */
  readonly notice?: string | undefined;
  /** Called with a programmer error (the engine rejects for nothing else). @defaultValue `console.error` */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/**
 * One request to `/cast/:key`, as the framework resolved it.
 *
 * @example
 * ```ts
 * const input: CastHttpRequest = {
 *   method: req.method, key: req.params.key, ip: req.ip, headers: req.headers, rawHeaders: req.rawHeaders,
 *   query: req.query, body: req.body, user: null,
 * };
 * ```
 */
export interface CastHttpRequest {
  readonly method: string;
  /** The `:key` route parameter. */
  readonly key: string;
  /** The framework's client address under its trust-proxy setting (`req.ip` / `request.ip`); never parsed from headers here. */
  readonly ip: string | undefined;
  readonly headers: IncomingHttpHeaders;
  /** Node's raw header list (name, value, name, value…): the only place a repeated `Referer` shows. */
  readonly rawHeaders: readonly string[];
  /** The framework's parsed query (Express 5's simple parser, Fastify's querystring) or URLSearchParams. */
  readonly query: unknown;
  /** The parsed form body of a POST (a record or URLSearchParams), else `undefined`. */
  readonly body: unknown;
  /** The host's signed-in user, if any. */
  readonly user: { readonly id: string } | null | undefined;
}

/**
 * What to send back: status, headers and the body (`null` for a redirect or an empty answer).
 *
 * @example
 * ```ts
 * const { status, headers, body } = await handle(input);
 * ```
 */
export interface CastHttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

const maxDemoUserLength = 128;

/** How many times a header appears in Node's raw header list (names are case-insensitive). */
function headerCount(rawHeaders: readonly string[], name: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === name) count++;
  return count;
}

/** A form field as sent: absent, once as text, or repeated (or not text, which counts the same). */
type FormField = { readonly kind: 'absent' } | { readonly kind: 'one'; readonly value: string } | { readonly kind: 'repeated' };

function formField(body: unknown, name: string): FormField {
  if (body instanceof URLSearchParams) {
    const values = body.getAll(name);
    const [only] = values;
    return only === undefined ? { kind: 'absent' } : values.length === 1 ? { kind: 'one', value: only } : { kind: 'repeated' };
  }
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, name)) return { kind: 'absent' };
  const value: unknown = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? { kind: 'one', value } : value === undefined ? { kind: 'absent' } : { kind: 'repeated' };
}

/**
 * The captcha token from the provider's form field or the `x-captcha-token` header. A token sent
 * twice (field repeated, header repeated, or both a field and a header) is not `ok`: castgate must
 * never check one copy while another is used.
 */
function captchaTokenOf(input: CastHttpRequest, widget: CaptchaWidget | undefined): { readonly ok: true; readonly token: string | undefined } | { readonly ok: false } {
  const field: FormField = widget === undefined ? { kind: 'absent' } : formField(input.body, captchaTokenField(widget.provider));
  const header = input.headers['x-captcha-token'];
  if (field.kind === 'repeated' || Array.isArray(header) || headerCount(input.rawHeaders, 'x-captcha-token') > 1) return { ok: false };
  const fromField = field.kind === 'one' && field.value !== '' ? field.value : undefined;
  if (fromField !== undefined && header !== undefined) return { ok: false };
  return { ok: true, token: fromField ?? header };
}

function userOf(input: CastHttpRequest, demoUserHeader: boolean): { id: string } | null {
  if (input.user !== null && input.user !== undefined) return { id: input.user.id };
  if (!demoUserHeader) return null;
  const header = input.headers['x-demo-user'];
  if (typeof header !== 'string') return null;
  const id = header.trim();
  return id === '' || id.length > maxDemoUserLength ? null : { id };
}

/** The framework's parsed query handed on as it is: castgate checks every value (repeated or non-string → invalid_parameter). */
function queryOf(query: unknown): CastQuery | undefined {
  if (query instanceof URLSearchParams) return query;
  return typeof query === 'object' && query !== null && !Array.isArray(query) ? (query as CastQuery) : undefined;
}

function wantsJson(headers: IncomingHttpHeaders): boolean {
  const accept = headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

function fromPage(page: HtmlPage): CastHttpAnswer {
  return { status: page.status, headers: page.headers, body: page.body };
}

function jsonAnswer(status: number, headers: Readonly<Record<string, string>>, body: unknown): CastHttpAnswer {
  return { status, headers: { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}

/** An `invalid_request` refusal made by the adapter itself, before castgate runs (e.g. two Referer lines). */
function badRequest(json: boolean): CastHttpAnswer {
  const error = { code: 'invalid_request', message: castErrorMessages.invalid_request, status: castErrorStatus.invalid_request } as const;
  return json ? jsonAnswer(error.status, {}, { error }) : fromPage(errorPage(error));
}

/**
 * Checks at start-up that every listed config that needs a captcha has a verifier and a widget.
 * Throws a `TypeError` naming the config key otherwise.
 */
function checkCaptchaSetup(options: CastHandlerOptions): void {
  for (const config of options.configs.configs ?? []) {
    if (!config.requireCaptcha || !config.allowAnonymous) continue;
    if (options.stores.captcha === undefined) throw new TypeError(`cast config "${config.key}" requires a captcha: pass stores.captcha`);
    if (options.captcha === undefined) throw new TypeError(`cast config "${config.key}" requires a captcha: pass the captcha widget (provider and site key)`);
  }
}

/**
 * Builds the framework-neutral handler of `GET|POST /cast/:key`: looks the key up (unknown → 404
 * page), refuses a request with two `Referer` lines or two captcha tokens (400, THREATS 2.12),
 * builds the `CastRequest` from the framework's resolved address, the Referer, the user, the query
 * and the captcha token (never `now`: the time is the server's, THREATS 8.7), runs the evaluator,
 * and answers with `toHttpResponse`'s status and headers: JSON for `Accept: application/json`, else
 * an HTML page (launch page, error page, or the captcha check page on `captcha_required`). `HEAD`
 * gets 405: checking a link must not start a session. Throws a `TypeError` at creation when a listed
 * config needs a captcha and no verifier or widget was given; the handler itself never rejects.
 *
 * @example
 * ```ts
 * const handle = createCastHandler({ configs, stores: createMemoryStores() });
 * const answer = await handle({ method: 'GET', key, ip: req.ip, headers: req.headers, rawHeaders: req.rawHeaders, query: req.query, body: undefined, user: null });
 * ```
 */
export function createCastHandler(options: CastHandlerOptions): (input: CastHttpRequest) => Promise<CastHttpAnswer> {
  checkCaptchaSetup(options);
  const evaluate = options.evaluate ?? evaluateCast;
  const onError = options.onError ?? ((error: unknown) => { console.error('castgate example: request failed', error); });

  function answerFor(decision: CastDecision, json: boolean): CastHttpAnswer {
    const trace = options.showTrace === true ? decision.trace : undefined;
    if (!json && !decision.allowed && decision.error.code === 'captcha_required' && options.captcha !== undefined) {
      // A step, not an error: the check page is shown even when the config has an errorUrl.
      return fromPage(captchaPage(options.captcha, decision.error.message, { trace }));
    }
    const response = toHttpResponse(decision);
    if (response.body === null) return { status: response.status, headers: response.headers, body: null };
    if (json) return { status: response.status, headers: response.headers, body: JSON.stringify(response.body) };
    if (decision.allowed) return fromPage(launchPage(decision, { notice: options.notice, trace: options.showTrace }));
    return fromPage(errorPage(decision.error, { headers: response.headers, trace }));
  }

  return async function handle(input) {
    const json = wantsJson(input.headers);
    try {
      if (input.method !== 'GET' && input.method !== 'POST') {
        return { status: 405, headers: { allow: 'GET, POST', 'cache-control': 'no-store' }, body: null };
      }
      const config = await options.configs.get(input.key);
      if (config === undefined) {
        return json
          ? jsonAnswer(404, {}, { error: { code: 'not_found', message: 'No cast link has this address.', status: 404 } })
          : fromPage(notFoundPage());
      }
      if (headerCount(input.rawHeaders, 'referer') > 1) return badRequest(json);
      const captcha = captchaTokenOf(input, options.captcha);
      if (!captcha.ok) return badRequest(json);
      const request: CastRequest = {
        ip: input.ip ?? '',
        referrer: input.headers.referer ?? null,
        user: userOf(input, options.demoUserHeader === true),
        query: queryOf(input.query),
        captchaToken: captcha.token ?? null,
        // No `now`: the evaluator's clock decides, whatever the client sends (THREATS 8.7).
      };
      return answerFor(await evaluate(config, request, options.stores), json);
    } catch (error) {
      onError(error);
      return json ? jsonAnswer(500, {}, { error: { code: 'internal_error', message: 'The link could not be checked.', status: 500 } }) : fromPage(serverErrorPage());
    }
  };
}
