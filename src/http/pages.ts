import type { CastDecision, CastError, GuardTrace } from 'castgate';
import type { PreparedWidget } from './captcha-widget.js';
import { escapeHtml, html, rawHtml, type SafeHtml } from './html.js';
import type { CastHttpOutput } from './types.js';

type AllowedDecision = Extract<CastDecision, { allowed: true }>;

// Contrast: text #1d1d1f and muted #4a4a4f on white (≥ 8:1), links and the button #0b57d0 (≥ 6:1);
// a 3px focus ring on every focusable element.
const style = `<style>
body{font:1rem/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d1d1f;background:#fff;max-width:42rem;margin:2.5rem auto;padding:0 1rem}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 .5rem}
p{margin:.5rem 0}.muted{color:#4a4a4f}.small{font-size:.875rem}
.box{border:1px solid #b0b0b8;border-radius:.5rem;padding:1rem 1.25rem;margin:1.25rem 0}
.problem{border:2px solid #b3261e;border-radius:.5rem;padding:.75rem 1rem;color:#8c1d18;background:#fff}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}dt{color:#4a4a4f}dd{margin:0;overflow-wrap:anywhere}
pre{background:#f3f3f5;padding:.75rem;border-radius:.4rem;overflow-x:auto;font-size:.85rem}
table{border-collapse:collapse;font-size:.85rem}th,td{text-align:left;padding:.15rem .75rem .15rem 0}
a{color:#0b57d0}.widget{min-height:4.5rem;margin:.5rem 0}
button{font:inherit;font-weight:600;color:#fff;background:#0b57d0;border:0;border-radius:.4rem;padding:.6rem 1.4rem;margin-top:.75rem;cursor:pointer}
:focus-visible{outline:3px solid #1d1d1f;outline-offset:2px}
@media (prefers-color-scheme:dark){body{color:#f2f2f4;background:#161618}.muted,dt{color:#c4c4cc}.box{border-color:#5c5c66}pre{background:#26262a}
a{color:#8ab4f8}button{background:#8ab4f8;color:#161618}.problem{color:#ffb4ab;background:#161618;border-color:#ffb4ab}:focus-visible{outline-color:#f2f2f4}}
</style>`;

const scriptFreePolicy = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'";

/** The parts of every page that do not change between responses, built once per handler. */
export interface PageKit {
  readonly head: string;
  readonly debug: boolean;
}

/** Builds the constant head and tail of every page for one handler. */
export function createPageKit(lang: string, debug: boolean): PageKit {
  const head =
    `<!doctype html>\n<html lang="${escapeHtml(lang)}">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="robots" content="noindex">\n${style}\n`;
  return { head, debug };
}

function documentOf(kit: PageKit, title: string, content: SafeHtml, script?: SafeHtml): string {
  return `${kit.head}<title>${escapeHtml(title)}</title>\n</head>\n<body>\n<main>\n${content.value}\n</main>\n${script?.value ?? ''}</body>\n</html>\n`;
}

/** The headers of every HTML page. `extra` (e.g. Retry-After, X-Cast-Decision-Id) come first. */
function pageHeaders(policy: string, extra: Readonly<Record<string, string>> | undefined, referrerPolicy = 'no-referrer'): Record<string, string> {
  return {
    ...extra,
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': policy,
    'referrer-policy': referrerPolicy,
  };
}

function traceTable(kit: PageKit, trace: readonly GuardTrace[] | undefined): SafeHtml | undefined {
  if (!kit.debug || trace === undefined) return undefined;
  const rows = trace.map(
    (entry) =>
      html`<tr><td><code>${entry.guard}</code></td><td>${entry.verdict}</td><td>${entry.code ?? ''}</td><td>${entry.durationMs.toFixed(3)}</td><td>${entry.note ?? ''}</td></tr>`,
  );
  return html`<details class="box"><summary>Guard trace (shown because <code>debug</code> is on)</summary>
<table><thead><tr><th scope="col">guard</th><th scope="col">verdict</th><th scope="col">code</th><th scope="col">ms</th><th scope="col">note</th></tr></thead><tbody>${rows}</tbody></table>
</details>`;
}

/** The launch page: the session is ready; what a host starts from it (image, user, remote app). */
export function launchPage(kit: PageKit, decision: AllowedDecision, headers: Readonly<Record<string, string>> | undefined): CastHttpOutput {
  const { launch, session, outcome } = decision;
  const title = outcome === 'resumed' ? 'Your session was resumed' : 'Your session is ready';
  const content = html`<h1>${title}</h1>
<p class="muted">${outcome === 'resumed' ? 'Your running session was found: you are back where you left off.' : 'Every check passed and the session is starting.'}</p>
<div class="box"><dl>
<dt>Session</dt><dd><code>${session.id}</code></dd>
<dt>Workspace</dt><dd><code>${launch.imageId}</code></dd>
${launch.remoteApp === undefined ? undefined : html`<dt>Application</dt><dd><code>${launch.remoteApp.name}</code></dd>`}
${launch.remoteApp === undefined || launch.remoteApp.commandLine === '' ? undefined : html`<dt>Opening</dt><dd><code>${launch.remoteApp.commandLine}</code></dd>`}
${launch.openInNewTab === undefined ? undefined : html`<dt>Opens in a new tab</dt><dd><code>${launch.openInNewTab}</code></dd>`}
</dl></div>
${kit.debug ? html`<details class="box"><summary>The whole launch plan</summary><pre>${JSON.stringify(launch, null, 2)}</pre></details>` : undefined}
${traceTable(kit, decision.trace)}`;
  return { status: 200, headers: pageHeaders(scriptFreePolicy, headers), body: documentOf(kit, title, content) };
}

/** What the error page shows besides the error itself. */
export interface ErrorPageExtras {
  readonly explanation?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly trace?: readonly GuardTrace[] | undefined;
  readonly title?: string | undefined;
  /** A link to follow (the sign-in page). */
  readonly link?: { readonly href: string; readonly text: string } | undefined;
}

/** The seed's internal error page: the message (Kasm's words), a plain explanation, the code. */
export function errorPage(kit: PageKit, error: Pick<CastError, 'code' | 'message' | 'status' | 'retryAfterSeconds' | 'parameter'>, extras: ErrorPageExtras = {}): CastHttpOutput {
  const title = extras.title ?? 'This link cannot be opened';
  const content = html`<h1>${title}</h1>
<div class="box">
<p><strong>${error.message}</strong></p>
${extras.explanation === undefined ? undefined : html`<p>${extras.explanation}</p>`}
${error.retryAfterSeconds === undefined ? undefined : html`<p>You can try again in ${error.retryAfterSeconds} ${error.retryAfterSeconds === 1 ? 'second' : 'seconds'}.</p>`}
${error.parameter === undefined ? undefined : html`<p class="muted small">The part of the link at fault: <code>${error.parameter}</code></p>`}
${extras.link === undefined ? undefined : html`<p><a href="${extras.link.href}">${extras.link.text}</a></p>`}
<p class="muted small">Error code <code>${error.code}</code> (HTTP ${error.status})</p>
</div>
${traceTable(kit, extras.trace)}`;
  return { status: error.status, headers: pageHeaders(scriptFreePolicy, extras.headers), body: documentOf(kit, title, content) };
}

/** What the captcha page needs for one response. */
export interface CaptchaPageInput {
  readonly widget: PreparedWidget;
  readonly message: string;
  readonly explanation?: string | undefined;
  /** Shown when the form came back without the widget's answer. */
  readonly problem?: string | undefined;
  /** The form's action: the original path and query. */
  readonly action: string;
  readonly state: string;
  readonly nonce: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly trace?: readonly GuardTrace[] | undefined;
}

/**
 * The captcha check page (403): the provider's widget in a form that posts back to the original
 * path and query with the signed `castgate_state`, so the visitor's Referer and query travel with it.
 */
export function captchaPage(kit: PageKit, input: CaptchaPageInput): CastHttpOutput {
  const { widget } = input;
  const content = html`<h1>One quick check</h1>
<p><strong>${input.message}</strong></p>
<p>${input.explanation ?? `Complete the ${widget.providerName} check below, then press Continue.`}</p>
${input.problem === undefined ? undefined : html`<p class="problem" role="alert">${input.problem}</p>`}
<form method="post" action="${input.action}" class="box" aria-labelledby="castgate-check-label">
<p id="castgate-check-label" class="muted small">Security check by ${widget.providerName}</p>
<input type="hidden" name="castgate_state" value="${input.state}">
${widget.markup}
<p id="castgate-captcha-problem" class="problem" role="alert" hidden>The security check could not be loaded. An ad or content blocker, a firewall or a lost connection may be stopping it: allow it or try another network, then reload this page.</p>
<noscript><p class="problem">This security check needs JavaScript. Turn JavaScript on for this site, then reload the page.</p></noscript>
<button type="submit">Continue</button>
</form>
${traceTable(kit, input.trace)}`;
  const script = rawHtml(`<script nonce="${input.nonce}">${widget.loader}</script>\n`);
  const policy =
    `default-src 'none'; script-src 'nonce-${input.nonce}' ${widget.sources}; frame-src ${widget.sources}; ` +
    `connect-src ${widget.sources}; style-src 'unsafe-inline' ${widget.sources}; img-src 'self' data: ${widget.sources}; ` +
    "form-action 'self'; base-uri 'none'";
  // The provider checks which site embeds its widget: the page keeps the browser's default policy.
  return {
    status: 403,
    headers: pageHeaders(policy, input.headers, 'strict-origin-when-cross-origin'),
    body: documentOf(kit, 'One quick check', content, script),
  };
}

/** The 404 page for a path or key no config has. It does not repeat what was asked for. */
export function notFoundPage(kit: PageKit): CastHttpOutput {
  const content = html`<h1>Link not found</h1>
<div class="box"><p><strong>No link has this address.</strong></p><p>Check that the whole link was copied, or ask whoever shared it for a new one.</p>
<p class="muted small">HTTP 404</p></div>`;
  return { status: 404, headers: pageHeaders(scriptFreePolicy, undefined), body: documentOf(kit, 'Link not found', content) };
}

/** A page for an answer made before any decision (405, 413, 415, 400, 500): a title and a sentence. */
export function plainPage(kit: PageKit, status: number, title: string, sentence: string, headers?: Readonly<Record<string, string>>): CastHttpOutput {
  const content = html`<h1>${title}</h1>
<div class="box"><p>${sentence}</p><p class="muted small">HTTP ${status}</p></div>`;
  return { status, headers: pageHeaders(scriptFreePolicy, headers), body: documentOf(kit, title, content) };
}
