import type { CastDecision, CastError, GuardTrace } from 'castgate';
import { captchaOrigins, captchaWidgetHtml, type CaptchaWidget } from './captcha-widget.js';
import { html, rawHtml, type SafeHtml } from './html.js';

/** The decision of an allowed request. */
type AllowedDecision = Extract<CastDecision, { allowed: true }>;

const style = rawHtml(`<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1rem; color: #1d1d1f; }
  h1 { font-size: 1.6rem; margin-bottom: .25rem; }
  .status { color: #6e6e73; margin-top: 0; }
  .box { border: 1px solid #d2d2d7; border-radius: .5rem; padding: 1rem 1.25rem; margin: 1.25rem 0; }
  .notice { background: #fff8e1; border-color: #f0c36d; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
  dt { color: #6e6e73; } dd { margin: 0; word-break: break-all; }
  pre { background: #f5f5f7; padding: .75rem; border-radius: .4rem; overflow-x: auto; font-size: .85rem; }
  table { border-collapse: collapse; font-size: .85rem; } th, td { text-align: left; padding: .15rem .75rem .15rem 0; }
  code { font-size: .9em; } .hint { color: #6e6e73; font-size: .9rem; }
  button { font-size: 1rem; padding: .5rem 1.25rem; margin-top: .75rem; cursor: pointer; }
</style>`);

/**
 * An HTML page: status, headers and the document. Every page is `no-store` and carries a
 * Content-Security-Policy that allows no script unless the page needs the captcha provider's.
 *
 * @example
 * ```ts
 * const page: HtmlPage = notFoundPage();
 * ```
 */
export interface HtmlPage {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const strictPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'";

function document(title: string, content: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
${style}
</head>
<body>
${content}
</body>
</html>
`.value;
}

function pageHeaders(policy: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    ...extra,
    'cache-control': 'no-store',
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

function traceTable(trace: readonly GuardTrace[] | undefined): SafeHtml | undefined {
  if (trace === undefined) return undefined;
  const rows = trace.map(
    (entry) =>
      html`<tr><td><code>${entry.guard}</code></td><td>${entry.verdict}</td><td>${entry.code ?? ''}</td><td>${entry.durationMs.toFixed(3)}</td><td>${entry.note ?? ''}</td></tr>`,
  );
  return html`<details class="box"><summary>Guard trace (shown because the demo option <code>showTrace</code> is on)</summary>
<table><thead><tr><th>guard</th><th>verdict</th><th>code</th><th>ms</th><th>note</th></tr></thead><tbody>${rows}</tbody></table>
</details>`;
}

/**
 * The page for an allowed decision: what a real host would now start (image, user, remote app
 * command line, the whole launch plan), an optional notice (the demo says it starts no desktop)
 * and, when given, the guard trace.
 *
 * @example
 * ```ts
 * if (decision.allowed) send(launchPage(decision, { notice: 'This demo starts no desktop.' }));
 * ```
 */
export function launchPage(decision: AllowedDecision, options: { readonly notice?: string | undefined; readonly trace?: boolean | undefined } = {}): HtmlPage {
  const { launch, session, outcome } = decision;
  const user = launch.user.anonymous ? 'a new anonymous user' : (launch.user.id ?? session.userId);
  const title = outcome === 'resumed' ? 'Session resumed' : 'Session ready';
  const content = html`<h1>${title}</h1>
<p class="status">${outcome === 'resumed' ? 'Your running session was found and resumed.' : 'Every check passed: the session can start.'}</p>
${options.notice === undefined ? undefined : html`<p class="box notice">${options.notice}</p>`}
<div class="box"><dl>
<dt>Session</dt><dd><code>${session.id}</code></dd>
<dt>User</dt><dd>${user} (groups: ${launch.user.groupIds.join(', ')})</dd>
<dt>Workspace image</dt><dd><code>${launch.imageId}</code></dd>
${launch.env.KASM_URL === undefined ? undefined : html`<dt>KASM_URL</dt><dd><code>${launch.env.KASM_URL}</code></dd>`}
${launch.dockerNetwork === undefined ? undefined : html`<dt>Docker network</dt><dd><code>${launch.dockerNetwork}</code></dd>`}
${launch.remoteApp === undefined
  ? undefined
  : html`<dt>RemoteApp</dt><dd><code>${launch.remoteApp.name}</code></dd><dt>Command line</dt><dd><code>${launch.remoteApp.commandLine}</code></dd>`}
${launch.openInNewTab === undefined ? undefined : html`<dt>Open in a new tab</dt><dd><code>${launch.openInNewTab}</code></dd>`}
</dl></div>
<details class="box"><summary>The whole launch plan</summary><pre>${JSON.stringify(launch, null, 2)}</pre></details>
${options.trace === true ? traceTable(decision.trace) : undefined}`;
  return { status: 200, headers: pageHeaders(strictPolicy), body: document(title, content) };
}

/**
 * The internal error page (SPEC §9): the end-user message and the status, with the stable code
 * in small print and, when given, the guard trace. `headers` are kept (e.g. `Retry-After`).
 *
 * @example
 * ```ts
 * if (!decision.allowed) send(errorPage(decision.error, { headers: toHttpResponse(decision).headers }));
 * ```
 */
export function errorPage(
  error: Pick<CastError, 'code' | 'message' | 'status' | 'retryAfterSeconds' | 'parameter'>,
  options: { readonly headers?: Readonly<Record<string, string>>; readonly trace?: readonly GuardTrace[] | undefined } = {},
): HtmlPage {
  const content = html`<h1>This link cannot be opened</h1>
<p class="status">HTTP ${error.status}</p>
<div class="box"><p>${error.message}</p>
${error.retryAfterSeconds === undefined ? undefined : html`<p>You can try again in ${error.retryAfterSeconds} seconds.</p>`}
${error.parameter === undefined ? undefined : html`<p class="hint">URL parameter: <code>${error.parameter}</code></p>`}
<p class="hint">Error code: <code>${error.code}</code></p></div>
${traceTable(options.trace)}`;
  const kept = Object.fromEntries(Object.entries(options.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-type'));
  return { status: error.status, headers: pageHeaders(strictPolicy, kept), body: document('This link cannot be opened', content) };
}

/**
 * The captcha check page (SPEC §9), answered on `captcha_required`: the provider's widget with the
 * host's site key inside a form that posts back to the same URL (query string kept), so the
 * request is sent again with the token.
 *
 * @example
 * ```ts
 * send(captchaPage({ provider: 'turnstile', siteKey: '1x00000000000000000000AA' }, decision.error.message));
 * ```
 */
export function captchaPage(widget: CaptchaWidget, message: string, options: { readonly trace?: readonly GuardTrace[] | undefined } = {}): HtmlPage {
  const content = html`<h1>One quick check</h1>
<p class="status">${message}</p>
<form method="post" class="box">
${captchaWidgetHtml(widget)}
<button type="submit">Continue</button>
</form>
<p class="hint">The form sends this same link again with the check's token.</p>
${traceTable(options.trace)}`;
  const origins = captchaOrigins(widget.provider).join(' ');
  const policy =
    origins === ''
      ? strictPolicy
      : `default-src 'none'; script-src ${origins}; frame-src ${origins}; connect-src ${origins}; style-src 'unsafe-inline'; img-src 'self' ${origins}; form-action 'self'; base-uri 'none'`;
  return { status: 403, headers: pageHeaders(policy), body: document('One quick check', content) };
}

/**
 * The 404 page for a key no config has. It does not repeat the key.
 *
 * @example
 * ```ts
 * if (config === undefined) send(notFoundPage());
 * ```
 */
export function notFoundPage(): HtmlPage {
  const content = html`<h1>Link not found</h1><p class="status">HTTP 404</p><div class="box"><p>No cast link has this address. Check that it was copied whole.</p></div>`;
  return { status: 404, headers: pageHeaders(strictPolicy), body: document('Link not found', content) };
}

/**
 * The 500 page for a programmer error (the engine rejects only for those). It shows no detail.
 *
 * @example
 * ```ts
 * send(serverErrorPage());
 * ```
 */
export function serverErrorPage(): HtmlPage {
  const content = html`<h1>Something went wrong</h1><p class="status">HTTP 500</p><div class="box"><p>The link could not be checked. Please try again later.</p></div>`;
  return { status: 500, headers: pageHeaders(strictPolicy), body: document('Something went wrong', content) };
}
