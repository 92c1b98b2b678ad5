import { randomBytes } from 'node:crypto';
import { createMemoryStores, recaptchaVerifier, type CastConfig, type CaptchaVerifier } from 'castgate';
import type { CastCaptchaWidget, CastHttpOptions } from 'castgate/http';
import { loadConfigs } from './config-source.js';
import { demoCaptchaVerifier } from './demo-captcha.js';
import { demoWidgetPath } from './demo-widget.js';

/** Google's published reCAPTCHA v2 test keys: every check passes, and the widget says it is for testing only. */
const googleTestSiteKey = '6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI';
const googleTestSecret = '6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe';

/**
 * Everything the demo servers share: the sample configs, in-memory stores, the captcha set-up,
 * the guard trace on pages (`debug`), plus a sentence describing the captcha mode.
 *
 * @example
 * ```ts
 * const { options, captchaMode } = await createDemoSetup(process.env);
 * ```
 */
export interface DemoSetup {
  readonly options: CastHttpOptions & { readonly configs: readonly CastConfig[]; readonly captcha: CastCaptchaWidget };
  readonly captchaMode: string;
}

/**
 * Builds the demo's options from `examples/configs.json` and the environment. `DEMO_CAPTCHA=google`
 * uses reCAPTCHA with Google's published test keys (needs network access); anything else uses the
 * offline widget (served by the demo itself at `/demo-widget.js`) and its verifier, so the demo
 * works with no network at all. Rejects when `configs.json` is unreadable or invalid.
 *
 * @example
 * ```ts
 * const { options } = await createDemoSetup({ DEMO_CAPTCHA: 'google' });
 * ```
 */
export async function createDemoSetup(env: Readonly<Record<string, string | undefined>>): Promise<DemoSetup> {
  const configs = await loadConfigs(new URL('../configs.json', import.meta.url));
  const google = env.DEMO_CAPTCHA === 'google';
  const captcha: CastCaptchaWidget = google
    ? { provider: 'recaptcha', siteKey: googleTestSiteKey }
    : { provider: 'turnstile', siteKey: 'demo', scriptUrl: demoWidgetPath };
  const verifier: CaptchaVerifier = google ? recaptchaVerifier({ secret: googleTestSecret }) : demoCaptchaVerifier();
  return {
    options: {
      configs,
      stores: { ...createMemoryStores(), captcha: verifier },
      captcha,
      // A fresh secret per run is fine for one process; processes serving the same links share one.
      stateSecret: randomBytes(32).toString('base64url'),
      debug: true,
    },
    captchaMode: google
      ? "captcha: reCAPTCHA with Google's published test keys (needs network; every check passes)"
      : 'captcha: an offline stand-in widget (no network needed; set DEMO_CAPTCHA=google for reCAPTCHA test keys)',
  };
}
