import type { CastDecision, CastError, SessionRef } from '../contract/decision.js';
import type { LaunchPlan } from '../contract/launch-plan.js';

/**
 * The JSON body {@link toHttpResponse} answers with: the outcome, session and launch plan of an
 * allowed decision, or the error of a denied one.
 *
 * @example
 * ```ts
 * import type { CastHttpBody } from 'castgate';
 * const isError = (body: CastHttpBody) => 'error' in body;
 * ```
 */
export type CastHttpBody =
  | { readonly outcome: 'created' | 'resumed'; readonly session: SessionRef; readonly launch: LaunchPlan }
  | { readonly error: CastError };

/**
 * A framework-neutral HTTP answer: status, headers and a JSON body (`null` for a redirect).
 *
 * @example
 * ```ts
 * import type { CastHttpResponse } from 'castgate';
 * const send = (res: CastHttpResponse) => new Response(res.body === null ? null : JSON.stringify(res.body), { status: res.status, headers: res.headers });
 * ```
 */
export interface CastHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: CastHttpBody | null;
}

/**
 * Turns a decision into an HTTP answer: 200 with the plan when allowed; a 302 to `redirectUrl` when
 * the denial has one; else the error's status with the error as JSON, and `Retry-After` on
 * `rate_limited` (on redirects too). Every answer is `Cache-Control: no-store`. The trace is not included (it is for
 * logs, not for clients).
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createMemoryStores, evaluateCast, parseCastConfig, toHttpResponse } from 'castgate';
 * const config = parseCastConfig({ name: 'Demo', key: 'demo-0123456789abcdef', imageId: 'chrome', allowAnonymous: true });
 * const stores = createMemoryStores();
 * express().get('/cast', async (req, res) => {
 *   const { status, headers, body } = toHttpResponse(await evaluateCast(config, { ip: req.ip ?? '' }, stores));
 *   res.status(status).set(headers);
 *   if (body === null) res.end(); else res.json(body);
 * });
 * ```
 */
export function toHttpResponse(decision: CastDecision): CastHttpResponse {
  if (decision.allowed) {
    return {
      status: 200,
      headers: { 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' },
      body: { outcome: decision.outcome, session: decision.session, launch: decision.launch },
    };
  }
  const { error, redirectUrl } = decision;
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (error.code === 'rate_limited' && error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  if (redirectUrl !== undefined) {
    headers.location = redirectUrl;
    return { status: 302, headers, body: null };
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  return { status: error.status, headers, body: { error } };
}
