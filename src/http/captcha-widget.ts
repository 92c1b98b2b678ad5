import { html, type SafeHtml } from './html.js';

/**
 * The captcha providers whose widget the captcha check page can show.
 *
 * @example
 * ```ts
 * import type { CastCaptchaProvider } from 'castgate/http';
 * const provider: CastCaptchaProvider = 'turnstile';
 * ```
 */
export type CastCaptchaProvider = 'recaptcha' | 'turnstile' | 'hcaptcha';

/**
 * The captcha check page's widget: the provider, the host's public site key (never the secret, which
 * only the verifier holds) and, for tests or a self-hosted mirror, the script to load instead of the
 * provider's documented one.
 *
 * @example
 * ```ts
 * import type { CastCaptchaWidget } from 'castgate/http';
 * const widget: CastCaptchaWidget = { provider: 'turnstile', siteKey: '1x00000000000000000000AA' };
 * ```
 */
export interface CastCaptchaWidget {
  readonly provider: CastCaptchaProvider;
  readonly siteKey: string;
  /**
   * The widget script to load instead of the provider's (a self-hosted mirror, a test widget): an
   * absolute `https:` or `http:` URL, whose origin the page's CSP then allows, or a path on this
   * site starting with `/` (CSP `'self'`). @defaultValue the provider's documented script
   */
  readonly scriptUrl?: string | undefined;
}

interface ProviderFacts {
  readonly name: string;
  /** The form field the provider's script adds to the enclosing form. */
  readonly field: string;
  readonly script: string;
  readonly className: string;
  /** Sources the page's Content-Security-Policy allows for the provider's scripts, frames and calls. */
  readonly sources: string;
}

const providers: Readonly<Record<CastCaptchaProvider, ProviderFacts>> = {
  recaptcha: {
    name: 'reCAPTCHA',
    field: 'g-recaptcha-response',
    script: 'https://www.google.com/recaptcha/api.js',
    className: 'g-recaptcha',
    sources: 'https://www.google.com/recaptcha/ https://www.gstatic.com/recaptcha/ https://recaptcha.google.com/recaptcha/',
  },
  turnstile: {
    name: 'Cloudflare Turnstile',
    field: 'cf-turnstile-response',
    script: 'https://challenges.cloudflare.com/turnstile/v0/api.js',
    className: 'cf-turnstile',
    sources: 'https://challenges.cloudflare.com',
  },
  hcaptcha: {
    name: 'hCaptcha',
    field: 'h-captcha-response',
    script: 'https://js.hcaptcha.com/1/api.js',
    className: 'h-captcha',
    sources: 'https://hcaptcha.com https://*.hcaptcha.com',
  },
};

/**
 * The documented widget script of each provider, loaded by the captcha check page unless
 * `captcha.scriptUrl` says otherwise.
 *
 * @example
 * ```ts
 * import { castCaptchaScriptUrls } from 'castgate/http';
 * castCaptchaScriptUrls.turnstile; // 'https://challenges.cloudflare.com/turnstile/v0/api.js'
 * ```
 */
export const castCaptchaScriptUrls: Readonly<Record<CastCaptchaProvider, string>> = Object.freeze({
  recaptcha: providers.recaptcha.script,
  turnstile: providers.turnstile.script,
  hcaptcha: providers.hcaptcha.script,
});

/**
 * The form field each provider's widget posts its token in.
 *
 * @example
 * ```ts
 * import { castCaptchaTokenFields } from 'castgate/http';
 * castCaptchaTokenFields.hcaptcha; // 'h-captcha-response'
 * ```
 */
export const castCaptchaTokenFields: Readonly<Record<CastCaptchaProvider, string>> = Object.freeze({
  recaptcha: providers.recaptcha.field,
  turnstile: providers.turnstile.field,
  hcaptcha: providers.hcaptcha.field,
});

/** Everything the captcha page needs about its widget, computed once per handler. */
export interface PreparedWidget {
  readonly provider: CastCaptchaProvider;
  readonly providerName: string;
  readonly field: string;
  /** The widget element and the loader, with `{nonce}` to fill in per response. */
  readonly markup: SafeHtml;
  readonly loader: string;
  /** CSP source list for script, frame, style and connect directives. */
  readonly sources: string;
}

const scriptUrlProblem = 'castgate/http: captcha.scriptUrl must be an absolute http: or https: URL, or a path starting with "/"';

/** The script's URL as the page writes it, and the CSP source that allows it. */
function checkedScriptUrl(url: unknown): { readonly href: string; readonly source: string } {
  if (typeof url !== 'string') throw new TypeError(scriptUrlProblem);
  if (url.startsWith('/') && !url.startsWith('//')) {
    const local = new URL(url, 'http://castgate.invalid');
    return { href: `${local.pathname}${local.search}`, source: "'self'" };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(scriptUrlProblem);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new TypeError(scriptUrlProblem);
  return { href: parsed.href, source: parsed.origin };
}

/**
 * Checks the widget options and prepares its markup. The provider's script is added by a small
 * loader (the page's one nonce-carrying script), which shows a message when the script cannot load,
 * instead of a check that never appears.
 */
export function prepareWidget(widget: CastCaptchaWidget): PreparedWidget {
  const facts = (providers as Partial<Record<string, ProviderFacts>>)[widget.provider];
  if (facts === undefined) throw new TypeError('castgate/http: captcha.provider must be "recaptcha", "turnstile" or "hcaptcha"');
  if (typeof widget.siteKey !== 'string' || widget.siteKey === '') throw new TypeError('castgate/http: captcha.siteKey must be a non-empty string');
  const script = widget.scriptUrl === undefined ? { href: facts.script, source: facts.sources } : checkedScriptUrl(widget.scriptUrl);
  const sources = script.source;
  const markup = html`<div class="${facts.className} widget" data-sitekey="${widget.siteKey}"></div>`;
  // JSON.stringify makes a JS string literal; `<` is escaped so the text can never close the element.
  const url = JSON.stringify(script.href).replaceAll('<', '\\u003c');
  const loader =
    `(function(){var p=document.getElementById('castgate-captcha-problem');` +
    `var s=document.createElement('script');s.src=${url};s.async=true;s.defer=true;` +
    `s.onerror=function(){if(p)p.hidden=false;};document.head.appendChild(s);})();`;
  return { provider: widget.provider, providerName: facts.name, field: facts.field, markup, loader, sources };
}

