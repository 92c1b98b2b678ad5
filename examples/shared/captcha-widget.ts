import { html, type SafeHtml } from './html.js';

/**
 * The captcha providers the examples can show: the three castgate has verifiers for, and `demo`,
 * an offline stand-in (a plain button, no third-party script) for trying the flow without network.
 *
 * @example
 * ```ts
 * const provider: CaptchaProvider = 'turnstile';
 * ```
 */
export type CaptchaProvider = 'recaptcha' | 'turnstile' | 'hcaptcha' | 'demo';

/**
 * What the captcha check page needs: the provider and the host's public site key (never the
 * secret, which only the verifier holds).
 *
 * @example
 * ```ts
 * // Google's published reCAPTCHA v2 test key: every check passes, with a "for testing only" notice.
 * const widget: CaptchaWidget = { provider: 'recaptcha', siteKey: '6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI' };
 * ```
 */
export interface CaptchaWidget {
  readonly provider: CaptchaProvider;
  readonly siteKey: string;
}

/** The token the offline `demo` widget submits, and the only one the demo verifier accepts. */
export const demoCaptchaToken = 'demo-human-0123456789';

interface ProviderWidget {
  /** The form field the provider's script adds to the enclosing form. */
  readonly field: string;
  readonly script?: string;
  readonly className?: string;
  /** Origins the page's Content-Security-Policy must allow for the provider's script and frames. */
  readonly origins: readonly string[];
}

const providers: Readonly<Record<CaptchaProvider, ProviderWidget>> = {
  recaptcha: {
    field: 'g-recaptcha-response',
    script: 'https://www.google.com/recaptcha/api.js',
    className: 'g-recaptcha',
    origins: ['https://www.google.com', 'https://www.gstatic.com', 'https://recaptcha.google.com'],
  },
  turnstile: {
    field: 'cf-turnstile-response',
    script: 'https://challenges.cloudflare.com/turnstile/v0/api.js',
    className: 'cf-turnstile',
    origins: ['https://challenges.cloudflare.com'],
  },
  hcaptcha: {
    field: 'h-captcha-response',
    script: 'https://js.hcaptcha.com/1/api.js',
    className: 'h-captcha',
    origins: ['https://hcaptcha.com', 'https://*.hcaptcha.com'],
  },
  demo: { field: 'g-recaptcha-response', origins: [] },
};

/**
 * The form field a provider's widget posts its token in (`g-recaptcha-response`,
 * `cf-turnstile-response`, `h-captcha-response`; the demo widget uses reCAPTCHA's name).
 *
 * @example
 * ```ts
 * captchaTokenField('hcaptcha'); // 'h-captcha-response'
 * ```
 */
export function captchaTokenField(provider: CaptchaProvider): string {
  return providers[provider].field;
}

/**
 * The provider origins a captcha page's Content-Security-Policy must allow (scripts and frames).
 *
 * @example
 * ```ts
 * captchaOrigins('turnstile'); // ['https://challenges.cloudflare.com']
 * ```
 */
export function captchaOrigins(provider: CaptchaProvider): readonly string[] {
  return providers[provider].origins;
}

/**
 * The widget markup for a form: the provider's script and its element carrying the site key (which
 * adds the token field when solved), or for `demo` a hidden field with {@link demoCaptchaToken}.
 *
 * @example
 * ```ts
 * const markup = captchaWidgetHtml({ provider: 'recaptcha', siteKey: '6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI' });
 * ```
 */
export function captchaWidgetHtml(widget: CaptchaWidget): SafeHtml {
  const provider = providers[widget.provider];
  if (provider.script === undefined || provider.className === undefined) {
    return html`<input type="hidden" name="${provider.field}" value="${demoCaptchaToken}">
      <p class="hint">Offline demo check: no provider script is loaded, the button sends a fixed demo token.</p>`;
  }
  return html`<script src="${provider.script}" async defer></script>
      <div class="${provider.className}" data-sitekey="${widget.siteKey}"></div>`;
}
