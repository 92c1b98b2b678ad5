import { randomBytes } from 'node:crypto';
import {
  castErrorMessages,
  createCastEvaluator,
  isParsedCastConfig,
  type CastConfig,
  type CastDecision,
  type CastError,
  type CastErrorCode,
  type CastEvaluator,
  type CastRequest,
  type CastStores,
  type Clock,
  type EvaluateCastOptions,
} from 'castgate';
import { clientAddressOf } from '../net/client-key.js';
import { prepareWidget, type PreparedWidget } from './captcha-widget.js';
import { parseCastPath } from './cast-path.js';
import { checkFormHeaders, fieldsOfParsed, parseFormBytes, type FormFields, type FormProblem } from './form-body.js';
import { prepareLoginUrl } from './login-url.js';
import { captchaPage, createPageKit, errorPage, launchPage, notFoundPage, plainPage, type PageKit } from './pages.js';
import { signState, verifyState } from './state.js';
import type { CastConfigSource, CastHttpHandler, CastHttpInput, CastHttpOptions, CastHttpOutput } from './types.js';
import { explanationOf, pageMessageOf } from './wording.js';

/**
 * The codes of answers the HTTP layer makes before (or instead of) a decision, next to the
 * {@link CastErrorCode}s of decisions.
 *
 * @example
 * ```ts
 * import type { CastHttpErrorCode } from 'castgate/http';
 * const code: CastHttpErrorCode = 'not_found';
 * ```
 */
export type CastHttpErrorCode = CastErrorCode | 'not_found' | 'method_not_allowed' | 'body_too_large' | 'unsupported_media_type' | 'internal_error';

const minStateSecretLength = 32;
/** The rate-limit bucket size the state binds to (an evaluator's own `ipv6Prefix` may be wider). */
const stateIpv6Prefix = 64;
const stateField = 'castgate_state';
const tokenHeader = 'x-captcha-token';

const jsonType = 'application/json; charset=utf-8';
const systemClock: Clock = () => new Date();

interface Settings {
  readonly lookup: (key: string) => CastConfig | undefined | Promise<CastConfig | undefined>;
  readonly stores: CastStores;
  readonly widget: PreparedWidget | undefined;
  readonly stateSecret: string | undefined;
  readonly loginUrl: ((returnTo: string) => string) | undefined;
  readonly evaluate: CastEvaluator;
  readonly evaluateOptions: EvaluateCastOptions | undefined;
  readonly messages: Readonly<Record<CastErrorCode, string>>;
  readonly clock: Clock;
  readonly debug: boolean;
  readonly kit: PageKit;
  readonly onError: (error: unknown) => void;
}

function needsCaptcha(config: CastConfig): boolean {
  return config.requireCaptcha && config.allowAnonymous;
}

/** Why a config cannot be served as set up, or `undefined`. */
function captchaSetupProblem(config: CastConfig, options: Pick<Settings, 'widget' | 'stateSecret' | 'stores'>): string | undefined {
  if (!needsCaptcha(config)) return undefined;
  if (options.widget === undefined) return `castgate/http: config "${config.key}" requires a captcha: pass the captcha option ({ provider, siteKey })`;
  if (options.stateSecret === undefined) return `castgate/http: config "${config.key}" requires a captcha: pass stateSecret (at least ${minStateSecretLength} characters)`;
  if (typeof options.stores.captcha !== 'object') return `castgate/http: config "${config.key}" requires a captcha: pass stores.captcha (a verifier)`;
  return undefined;
}

function lookupOf(configs: CastConfigSource): Settings['lookup'] {
  if (typeof configs === 'function') return configs;
  if (!Array.isArray(configs)) throw new TypeError('castgate/http: configs must be an array of parsed configs or a function (key) => config');
  const byKey = new Map<string, CastConfig>();
  for (const config of configs as readonly unknown[]) {
    if (!isParsedCastConfig(config)) throw new TypeError('castgate/http: every config must come from parseCastConfig or fromKasmCastConfig');
    if (byKey.has(config.key)) throw new TypeError(`castgate/http: two configs share the key "${config.key}"`);
    byKey.set(config.key, config);
  }
  return (key) => byKey.get(key);
}

function defaultOnError(error: unknown): void {
  // eslint-disable-next-line no-console -- the documented default of `onError`: a programmer error must not vanish
  console.error('castgate/http: a request could not be checked', error);
}

/**
 * The evaluator and the per-call options that carry `messages`, `clock` and `onDecision` to it. The
 * default evaluator is built once with them, so a request pays for no per-call option merging.
 */
function evaluatorOf(options: CastHttpOptions): Pick<Settings, 'evaluate' | 'evaluateOptions'> {
  const { messages, clock, onDecision } = options;
  if (onDecision !== undefined && typeof onDecision !== 'function') throw new TypeError('castgate/http: onDecision must be a function');
  if (clock !== undefined && typeof clock !== 'function') throw new TypeError('castgate/http: clock must be a function returning a Date');
  const given: EvaluateCastOptions = {
    ...(messages === undefined ? {} : { messages }),
    ...(clock === undefined ? {} : { clock }),
    ...(onDecision === undefined ? {} : { onDecision }),
  };
  if (options.evaluate === undefined) return { evaluate: createCastEvaluator(given), evaluateOptions: undefined };
  if (typeof options.evaluate !== 'function') throw new TypeError('castgate/http: evaluate must be an evaluator function');
  return { evaluate: options.evaluate, evaluateOptions: Object.keys(given).length === 0 ? undefined : given };
}

function resolveSettings(options: CastHttpOptions): Settings {
  // Checked at run time too: JavaScript callers get a clear error, not a failure on the first request.
  const given: unknown = options;
  if (typeof given !== 'object' || given === null) throw new TypeError('castgate/http: options must be an object');
  const lookup = lookupOf(options.configs);
  const stores: unknown = options.stores;
  if (typeof stores !== 'object' || stores === null) throw new TypeError('castgate/http: stores must be { rateLimit, quota, sessions, captcha? }');
  const { stateSecret } = options;
  if (stateSecret !== undefined && (typeof stateSecret !== 'string' || stateSecret.length < minStateSecretLength)) {
    throw new TypeError(`castgate/http: stateSecret must be a string of at least ${minStateSecretLength} characters`);
  }
  const { evaluate, evaluateOptions } = evaluatorOf(options);
  const settings: Settings = {
    lookup,
    stores: options.stores,
    widget: options.captcha === undefined ? undefined : prepareWidget(options.captcha),
    stateSecret,
    loginUrl: options.loginUrl === undefined ? undefined : prepareLoginUrl(options.loginUrl),
    evaluate,
    evaluateOptions,
    messages: { ...castErrorMessages, ...options.messages },
    clock: options.clock ?? systemClock,
    debug: options.debug === true,
    kit: createPageKit(options.lang ?? 'en', options.debug === true),
    onError: options.onError ?? defaultOnError,
  };
  if (typeof options.configs !== 'function') {
    for (const config of options.configs) {
      const problem = captchaSetupProblem(config, settings);
      if (problem !== undefined) throw new TypeError(problem);
    }
  }
  return settings;
}

// ---- answers made before a decision ----------------------------------------------------------

const baseJsonHeaders: Readonly<Record<string, string>> = { 'content-type': jsonType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

function jsonOutput(status: number, body: unknown, extra?: Readonly<Record<string, string>>): CastHttpOutput {
  return { status, headers: extra === undefined ? { ...baseJsonHeaders } : { ...extra, ...baseJsonHeaders }, body: JSON.stringify(body) };
}

/**
 * The JSON answer of a decision. Its headers are one literal of a fixed shape: spreading a decision's
 * headers into the base set cost a runtime call per property, the largest part of an answer after
 * the decision itself (measured in a Fastify server under load).
 */
function decisionJsonOutput(status: number, body: unknown, decisionId: string | undefined, retryAfter: number | undefined): CastHttpOutput {
  const headers: Record<string, string> =
    decisionId === undefined
      ? { 'content-type': jsonType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }
      : { 'content-type': jsonType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-cast-decision-id': decisionId };
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  return { status, headers, body: JSON.stringify(body) };
}

interface PlainAnswer {
  readonly code: CastHttpErrorCode;
  readonly status: number;
  readonly title: string;
  readonly message: string;
}

const plainAnswers = {
  method_not_allowed: { code: 'method_not_allowed', status: 405, title: 'This method is not allowed', message: 'A cast link is opened with GET, and its check page sends a form with POST.' },
  body_too_large: { code: 'body_too_large', status: 413, title: 'The form was too large', message: 'The form sent to this link was larger than it can be. Go back and try again.' },
  unsupported_media_type: {
    code: 'unsupported_media_type',
    status: 415,
    title: 'The form could not be read',
    message: 'This link accepts a plain UTF-8 web form only, not compressed. Go back and try again.',
  },
  internal_error: { code: 'internal_error', status: 500, title: 'Something went wrong', message: 'The link could not be checked. Please try again later.' },
} as const satisfies Record<string, PlainAnswer>;

const problemAnswers: Readonly<Record<Exclude<FormProblem, 'malformed'>, PlainAnswer>> = {
  too_large: plainAnswers.body_too_large,
  unsupported: plainAnswers.unsupported_media_type,
};

const notFoundMessage = 'No link has this address.';

function plainAnswer(settings: Settings, answer: PlainAnswer, json: boolean, extra?: Readonly<Record<string, string>>): CastHttpOutput {
  if (json) return jsonOutput(answer.status, { allowed: false, error: { code: answer.code, message: answer.message, status: answer.status } }, extra);
  return plainPage(settings.kit, answer.status, answer.title, answer.message, extra);
}

function notFound(settings: Settings, json: boolean): CastHttpOutput {
  if (json) return jsonOutput(404, { allowed: false, error: { code: 'not_found', message: notFoundMessage, status: 404 } });
  return notFoundPage(settings.kit);
}

/** `invalid_request` (400) answered by the HTTP layer itself: two Referers, a repeated field, a bad state. */
function invalidRequest(settings: Settings, json: boolean): CastHttpOutput {
  const error: CastError = { code: 'invalid_request', message: settings.messages.invalid_request, status: 400 };
  if (json) return jsonOutput(400, { allowed: false, error });
  return errorPage(settings.kit, error, { explanation: explanationOf(error, castErrorMessages) });
}

// ---- reading the request ----------------------------------------------------------------------

function wantsJson(accept: string | readonly string[] | undefined): boolean {
  const text = typeof accept === 'string' ? accept : accept?.join(',');
  return text !== undefined && text.includes('application/json') && !text.includes('text/html');
}

/** The Referer as sent once, `null` when absent, `undefined` when sent twice (refused). */
function refererOf(value: string | readonly string[] | undefined): string | null | undefined {
  if (value === undefined) return null;
  if (typeof value === 'string') return value.includes(', ') ? undefined : value;
  if (value.length === 0) return null;
  return value.length === 1 && !(value[0] ?? '').includes(', ') ? (value[0] ?? null) : undefined;
}

/** One form field: absent, one value (an empty one counts as absent), or `undefined` when repeated. */
function oneField(fields: FormFields, name: string): string | null | undefined {
  const values = fields.get(name);
  if (values === undefined) return null;
  if (values.length !== 1) return undefined;
  return values[0] === '' ? null : (values[0] ?? null);
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { readonly then?: unknown }).then === 'function';
}

function decisionIdOf(decision: CastDecision): string | undefined {
  // `decisionId` (SPEC §12) is read as it comes, so the layer works with engines that do not set it.
  const id = (decision as { readonly decisionId?: unknown }).decisionId;
  return typeof id === 'string' ? id : undefined;
}

const challengeCodes: ReadonlySet<CastErrorCode> = new Set(['captcha_required', 'captcha_failed', 'auth_required']);

interface Carried {
  readonly key: string;
  readonly referrer: string | null;
  readonly query: string;
  readonly client: string | undefined;
  /** The form came back with a state but without the widget's answer. */
  readonly unanswered: boolean;
}

// ---- answering a decision ---------------------------------------------------------------------

/** The `Retry-After` of a decision, in seconds: only a `rate_limited` denial has one. */
function retryAfterOf(decision: CastDecision): number | undefined {
  return decision.allowed || decision.error.code !== 'rate_limited' ? undefined : decision.error.retryAfterSeconds;
}

function decisionHeaders(decision: CastDecision): Record<string, string> | undefined {
  const id = decisionIdOf(decision);
  const retry = retryAfterOf(decision);
  if (id === undefined && retry === undefined) return undefined;
  const headers: Record<string, string> = {};
  if (id !== undefined) headers['x-cast-decision-id'] = id;
  if (retry !== undefined) headers['retry-after'] = String(retry);
  return headers;
}

function redirect(location: string, extra: Readonly<Record<string, string>> | undefined): CastHttpOutput {
  return { status: 302, headers: { ...extra, location, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }, body: null };
}

function answerJson(settings: Settings, decision: CastDecision, url: string): CastHttpOutput {
  const decisionId = decisionIdOf(decision);
  if (decision.allowed) {
    const body = settings.debug
      ? { allowed: true, outcome: decision.outcome, session: decision.session, launch: decision.launch, decisionId, trace: decision.trace }
      : { allowed: true, outcome: decision.outcome, session: decision.session, launch: decision.launch, decisionId };
    return decisionJsonOutput(200, body, decisionId, undefined);
  }
  const { error } = decision;
  const trace = settings.debug ? decision.trace : undefined;
  const challenge = challengeCodes.has(error.code);
  const loginUrl = error.code === 'auth_required' && settings.loginUrl !== undefined ? settings.loginUrl(url) : undefined;
  const redirectUrl = challenge ? undefined : decision.redirectUrl;
  return decisionJsonOutput(error.status, { allowed: false, error, redirectUrl, loginUrl, decisionId, trace }, decisionId, retryAfterOf(decision));
}

function answerHtml(settings: Settings, decision: CastDecision, url: string, carried: Carried, nowMs: number, headers: Readonly<Record<string, string>> | undefined): CastHttpOutput {
  const { kit } = settings;
  if (decision.allowed) return launchPage(kit, decision, headers);
  const { error } = decision;
  const trace = settings.debug ? decision.trace : undefined;
  if ((error.code === 'captcha_required' || error.code === 'captcha_failed') && settings.widget !== undefined && settings.stateSecret !== undefined && carried.client !== undefined) {
    // A challenge, never a redirect (SPEC §A): the page, with the message, so the visitor can try again.
    const state = signState(settings.stateSecret, { configKey: carried.key, client: carried.client, referrer: carried.referrer, query: carried.query, issuedMs: nowMs });
    const provider = settings.widget.providerName;
    return captchaPage(kit, {
      widget: settings.widget,
      message: pageMessageOf(error, castErrorMessages, provider),
      explanation: explanationOf(error, castErrorMessages, provider),
      problem: carried.unanswered && error.code === 'captcha_required'
        ? `The form was sent before the check was completed. If no check shows below, your browser could not load it from ${settings.widget.providerName}: an ad or content blocker may be stopping it.`
        : undefined,
      action: url,
      state,
      nonce: randomBytes(16).toString('base64'),
      headers,
      trace,
    });
  }
  if (error.code === 'auth_required') {
    if (settings.loginUrl !== undefined) return redirect(settings.loginUrl(url), headers);
    return errorPage(kit, error, { title: 'Sign in to open this link', explanation: explanationOf(error, castErrorMessages), headers, trace });
  }
  if (decision.redirectUrl !== undefined && !challengeCodes.has(error.code)) return redirect(decision.redirectUrl, headers);
  const provider = settings.widget?.providerName;
  return errorPage(kit, { ...error, message: pageMessageOf(error, castErrorMessages, provider) }, { explanation: explanationOf(error, castErrorMessages, provider), headers, trace });
}

// ---- the handler ------------------------------------------------------------------------------

async function answer(settings: Settings, input: CastHttpInput, json: boolean): Promise<CastHttpOutput> {
  const { method, headers } = input;
  const post = method === 'POST';
  if (method !== 'GET' && !post) return plainAnswer(settings, plainAnswers.method_not_allowed, json, { allow: 'GET, POST' });
  const path = parseCastPath(input.url);
  if (path === null || path.key === '') return notFound(settings, json);
  // A lookup in the configs array answers at once: no await, so no extra turn of the microtask queue.
  const found = settings.lookup(path.key);
  const config = isThenable(found) ? await found : found;
  if (config === undefined) return notFound(settings, json);
  const setupProblem = captchaSetupProblem(config, settings);
  if (setupProblem !== undefined) throw new TypeError(setupProblem);

  let referrer = refererOf(headers.referer);
  if (referrer === undefined) return invalidRequest(settings, json);
  let query = path.query;
  let captchaToken: string | null = null;
  let unanswered = false;
  const tokenHeaderValue = headers[tokenHeader];
  if (tokenHeaderValue !== undefined) {
    if (typeof tokenHeaderValue !== 'string') return invalidRequest(settings, json);
    captchaToken = tokenHeaderValue === '' ? null : tokenHeaderValue;
  }
  // The client's bucket binds the captcha state; it is worked out only where a state is read or made.
  let client: string | undefined;
  let nowMs = 0;

  if (post) {
    const { body } = input;
    const raw = body instanceof Uint8Array;
    // A body the host's own parser read has no raw bytes to type-check: only a named charset or encoding is checked.
    const problem = checkFormHeaders(headers['content-type'], headers['content-encoding'], raw && body.length > 0);
    if (problem !== undefined) return problem === 'malformed' ? invalidRequest(settings, json) : plainAnswer(settings, problemAnswers[problem], json);
    let fields: FormFields;
    if (raw) {
      const parsed = parseFormBytes(body);
      if (!parsed.ok) return parsed.problem === 'malformed' ? invalidRequest(settings, json) : plainAnswer(settings, problemAnswers[parsed.problem], json);
      fields = parsed.fields;
    } else {
      fields = body === undefined ? new Map() : fieldsOfParsed(body);
    }
    if (settings.widget !== undefined) {
      const fromForm = oneField(fields, settings.widget.field);
      if (fromForm === undefined || (fromForm !== null && captchaToken !== null)) return invalidRequest(settings, json);
      if (fromForm !== null) captchaToken = fromForm;
    }
    const stateText = oneField(fields, stateField);
    if (stateText === undefined) return invalidRequest(settings, json);
    if (stateText !== null) {
      client = clientAddressOf(input.ip, stateIpv6Prefix)?.key;
      if (settings.stateSecret === undefined || client === undefined) return invalidRequest(settings, json);
      nowMs = settings.clock().getTime();
      const state = verifyState(settings.stateSecret, stateText, { configKey: config.key, client, query, nowMs });
      if (state === null) return invalidRequest(settings, json);
      referrer = state.referrer;
      query = state.query;
      unanswered = captchaToken === null;
    }
  }

  let user = input.user;
  if (typeof user === 'function') {
    const resolved = user();
    user = resolved instanceof Promise ? await resolved : resolved;
  }
  const params = new URLSearchParams(query);
  // A signed link's token travels as `token` (SPEC §16); a repeated one is no token at all.
  const linkTokens = params.getAll('token');
  const request: CastRequest = {
    ip: input.ip,
    referrer,
    user: user ?? null,
    query: params,
    captchaToken,
    linkToken: linkTokens.length === 1 ? linkTokens[0] : null,
  };
  const decision = await settings.evaluate(config, request, settings.stores, settings.evaluateOptions);
  if (json) return answerJson(settings, decision, input.url);
  const extra = decisionHeaders(decision);
  if (!decision.allowed && (decision.error.code === 'captcha_required' || decision.error.code === 'captcha_failed')) {
    if (nowMs === 0) nowMs = settings.clock().getTime();
    client ??= clientAddressOf(input.ip, stateIpv6Prefix)?.key;
  }
  return answerHtml(settings, decision, input.url, { key: config.key, referrer, query, client, unanswered }, nowMs, extra);
}

/** What an adapter can answer without the handler: a failure of the framework around it. */
export type AdapterFailure = 'body_too_large' | 'unsupported_media_type' | 'invalid_request' | 'not_found' | 'internal_error';

/** The handler and the answers adapters give for their framework's own failures, sharing one set of options. */
export interface CastHttpCore {
  readonly handle: CastHttpHandler;
  /** The answer for a failure the framework met before the handler ran (a body over its limit, a bad URL). */
  readonly fail: (failure: AdapterFailure, accept: string | readonly string[] | undefined, error?: unknown) => CastHttpOutput;
}

/** Builds the handler and the failure answers of one set of options (the adapters use both). */
export function createCastHttpCore(options: CastHttpOptions): CastHttpCore {
  const settings = resolveSettings(options);
  async function handle(input: CastHttpInput): Promise<CastHttpOutput> {
    let json = false;
    try {
      json = wantsJson(input.headers.accept);
      return await answer(settings, input, json);
    } catch (error) {
      return internalError(settings, json, error);
    }
  }
  function fail(failure: AdapterFailure, accept: string | readonly string[] | undefined, error?: unknown): CastHttpOutput {
    const json = wantsJson(accept);
    switch (failure) {
      case 'body_too_large':
        return plainAnswer(settings, plainAnswers.body_too_large, json);
      case 'unsupported_media_type':
        return plainAnswer(settings, plainAnswers.unsupported_media_type, json);
      case 'invalid_request':
        return invalidRequest(settings, json);
      case 'not_found':
        return notFound(settings, json);
      case 'internal_error':
        return internalError(settings, json, error);
    }
  }
  return { handle, fail };
}

function internalError(settings: Settings, json: boolean, error: unknown): CastHttpOutput {
  try {
    settings.onError(error);
  } catch {
    // An onError that throws changes nothing: the visitor still gets the 500 page.
  }
  return plainAnswer(settings, plainAnswers.internal_error, json);
}

/**
 * Builds the framework-neutral handler of `GET` and `POST` `/…/cast/<key>` (SPEC §11): it looks the
 * key up, checks the request (a Referer sent twice, a token or state sent twice, a form body over
 * 16 KB, not UTF-8 form-encoded or content-encoded), carries the captcha page's signed state back,
 * runs the evaluator and answers: JSON for `Accept: application/json`, else the launch page, the
 * error page, the captcha check page (challenges are never redirected), a 302 to `loginUrl` for
 * `auth_required`, or a 302 to the config's `errorUrl` for a final denial. Every answer is
 * `no-store` and `nosniff`; every page has a Content-Security-Policy. The handler never rejects and
 * never shows a stack trace: a programmer error goes to `onError` and the visitor gets a 500 page.
 * Throws a `TypeError` at creation for options it cannot serve (a captcha config without a widget,
 * verifier or `stateSecret`; a short `stateSecret`; a bad `loginUrl`).
 *
 * @example
 * ```ts
 * import { createMemoryStores, parseCastConfig } from 'castgate';
 * import { createCastHttpHandler } from 'castgate/http';
 *
 * const handle = createCastHttpHandler({
 *   configs: [parseCastConfig({ name: 'Demo', key: 'Zq3v9Kp2Lm8Xr4Td', imageId: 'kasmweb/chrome', allowAnonymous: true })],
 *   stores: createMemoryStores(),
 * });
 * const answer = await handle({ method: 'GET', url: '/cast/Zq3v9Kp2Lm8Xr4Td', ip: '203.0.113.9', headers: { accept: 'application/json' } });
 * console.log(answer.status); // 200
 * ```
 */
export function createCastHttpHandler(options: CastHttpOptions): CastHttpHandler {
  return createCastHttpCore(options).handle;
}
