import { createMemoryStores, recaptchaVerifier, type CaptchaVerifier } from 'castgate';
import type { CastHandlerOptions } from './cast-handler.js';
import type { CaptchaWidget } from './captcha-widget.js';
import { loadConfigSource, type StaticConfigSource } from './config-source.js';
import { demoCaptchaVerifier } from './demo-captcha.js';

/** Google's published reCAPTCHA v2 test keys: every check passes, and the widget says it is for testing only. */
const googleTestSiteKey = '6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI';
const googleTestSecret = '6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe';

/**
 * Everything the demo servers share: the sample configs, in-memory stores, the captcha set-up and
 * the demo-only options (the `x-demo-user` header, the guard trace on pages), plus a sentence
 * describing the captcha mode for the start-up text.
 *
 * @example
 * ```ts
 * const { options, captchaMode } = await createDemoSetup(process.env);
 * ```
 */
export interface DemoSetup {
  readonly options: CastHandlerOptions & { readonly configs: StaticConfigSource; readonly captcha: CaptchaWidget };
  readonly captchaMode: string;
}

/**
 * Builds the demo's options from `examples/configs.json` and the environment. `DEMO_CAPTCHA=google`
 * uses reCAPTCHA with Google's published test keys (needs network access: the widget and the
 * verify call go to google.com); anything else uses the offline demo widget and verifier, so the
 * demo works with no network at all. Rejects when `configs.json` is unreadable or invalid.
 *
 * @example
 * ```ts
 * const { options } = await createDemoSetup({ DEMO_CAPTCHA: 'google' });
 * ```
 */
export async function createDemoSetup(env: Readonly<Record<string, string | undefined>>): Promise<DemoSetup> {
  const configs = await loadConfigSource(new URL('../configs.json', import.meta.url));
  const google = env.DEMO_CAPTCHA === 'google';
  const captcha: CaptchaWidget = google ? { provider: 'recaptcha', siteKey: googleTestSiteKey } : { provider: 'demo', siteKey: 'demo' };
  const verifier: CaptchaVerifier = google ? recaptchaVerifier({ secret: googleTestSecret }) : demoCaptchaVerifier();
  return {
    options: {
      configs,
      stores: { ...createMemoryStores(), captcha: verifier },
      captcha,
      demoUserHeader: true,
      showTrace: true,
      notice:
        'This demo has no real desktop: its SessionProvisioner is createMemoryStores().sessions, which records the ' +
        'session and starts nothing. A host would hand this launch plan to Kasm, Guacamole or its RDP gateway.',
    },
    captchaMode: google
      ? "captcha: reCAPTCHA with Google's published test keys (needs network; every check passes)"
      : 'captcha: offline demo widget and verifier (no network needed; set DEMO_CAPTCHA=google for reCAPTCHA test keys)',
  };
}
